import ArbCore
import ArbStore
import ArbTestSupport
import Foundation
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
        #expect(try await SQLiteCampaignStore(path: dir + "/arbitrage.sqlite").integrityCheck() == "ok")
    }

    @Test func sigtermCheckpointsAndInterruptsAndAutoResumeContinues() async throws {
        let dir = Self.dataDir("term")
        let first = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        let id = try await Self.create(first.port, Self.realtime)
        let listed = try await Self.waitForTrades(first.port, id)
        #expect(!listed.isEmpty)
        let before = try await Self.get(first.port, "/campaigns/\(id)")
        #expect(try await offPool { first.terminate() } == 0)
        #expect(first.log.contains("shutting down") && first.log.contains("status=interrupted"))
        #expect(try await SQLiteCampaignStore(path: dir + "/arbitrage.sqlite").integrityCheck() == "ok")

        // The shutdown took a checkpoint of its own, newer than the last periodic one.
        let second = try await offPool { try ServeProcess.start(["--data-dir", dir, "--auto-resume"]) }
        let port = second.port
        let record = try await Self.get(port, "/campaigns/\(id)")
        #expect(record["status"] == "running")
        #expect(record["checkpoint"]?["sequence"]?.intValue ?? 0 > before["checkpoint"]?["sequence"]?.intValue ?? 0)
        #expect(second.log.contains("campaign resumed"))
        try await Self.expectCompletes(port, id, listedBefore: listed)
        #expect(try await offPool { second.terminate() } == 0)
        #expect(try await SQLiteCampaignStore(path: dir + "/arbitrage.sqlite").integrityCheck() == "ok")
    }

    @Test func aSimulatedCampaignKilledMidRunResumesToTheResultsOfAnUninterruptedRun() async throws {
        let config = #"{"universe": {"top_n": 6}, "engine": {"mode": "multi", "multi_symbol_enabled": true}, "strategy": {"entry_threshold_bps": -5}, "paper": {"latency_ms": {"upbit": 120, "binance": 40}}, "market_data": {"updates_per_second": 5}, "session": {"clock": "simulated", "max_runtime_seconds": 7200, "checkpoint_seconds": 60}}"#
        let dir = Self.dataDir("sim")
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
        #expect(try await offPool { second.terminate() } == 0)
        #expect(try await SQLiteCampaignStore(path: dir + "/arbitrage.sqlite").integrityCheck() == "ok")
    }

    @Test func aSecondServiceOnTheSameDataDirectoryIsRefused() async throws {
        let dir = Self.dataDir("lock")
        let first = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        let (status, _, err) = try await runCLI(["serve", "--port", "0", "--data-dir", dir])
        #expect(status == 1 && err.contains("in use by another arbitrage process"), "\(err)")
        #expect(try await offPool { first.terminate() } == 0)
    }

    // MARK: Helpers

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
