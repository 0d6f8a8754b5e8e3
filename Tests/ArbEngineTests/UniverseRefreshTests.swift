import ArbCore
@testable import ArbEngine
import ArbTesting
import ArbMarketData
import Foundation
import Synchronization
import Testing

/// A universe file of five routes with the given 24 h volumes.
func universeFile(volumes: [String: Double]) -> String {
    let rules: [(String, Double, String, String, String, String)] = [
        ("BTC", 95_000, "1000", "0.00000001", "0.01", "0.00001"),
        ("ETH", 3_500, "1000", "0.00000001", "0.01", "0.0001"),
        ("SOL", 150, "10", "0.00000001", "0.01", "0.001"),
        ("XRP", 2.3, "1", "0.00000001", "0.0001", "0.1"),
        ("DOGE", 0.2, "0.1", "0.00000001", "0.00001", "1"),
    ]
    let entries = rules.map { base, price, upTick, upStep, binTick, binStep in
        """
        {"symbol": "\(base)USDT", "quote_volume_usd": \(volumes[base] ?? 1), "reference_price_usd": \(price),
         "upbit": {"tick": "\(upTick)", "step": "\(upStep)", "min_notional": "5000"},
         "binance": {"tick": "\(binTick)", "step": "\(binStep)", "min_notional": "5"}}
        """
    }
    return "{\"symbols\": [\(entries.joined(separator: ",\n"))]}"
}

@Suite struct UniversePlanTests {
    static func member(_ key: String) -> UniverseMember {
        let i = Instrument(tick: Fixed(1), step: Fixed(1), minNotional: Fixed(1))
        return UniverseMember(route: Route(index: 0, key: key, base: String(key.dropLast(4)), upbit: i, binance: i),
                              quoteVolumeUSD: 1, referencePriceUSD: 1)
    }

    @Test func leavesRejoinsAndJoinsTakeTheNextSlots() {
        let table: [(key: String, active: Bool)] = [("BTCUSDT", true), ("ETHUSDT", true), ("SOLUSDT", false), ("XRPUSDT", true)]
        let plan = UniverseRefresh.plan(table: table, resolved: ["BTCUSDT", "SOLUSDT", "DOGEUSDT", "ADAUSDT"].map(Self.member),
                                        capacity: 5)
        #expect(plan.leave == [1, 3])
        #expect(plan.rejoin == [2])
        #expect(plan.join.map(\.route.key) == ["DOGEUSDT"] && plan.join.map(\.route.index) == [4])
        #expect(plan.noRoom == ["ADAUSDT"])
        let same = UniverseRefresh.plan(table: [("BTCUSDT", true)], resolved: [Self.member("BTCUSDT")], capacity: 1)
        #expect(same == UniverseRefresh.Plan())
    }
}

extension CampaignSuites {
@Suite struct UniverseRefreshTests {
    static let first: [String: Double] = ["BTC": 500, "ETH": 400, "SOL": 300, "XRP": 200, "DOGE": 100]
    /// At 50 s: SOL falls out of the Top 3, DOGE comes in.
    static let second: [String: Double] = ["BTC": 500, "ETH": 400, "SOL": 50, "XRP": 200, "DOGE": 450]
    /// At 200 s: SOL is back, DOGE falls out again.
    static let third: [String: Double] = ["BTC": 500, "ETH": 400, "SOL": 300, "XRP": 200, "DOGE": 10]

    static func config(_ path: String, clock: String = "simulated", runtime: Double = 400, refresh: Double = 60,
                       entryBps: Double = -5) -> JSONValue {
        multi([
            "universe": ["source": "file", "file": .string(path), "top_n": 3, "refresh_seconds": .double(refresh)],
            // Pairs are entered at once and held until something unwinds them: here, leaving the universe.
            "strategy": ["entry_threshold_bps": .double(entryBps), "exit_threshold_bps": -10_000, "max_hold_seconds": 100_000],
            "paper": ["latency_ms": ["upbit": 50, "binance": 20]],
            "session": ["clock": .string(clock), "max_runtime_seconds": .double(runtime), "checkpoint_seconds": 50],
        ])
    }

    /// The universe file changes at fixed instants of the campaign clock (written from the checkpoint sink, which
    /// runs at the cut itself), so a run and its resume see the same file at every refresh.
    static func sink(_ path: String, startNs: Int64) -> Campaign.CheckpointSink {
        { cp in
            let t = cp.timeNs - startNs
            if t == 50_000_000_000 { try? universeFile(volumes: second).write(toFile: path, atomically: true, encoding: .utf8) }
            if t == 200_000_000_000 { try? universeFile(volumes: third).write(toFile: path, atomically: true, encoding: .utf8) }
        }
    }

