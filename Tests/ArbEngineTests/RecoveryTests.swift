import ArbCore
import ArbStore
import ArbTesting
import ArbTestSupport
import Foundation
import GRDB
import Testing

/// Crash and shutdown recovery through the real executable: SQLite files, SIGKILL and SIGTERM, resume.
extension CampaignSuites {
@Suite struct RecoveryTests {
    /// A realtime campaign that trades within a second or two and checkpoints every second.
    static let realtime = #"{"universe": {"top_n": 3}, "engine": {"mode": "multi", "multi_symbol_enabled": true}, "strategy": {"entry_threshold_bps": -30}, "multi_symbol_risk_guard": {"cooldown_seconds": 0}, "market_data": {"updates_per_second": 20}, "paper": {"latency_ms": {"upbit": 80, "binance": 40}}, "session": {"max_runtime_seconds": 8, "loop_interval_ms": 50, "checkpoint_seconds": 1}}"#

    @Test func killedWithSigkillTheCampaignIsInterruptedLosesNoListedTradeAndResumesToCompletion() async throws {
        let dir = Self.dataDir("kill")
        let first = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        let id = try await Self.create(first.port, Self.realtime)
        let listed = try await Self.waitForTrades(first.port, id)
        #expect(!listed.isEmpty)
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()

        let second = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        let port = second.port
        let record = try await Self.get(port, "/campaigns/\(id)")
        #expect(record["status"] == "interrupted")
        #expect(record["checkpoint"]?["sequence"]?.intValue ?? 0 >= 1)
        let kept = try await Self.tradeIds(port, id)
        #expect(Set(listed).isSubset(of: Set(kept)), "listed before the kill: \(listed), after: \(kept)")
        #expect(second.log.contains("interrupted"))

        let resumed = try await Self.call(port, "POST", "/campaigns/\(id)/resume")
        #expect(resumed.status == 200 && resumed.json["status"] == "running")
        let again = try await Self.call(port, "POST", "/campaigns/\(id)/resume")
        #expect(again.status == 409)
        try await Self.expectCompletes(port, id, listedBefore: listed)
        #expect(try await offPool { second.terminate() } == 0)
        #expect(try SQLiteCampaignStore(path: dir + "/arbitrage.sqlite").integrityCheck() == "ok")
    }

    @Test func sigtermCheckpointsAndInterruptsAndAutoResumeContinues() async throws {
        let dir = Self.dataDir("term")
        let first = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        let id = try await Self.create(first.port, Self.realtime)
        let listed = try await Self.waitForTrades(first.port, id)
        #expect(!listed.isEmpty)
        let before = try await Self.get(first.port, "/campaigns/\(id)")
        #expect(try await offPool { first.terminate() } == 0)
        Self.expectShutdownOrder(first, signal: "SIGTERM")
        #expect(try SQLiteCampaignStore(path: dir + "/arbitrage.sqlite").integrityCheck() == "ok")

        // The shutdown took a checkpoint of its own, newer than the last periodic one.
        let second = try await offPool { try ServeProcess.start(["--data-dir", dir, "--auto-resume"]) }
        let port = second.port
        let record = try await Self.get(port, "/campaigns/\(id)")
        #expect(record["status"] == "running")
        #expect(record["checkpoint"]?["sequence"]?.intValue ?? 0 > before["checkpoint"]?["sequence"]?.intValue ?? 0)
        #expect(second.log.contains("campaign resumed"))
        try await Self.expectCompletes(port, id, listedBefore: listed)
        #expect(try await offPool { second.terminate() } == 0)
        #expect(try SQLiteCampaignStore(path: dir + "/arbitrage.sqlite").integrityCheck() == "ok")
    }

    /// With transfers: pairs close by transfer a minute in, the rebalancer looks every minute, so the kill finds
    /// transfers in flight.
    static let transferSections = #""strategy": {"entry_threshold_bps": -5, "exit_by_transfer": true, "transfer_after_seconds": 60}, "rebalance": {"policy": "band", "max_fee_pct": 0.01}, "transfers": {"allow": ["upbit-binance", "binance-upbit"]}"#

