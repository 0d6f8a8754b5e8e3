import ArbCore
import ArbEngine
import ArbMarketData
import ArbTesting
import ArbTestSupport
import Foundation
import Testing

extension CampaignSuites {
/// Sweeps in `arbitrage serve`: the API over real HTTP, the SQLite store, and a sweep killed with SIGKILL.
@Suite struct SweepServiceTests {
    static func body(cache: String, entries: [Int] = [-5, 5], parallel: Int = 2) -> String {
        SweepTests.sweep(cache: cache, [
            "parallel": .int(Int64(parallel)),
            "grid": .object(["strategy.entry_threshold_bps": .array(entries.map { .int(Int64($0)) }), "strategy.exit_threshold_bps": [-20, -10]]),
        ]).rendered(pretty: false)
    }

    static func waitFor(_ port: UInt16, _ id: String, seconds: Double = 120, until done: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let sweep = try await RecoveryTests.get(port, "/sweeps/\(id)")
            if done(sweep) { return sweep }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("sweep \(id) did not get there in \(seconds) s")
        return .null
    }

    @Test func theAPIStartsListsRanksAndDeletesSweeps() async throws {
        let (_, cache, _) = try await CacheReplayTests.recordingAndCache()
        let serve = try await offPool { try ServeProcess.start() }
        defer { _ = serve.terminate() }
        let port = serve.port
        let raw = try await offPool {
            try RawClient.request(port: port, "POST", "/sweeps", headers: ["Content-Type": "application/json"], body: Array(Self.body(cache: cache).utf8))
        }
        let created = (status: raw.status, json: try ConfigLoader.json(Data(raw.body.utf8), path: "response"))
        #expect(created.status == 201, "\(created.json)")
        let id = try #require(created.json["id"]?.stringValue)
        #expect(raw.headers["location"] == "/sweeps/\(id)")
        #expect(created.json["status"]?.stringValue == "running" && created.json["runs_total"]?.intValue == 4)
        // One at a time: a second sweep waits its turn.
        let second = try await RecoveryTests.call(port, "POST", "/sweeps", Self.body(cache: cache))
        #expect(second.status == 409, "\(second.json)")
        let done = try await Self.waitFor(port, id) { $0["status"]?.stringValue == "completed" }
        #expect(done["runs_finished"]?.intValue == 4 && done["finished_at"]?.stringValue != nil)
        // Ranked best first, every run once.
        let ranking = try #require(done["ranking"]?.arrayValue)
        let objectives = ranking.compactMap { $0["objective"]?.doubleValue }
        #expect(ranking.count == 4 && objectives == objectives.sorted(by: >) && Set(ranking.compactMap { $0["run"]?.intValue }) == [1, 2, 3, 4])
        #expect(ranking.allSatisfy { ($0["trades"]?.intValue ?? 0) > 0 })
        // Runs, paged in run order; each run's stats are its config's campaign.
        let page = try await RecoveryTests.get(port, "/sweeps/\(id)/runs?limit=3")
        #expect(page["items"]?.arrayValue?.compactMap { $0["run"]?.intValue } == [1, 2, 3])
        let cursor = try #require(page["next_cursor"]?.stringValue)
        let rest = try await RecoveryTests.get(port, "/sweeps/\(id)/runs?limit=3&cursor=\(cursor)")
        #expect(rest["items"]?.arrayValue?.compactMap { $0["run"]?.intValue } == [4] && rest["next_cursor"] == .null)
        let run3 = try #require(page["items"]?.arrayValue?[2])
        let stats = try await RecoveryTests.get(port, "/sweeps/\(id)/runs/3/stats")
        let (alone, _) = try await runCampaign(try #require(run3["config"]))
        #expect(results(stats) == results(alone.stats))
        #expect(stats["trades"]?["executed"]?.intValue == run3["trades"]?.intValue)
        // Listed, newest first.
        let listed = try await RecoveryTests.get(port, "/sweeps")
        #expect(listed["items"]?.arrayValue?.first?["id"]?.stringValue == id)
        // Bad requests name what is wrong and change nothing.
        let bad = try await RecoveryTests.call(port, "POST", "/sweeps", #"{"base": {}, "grid": {"strategy.entry_threshold_bps": [10, "wide"]}}"#)
        #expect(bad.status == 422 && "\(bad.json)".contains("grid.strategy.entry_threshold_bps[1]"), "\(bad.json)")
        let path = try await RecoveryTests.call(port, "POST", "/sweeps", #"{"base": "/etc/passwd", "grid": {"strategy.entry_threshold_bps": [10]}}"#)
        #expect(path.status == 422 && "\(path.json)".contains("only `arbitrage sweep` reads a base from a file"), "\(path.json)")
        let missing = try await RecoveryTests.call(port, "POST", "/sweeps",
                                                   Self.body(cache: cache).replacingOccurrences(of: cache, with: "/nonexistent/x.arbcache"))
        #expect(missing.status == 422 && "\(missing.json)".contains("base.market_data.replay.files[0]"), "\(missing.json)")
        #expect(try await RecoveryTests.call(port, "POST", "/sweeps", "[1,").status == 400)
        #expect(try await RecoveryTests.call(port, "GET", "/sweeps/nope").status == 404)
        #expect(try await RecoveryTests.call(port, "GET", "/sweeps/\(id)/runs/0/stats").status == 422)
        #expect(try await RecoveryTests.call(port, "GET", "/sweeps/\(id)/runs/9/stats").status == 404)
        #expect(try await RecoveryTests.get(port, "/sweeps")["items"]?.arrayValue?.count == 1)
        // Deleting a running sweep stops it at once.
        let long = try await RecoveryTests.call(port, "POST", "/sweeps", Self.body(cache: cache, entries: Array(0..<20), parallel: 1))
        let longId = try #require(long.json["id"]?.stringValue)
        #expect(try await RecoveryTests.call(port, "DELETE", "/sweeps/\(longId)").status == 204)
        #expect(try await RecoveryTests.call(port, "GET", "/sweeps/\(longId)").status == 404)
        #expect(try await RecoveryTests.call(port, "DELETE", "/sweeps/\(id)").status == 204)
        #expect(try await RecoveryTests.get(port, "/sweeps")["items"]?.arrayValue?.isEmpty == true)
    }

    @Test func unfinishedSweepsBeyondTheLimitStartAsOthersEnd() async throws {
        let store = InMemorySweepStore()
        let sweep: JSONValue = ["base": multi(["universe": ["top_n": 2], "session": ["max_runtime_seconds": 120]]),
                                "grid": ["strategy.entry_threshold_bps": [0, 10]], "parallel": 1]
        let spec = try SweepSpec.parse(sweep)
        for id in ["s1", "s2"] {
            try await store.createSweep(SweepRecord(id: id, name: nil, status: .running, objective: "net_pnl", spec: spec.tree,
                                                    totalRuns: 2, createdAtNs: 0))
        }
        let manager = SweepManager(store: store, makeSources: { StandardSourceFactory() }, maxConcurrent: 1)
        #expect(await manager.resumeUnfinished() == ["s1"])
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, try store.sweep(id: "s2")?.status != .completed { try await Task.sleep(for: .milliseconds(20)) }
        for id in ["s1", "s2"] {
            #expect(try store.sweep(id: id)?.status == .completed && store.sweepRunCount(sweepId: id) == 2)
        }
        // A stored sweep this build cannot read fails with why instead of being tried again.
        try await store.createSweep(SweepRecord(id: "s3", name: nil, status: .interrupted, objective: "net_pnl", spec: ["grid": [:]],
                                                totalRuns: 1, createdAtNs: 0))
        #expect(await manager.resumeUnfinished().isEmpty)
        #expect(try store.sweep(id: "s3")?.status == .failed && store.sweep(id: "s3")?.error?.contains("cannot resume") == true)
    }

    @Test func aSweepKilledHalfwayResumesToTheRankingOfAnUninterruptedOne() async throws {
        let (_, cache, _) = try await CacheReplayTests.recordingAndCache()
        let dir = RecoveryTests.dataDir("sweep")
        let body = Self.body(cache: cache, entries: [-10, -5, 0, 5], parallel: 1)
        let first = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        let created = try await RecoveryTests.call(first.port, "POST", "/sweeps", body)
        let id = try #require(created.json["id"]?.stringValue)
        let halfway = try await Self.waitFor(first.port, id) { ($0["runs_finished"]?.intValue ?? 0) >= 3 }
        kill(first.process.processIdentifier, SIGKILL)
        _ = try await offPool { first.process.waitUntilExit() }
        let finishedBefore = try #require(halfway["runs_finished"]?.intValue)
        #expect(finishedBefore < 8, "the sweep ended before it was killed")
        // The next start goes on with the runs it had.
        let second = try await offPool { try ServeProcess.start(["--data-dir", dir]) }
        defer { _ = second.terminate() }
        let resumed = try await Self.waitFor(second.port, id) { $0["status"]?.stringValue == "completed" }
        #expect(second.log.contains("sweep resumed"), "\(second.log)")
        #expect(resumed["runs_finished"]?.intValue == 8)
        let runs = try await RecoveryTests.get(second.port, "/sweeps/\(id)/runs?limit=100")
        #expect(runs["items"]?.arrayValue?.compactMap { $0["run"]?.intValue } == Array(1...8))
        // The same sweep uninterrupted ranks the same.
        let again = try await RecoveryTests.call(second.port, "POST", "/sweeps", body)
        let whole = try await Self.waitFor(second.port, try #require(again.json["id"]?.stringValue)) { $0["status"]?.stringValue == "completed" }
        #expect(resumed["ranking"] == whole["ranking"] && (resumed["ranking"]?.arrayValue?.count ?? 0) == 8)
    }
}
}