    @Test func routesLeaveAndJoinAtRefreshesAndAResumeEndsTheSame() async throws {
        let path = try temporaryFile("universe.json", universeFile(volumes: Self.first))
        let config = try CampaignConfig.parse(Self.config(path))
        let startNs = config.session.startTimeNs
        let recorder = MemoryRecorder(keepRecords: true)
        let taken = Mutex<[CampaignCheckpoint]>([])
        let sink = Self.sink(path, startNs: startNs)
        let full = try await Campaign(config: config, recorder: recorder).run { cp in
            sink(cp)
            taken.withLock { $0.append(cp) }
        }
        let stats = full.stats
        let changes = stats.universe.changes.map {
            "\($0.t) \($0.symbol) \($0.change)"
        }
        #expect(changes == ["60.0 SOLUSDT left", "60.0 DOGEUSDT joined", "240.0 DOGEUSDT left", "240.0 SOLUSDT rejoined"])
        #expect(stats.symbols == ["BTCUSDT", "ETHUSDT", "SOLUSDT", "DOGEUSDT"])
        #expect(stats.universe.active == ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
        #expect(stats.universe.capacity == 3 * 4 + 16)
        #expect(stats.perSymbol["DOGEUSDT"]?.active == false && stats.perSymbol["SOLUSDT"]?.active == true)
        #expect(stats.performance.universeRefreshes == 6)

        // Entries: DOGE only while it was in the universe, SOL never while it was out; both traded.
        let s = startNs
        let entries = recorder.snapshot.decisions.filter { $0.kind == .entry && $0.outcome == .allowed }
        let doge = entries.filter { $0.route == "DOGEUSDT" }
        let sol = entries.filter { $0.route == "SOLUSDT" }
        #expect(!doge.isEmpty && doge.allSatisfy { $0.firstTimeNs >= s + 60_000_000_000 && $0.firstTimeNs < s + 240_000_000_000 })
        #expect(sol.contains { $0.firstTimeNs < s + 60_000_000_000 } && sol.contains { $0.firstTimeNs >= s + 240_000_000_000 })
        #expect(!sol.contains { $0.firstTimeNs >= s + 60_000_000_000 && $0.firstTimeNs < s + 240_000_000_000 })
        // A route that leaves while holding unwinds with `universe_exit`; DOGE joined with inventory as initial balance.
        let exits = recorder.snapshot.decisions.filter { $0.kind == .exit && $0.outcome == .allowed && $0.reason == "universe_exit" }
        #expect(exits.map(\.route) == ["SOLUSDT", "DOGEUSDT"])
        #expect(exits.map { ($0.firstTimeNs - s) / 1_000_000_000 } == [60, 240])
        #expect(stats.perSymbol["DOGEUSDT"] != nil && stats.perSymbol["DOGEUSDT"]?.position == nil)
        let dogeInitial = Double(stats.balances.venues["binance"]?["DOGE"]?.initial ?? "") ?? 0
        #expect(dogeInitial == (1_000 / 0.2).rounded(.down))
        #expect(stats.balances.reconciled)

        // Resumed from a checkpoint between the two changes (the file as it was then): the same end.
        let checkpoints = taken.withLock { $0 }
        let cut = try #require(checkpoints.first { $0.timeNs - startNs == 150_000_000_000 })
        #expect(cut.kernel.routes.map(\.key) == ["BTCUSDT", "ETHUSDT", "SOLUSDT", "DOGEUSDT"] && cut.kernel.active == [true, true, false, true])
        try universeFile(volumes: Self.second).write(toFile: path, atomically: true, encoding: .utf8)
        let restored = try JSONDecoder().decode(CampaignCheckpoint.self, from: JSONEncoder().encode(cut))
        let resumedRecorder = MemoryRecorder(keepRecords: true)
        let resumed = try await Campaign(config: config, recorder: resumedRecorder).resume(from: restored, checkpoints: sink)
        #expect(results(resumed.stats) == results(full.stats))
        #expect(resumedRecorder.snapshot.fills == recorder.snapshot.fills.filter { $0.timeNs >= cut.timeNs })
    }

    @Test func aRefreshThatCannotReadTheListingChangesNothing() async throws {
        let path = try temporaryFile("universe.json", universeFile(volumes: Self.first))
        let config = try CampaignConfig.parse(Self.config(path, runtime: 200))
        let startNs = config.session.startTimeNs
        let full = try await Campaign(config: config).run { cp in
            if cp.timeNs - startNs == 50_000_000_000 { try? "{ broken".write(toFile: path, atomically: true, encoding: .utf8) }
        }
        #expect(full.stats.universe.changes.isEmpty)
        #expect(full.stats.universe.active == ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
        #expect(full.stats.performance.universeRefreshFailures == 3)
        #expect(full.status == .completed)
    }