    @Test(arguments: [false, true])
    func aSimulatedCampaignKilledMidRunResumesToTheResultsOfAnUninterruptedRun(transfers: Bool) async throws {
        let strategy = transfers ? Self.transferSections : #""strategy": {"entry_threshold_bps": -5}"#
        let config = #"{"universe": {"top_n": 6}, "engine": {"mode": "multi", "multi_symbol_enabled": true}, "# + strategy + #", "paper": {"latency_ms": {"upbit": 120, "binance": 40}}, "market_data": {"updates_per_second": 5}, "session": {"clock": "simulated", "max_runtime_seconds": 7200, "checkpoint_seconds": 60}}"#
        let dir = Self.dataDir(transfers ? "sim-transfers" : "sim")
        let first = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        let id = try await Self.create(first.port, config)
        var sequence = 0
        for _ in 0..<400 where sequence < 3 {
            try await Task.sleep(for: .milliseconds(10))
            let record = try await Self.get(first.port, "/campaigns/\(id)")
            #expect(record["status"] == "running", "the run ended before it could be killed; make it longer")
            sequence = Int(record["checkpoint"]?["sequence"]?.intValue ?? 0)
        }
        #expect(sequence >= 3)
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()

        let second = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        let port = second.port
        #expect(try await Self.get(port, "/campaigns/\(id)")["status"] == "interrupted")
        #expect(try await Self.call(port, "POST", "/campaigns/\(id)/resume").status == 200)
        try await Self.waitUntilFinished(port, id)
        let stats = try await Self.get(port, "/campaigns/\(id)/stats")
        #expect(stats["status"] == "completed")

        let file = try temporaryFile("sim.json", config)
        let (status, out, err) = try await runCLI(["run", file])
        #expect(status == 0, "\(err)")
        let uninterrupted = try JSONDecoder().decode(JSONValue.self, from: Data(out.utf8))
        #expect(results(stats) == results(uninterrupted))
        #expect(int(stats.at("trades.opened")) > 10)
        let ids = try await Self.tradeIds(port, id)
        #expect(ids.count == int(stats.at("trades.opened")) && Set(ids).count == ids.count)
        if transfers {
            // Every transfer listed once, in its final state, as many as the stats count.
            let listed = try await Self.get(port, "/campaigns/\(id)/transfers?limit=1000")["items"]?.arrayValue ?? []
            let transferIds = listed.compactMap { $0["id"]?.stringValue }
            #expect(int(stats.at("transfers.count")) > 5 && transferIds.count == int(stats.at("transfers.count")))
            #expect(Set(transferIds).count == transferIds.count)
        }
        #expect(try await offPool { second.terminate() } == 0)
        #expect(try SQLiteCampaignStore(path: dir + "/arbitrage.sqlite").integrityCheck() == "ok")
    }

    @Test func aSecondServiceOnTheSameDataDirectoryIsRefused() async throws {
        let dir = Self.dataDir("lock")
        let first = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        let (status, _, err) = try await runCLI(["serve", "--port", "0", "--data-dir", dir])
        #expect(status == 1 && err.contains("in use by another arbitrage process"), "\(err)")
        #expect(try await offPool { first.terminate() } == 0)
    }