    /// A replay: the joining route's rows in the files are routed to it from the refresh on.
    @Test func aReplayRoutesTheRowsOfARouteThatJoins() async throws {
        let dir = try newDir()
        let universePath = dir.appendingPathComponent("universe.json").path
        try universeFile(volumes: Self.first).write(toFile: universePath, atomically: true, encoding: .utf8)
        // A recording of all five routes' books.
        let recordConfig = try jsonFile(dir, "record.json", multi([
            "universe": ["source": "file", "file": .string(universePath), "top_n": 5],
            "session": ["clock": "simulated", "max_runtime_seconds": 200],
        ]))
        let recording = dir.appendingPathComponent("five.jsonl.gz").path
        let (status, _, errors) = try await runCLI(["record", recordConfig, "--out", recording])
        #expect(status == 0, "\(errors)")

        var tree = Self.config(universePath, runtime: 200)
        if case .object(var o) = tree {
            o["market_data"] = ["source": "replay", "replay": ["files": [.string(recording)], "speed": 0]]
            tree = .object(o)
        }
        let config = try CampaignConfig.parse(tree)
        let recorder = MemoryRecorder(keepRecords: true)
        let campaign = try Campaign(config: config, recorder: recorder)
        let result = try await campaign.run { cp in
            // The replay starts where the recording does; its checkpoints come every 50 s of it.
            if cp.timeNs - cp.startNs == 50_000_000_000 {
                try? universeFile(volumes: Self.second).write(toFile: universePath, atomically: true, encoding: .utf8)
            }
        }
        #expect(result.stopReason == .endOfData || result.stopReason == .runtime)
        let kinds = result.kernel.universeChanges.map { "\($0.route) \($0.kind.rawValue)" }
        #expect(kinds == ["SOLUSDT left", "DOGEUSDT joined"])
        let joined = try #require(result.kernel.universeChanges.last).timeNs
        #expect((result.stats.perSymbol["DOGEUSDT"]?.iterations ?? -1) > 100)
        #expect(recorder.snapshot.decisions.contains { $0.route == "DOGEUSDT" && $0.kind == .entry && $0.outcome == .allowed && $0.firstTimeNs >= joined })
        // The rows before the join were skipped as not traded; the rest of DOGE's were stored.
        #expect(result.stats.marketData.skippedRows ?? 0 > 0 && result.stats.marketData.badRows == 0)
    }

    /// On the wall clock: the file rewritten while the campaign runs; the joined route gets its books and its
    /// own task, the one that left stops entering.
    @Test func aRealtimeCampaignFollowsItsUniverseFile() async throws {
        let path = try temporaryFile("universe.json", universeFile(volumes: Self.first))
        let config = try CampaignConfig.parse(Self.config(path, clock: "realtime", runtime: 3, refresh: 0.5, entryBps: -1_000))
        let recorder = MemoryRecorder(keepRecords: true)
        let campaign = try Campaign(config: config, recorder: recorder)
        let rewrite = Task {
            try await Task.sleep(for: .milliseconds(1_200))
            try universeFile(volumes: Self.second).write(toFile: path, atomically: true, encoding: .utf8)
        }
        let result = try await campaign.run()
        try await rewrite.value
        let stats = result.stats
        let changes = stats.universe.changes.map { "\($0.symbol) \($0.change)" }
        #expect(changes == ["SOLUSDT left", "DOGEUSDT joined"])
        let joinedAt = stats.universe.changes.last?.t ?? .nan
        #expect(joinedAt >= 1.2)
        #expect((stats.perSymbol["DOGEUSDT"]?.iterations ?? -1) > 10)
        let decisions = recorder.snapshot.decisions
        let solLeft = try #require(result.kernel.universeChanges.first { $0.route == "SOLUSDT" }).timeNs
        #expect(!decisions.contains { $0.route == "SOLUSDT" && $0.kind == .entry && $0.outcome == .allowed && $0.firstTimeNs > solLeft })
        #expect(decisions.contains { $0.route == "DOGEUSDT" && $0.kind == .entry && $0.outcome == .allowed })
        // SOL held a pair when it left: it unwound at its next evaluation.
        let unwind = try #require(decisions.first { $0.route == "SOLUSDT" && $0.kind == .exit && $0.outcome == .allowed })
        #expect(unwind.reason == "universe_exit" && unwind.firstTimeNs >= solLeft)
        #expect(stats.balances.reconciled)
    }
}
}