    @Test func retainDaysDeletesFinishedCampaignsPastTheirTimeAtStart() async throws {
        let dir = Self.dataDir("retain")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let day: Int64 = 86_400_000_000_000
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        do {
            let store = try SQLiteCampaignStore(path: dir + "/arbitrage.sqlite")
            for (id, status, age) in [("cold", CampaignStatus.completed, 3 * day), ("warm", .stopped, day / 2), ("paused", .interrupted, 9 * day)] {
                var r = CampaignRecord(id: id, name: nil, status: .running, config: ["universe": ["top_n": 2]], createdAtNs: now - 10 * day)
                try await store.createCampaign(r)
                r.status = status
                r.finishedAtNs = status.isFinished ? now - age : nil
                if status.isFinished { try await store.finishCampaign(r, events: [], stats: nil) } else { try await store.updateCampaign(r) }
            }
        }
        let serve = try await offPool { try ServeProcess.start(["--data-dir", dir, "--retain-days", "2"]) }
        let port = serve.port
        var gone = false
        for _ in 0..<50 where !gone {
            gone = try await Self.call(port, "GET", "/campaigns/cold").status == 404
            if !gone { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(gone)
        #expect(try await Self.call(port, "GET", "/campaigns/warm").status == 200)
        #expect(try await Self.call(port, "GET", "/campaigns/paused").status == 200)
        #expect(serve.log.contains("retain_days=2"))
        #expect(try await offPool { serve.terminate() } == 0)
        let (bad, _, err) = try await runCLI(["serve", "--port", "0", "--data-dir", dir, "--retain-days", "0"])
        #expect(bad == 2 && err.contains("--retain-days"))
    }

    @Test func sigintInterruptsLikeSigterm() async throws {
        let dir = Self.dataDir("int")
        let first = try await offPool { try ServeProcess.start(["--data-dir", dir, "--retain-days", "30"]) }
        let id = try await Self.create(first.port, Self.realtime)
        #expect(try await !Self.waitForTrades(first.port, id).isEmpty)
        #expect(try await offPool { first.stop(with: SIGINT) } == 0)
        Self.expectShutdownOrder(first, signal: "SIGINT")
        // The pruner stops between the HTTP server and the campaigns.
        let order = first.positions(of: ["http server stopped", "retention pruner stopped", "interrupting running campaigns"])
        #expect(order.allSatisfy { $0 != nil } && order == order.sorted { ($0 ?? 0) < ($1 ?? 0) })
        let second = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        #expect(try await Self.get(second.port, "/campaigns/\(id)")["status"] == "interrupted")
        #expect(try await Self.call(second.port, "POST", "/campaigns/\(id)/resume").status == 200)
        #expect(try await offPool { second.terminate() } == 0)
    }

    /// A shutdown held up (another connection holds the database's write lock, so the interrupted campaign's last
    /// records cannot be written) ends at once on a second signal; the campaign is interrupted at the next start
    /// and resumable.
    @Test func aSecondSignalExitsAtOnce() async throws {
        let dir = Self.dataDir("twice")
        let serve = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        let id = try await Self.create(serve.port, Self.realtime)
        #expect(try await !Self.waitForTrades(serve.port, id).isEmpty)
        var unsafe = Configuration()
        unsafe.allowsUnsafeTransactions = true
        let holder = try DatabaseQueue(path: dir + "/arbitrage.sqlite", configuration: unsafe)
        try await holder.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }
        kill(serve.process.processIdentifier, SIGTERM)
        for _ in 0..<100 where !serve.log.contains("interrupting running campaigns") { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(serve.process.isRunning, "the first signal's shutdown waits for the campaign's records")
        let sent = Date()
        let status = try await offPool { serve.stop(with: SIGTERM) }
        #expect(status == 128 + SIGTERM)
        #expect(Date().timeIntervalSince(sent) < 3)
        #expect(serve.log.contains("second signal: exiting at once"))
        try await holder.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") }
        try holder.close()
        let again = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        #expect(try await Self.get(again.port, "/campaigns/\(id)")["status"] == "interrupted")
        #expect(try await offPool { again.terminate() } == 0)
    }

    // MARK: Helpers

    /// The shutdown's log lines come in the services' reverse order: the signal, the HTTP server, the campaigns
    /// (each interrupted), the feeds, the memory trimmer, the end.
    static func expectShutdownOrder(_ serve: ServeProcess, signal: String) {
        let lines = ["signal=\(signal)", "http server stopped", "interrupting running campaigns", "status=interrupted",
                     "campaigns interrupted", "live feeds closed", "memory trimmer stopped", "] stopped"]
        let order = serve.positions(of: lines)
        #expect(order.allSatisfy { $0 != nil }, "missing from the log: \(zip(lines, order).filter { $0.1 == nil }.map(\.0))")
        #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted(), "\(serve.log)")
    }

    static func dataDir(_ tag: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("arb-\(tag)-\(UUID().uuidString)").path
    }

    static func call(_ port: UInt16, _ method: String, _ path: String, _ body: String? = nil) async throws -> (status: Int, json: JSONValue) {
        let response = try await offPool {
            try RawClient.request(port: port, method, path, headers: body == nil ? [:] : ["Content-Type": "application/json"],
                                  body: Array((body ?? "").utf8))
        }
        let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(response.body.utf8))) ?? .null
        return (response.status, json)
    }

    static func get(_ port: UInt16, _ path: String) async throws -> JSONValue {
        let r = try await call(port, "GET", path)
        #expect(r.status == 200, "GET \(path): \(r.status) \(r.json)")
        return r.json
    }

    static func create(_ port: UInt16, _ body: String) async throws -> String {
        let r = try await call(port, "POST", "/campaigns", body)
        #expect(r.status == 201, "\(r.json)")
        return try #require(r.json["id"]?.stringValue)
    }

    static func tradeIds(_ port: UInt16, _ id: String) async throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try await get(port, "/campaigns/\(id)/trades?limit=500" + (cursor.map { "&cursor=\($0)" } ?? ""))
            ids += (page["items"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
            cursor = page["next_cursor"]?.stringValue
        } while cursor != nil
        return ids
    }

    /// Trades listed once the campaign has committed some (waits up to 10 s).
    static func waitForTrades(_ port: UInt16, _ id: String) async throws -> [String] {
        for _ in 0..<100 {
            let ids = try await tradeIds(port, id)
            if !ids.isEmpty { return ids }
            try await Task.sleep(for: .milliseconds(100))
        }
        return []
    }

    static func waitUntilFinished(_ port: UInt16, _ id: String) async throws {
        for _ in 0..<600 {
            if try await get(port, "/campaigns/\(id)")["status"] != "running" { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits for the end; the campaign completes on its runtime with every trade listed before still there,
    /// each trade once, as many as it opened.
    static func expectCompletes(_ port: UInt16, _ id: String, listedBefore: [String]) async throws {
        try await waitUntilFinished(port, id)
        let record = try await get(port, "/campaigns/\(id)")
        #expect(record["status"] == "completed" && record["stop_reason"] == "runtime")
        let ids = try await tradeIds(port, id)
        #expect(Set(listedBefore).isSubset(of: Set(ids)) && Set(ids).count == ids.count)
        let stats = try await get(port, "/campaigns/\(id)/stats")
        #expect(int(stats.at("trades.opened")) == ids.count)
        let runtime = double(stats["runtime_seconds"])
        #expect(runtime >= 8 && runtime < 8.5)
        // The ledger across the interruption: balances equal initial plus every fill's flows.
        #expect(stats.at("balances.reconciled") == true)
    }
}
}

/// Full disks and read-only directories, on a size-limited tmpfs when this process may mount one, else through
/// a file-size limit (RLIMIT_FSIZE) or another user.
extension CampaignSuites {
@Suite struct StorageFaultTests {
    @Test func aFullDiskDelaysRecordsLosesNoneAndTheServiceSaysWhy() async throws {
        guard let mount = TmpfsMount(options: "size=3m") else {
            try await Self.fileSizeLimitFallback()
            return
        }
        defer { mount.unmount() }
        let dir = mount.path + "/data"
        let serve = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        let port = serve.port
        let id = try await RecoveryTests.create(port, RecoveryTests.realtime)
        let listed = try await RecoveryTests.waitForTrades(port, id)
        #expect(!listed.isEmpty)

        // Fill the disk while the campaign runs: its checkpoints fail and are retried with the same records.
        let filler = mount.path + "/filler"
        _ = try? await offPool { try runTool("/bin/dd", ["if=/dev/zero", "of=\(filler)", "bs=64k"]) }
        try await Task.sleep(for: .milliseconds(2500))
        let ready = try await RecoveryTests.call(port, "GET", "/readyz")
        #expect(ready.status == 503, "\(ready.json)")
        let refused = try await RecoveryTests.call(port, "POST", "/campaigns", RecoveryTests.realtime)
        #expect(refused.status == 503 && (refused.json["detail"]?.stringValue ?? "").contains("full"), "\(refused.json)")
        let metrics = try await offPool { try RawClient.request(port: port, "GET", "/metrics") }
        #expect(metrics.body.contains("arbitrage_store_writable 0"))
        #expect(!metrics.body.contains("arbitrage_store_write_errors_total 0\n"))

        // Space again: the retried commits go through and the campaign ends with every record.
        try FileManager.default.removeItem(atPath: filler)
        try await RecoveryTests.expectCompletes(port, id, listedBefore: listed)
        #expect(try await RecoveryTests.call(port, "GET", "/readyz").status == 200)
        #expect(try await offPool { serve.terminate() } == 0)
        #expect(try SQLiteCampaignStore(path: dir + "/arbitrage.sqlite").integrityCheck() == "ok")

        // A disk already full at start: a clear startup error naming the directory.
        _ = try? await offPool { try runTool("/bin/dd", ["if=/dev/zero", "of=\(filler)", "bs=64k"]) }
        let (status, _, err) = try await runCLI(["serve", "--port", "0", "--data-dir", mount.path + "/other"])
        #expect(status != 0 && err.contains(mount.path + "/other"), "\(err)")
    }

    /// Without a mount: a file-size limit the store's files soon reach.
    static func fileSizeLimitFallback() async throws {
        let dir = RecoveryTests.dataDir("fsize")
        let serve = try await offPool { try ServeProcess.start(["--data-dir", dir], wrapper: ["/usr/bin/prlimit", "--fsize=400000", "--"]) }
        let port = serve.port
        let id = try await RecoveryTests.create(port, RecoveryTests.realtime.replacingOccurrences(of: #""top_n": 3"#, with: #""top_n": 40"#))
        var ready = 200
        for _ in 0..<100 where ready == 200 {
            try await Task.sleep(for: .milliseconds(100))
            ready = try await RecoveryTests.call(port, "GET", "/readyz").status
        }
        #expect(ready == 503)
        #expect(try await RecoveryTests.get(port, "/campaigns/\(id)")["status"] == "running")
        #expect(try await offPool { serve.terminate() } == 0)
        #expect(try SQLiteCampaignStore(path: dir + "/arbitrage.sqlite").integrityCheck() == "ok")
    }

    @Test func aReadOnlyDataDirectoryIsAClearStartupError() async throws {
        if let mount = TmpfsMount(options: "ro,size=1m") {
            defer { mount.unmount() }
            let (status, _, err) = try await runCLI(["serve", "--port", "0", "--data-dir", mount.path])
            #expect(status == 2 && err.contains("--data-dir") && err.contains("not writable"), "\(err)")
        } else {
            // Root writes anywhere; another user cannot write a directory it does not own.
            let dir = RecoveryTests.dataDir("ro")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let (status, _, err) = try await offPool {
                try runTool("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", arbitrageBinary(),
                                                 "serve", "--port", "0", "--data-dir", dir])
            }
            #expect(status == 2 && err.contains("--data-dir") && err.contains("not writable"), "\(err)")
        }
    }
}
}

/// A tmpfs mounted for one test; nil when this process may not mount (or `ARBITRAGE_TEST_NO_MOUNT` is set, to
/// exercise the fallbacks).
struct TmpfsMount {
    let path: String

    init?(options: String) {
        if ProcessInfo.processInfo.environment["ARBITRAGE_TEST_NO_MOUNT"] != nil { return nil }
        path = FileManager.default.temporaryDirectory.appendingPathComponent("arb-mnt-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard let (status, _, _) = try? runTool("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", path]), status == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            return nil
        }
    }

    func unmount() {
        _ = try? runTool("/bin/umount", [path])
        try? FileManager.default.removeItem(atPath: path)
    }
}

