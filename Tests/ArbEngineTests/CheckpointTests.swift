import ArbCore
import ArbEngine
import ArbTesting
import Foundation
import Synchronization
import Testing

extension CampaignSuites {
@Suite struct CheckpointTests {
    static let config = multi([
        "universe": ["top_n": 5],
        "strategy": ["entry_threshold_bps": -5],
        "multi_symbol_risk_guard": ["cooldown_seconds": 5],
        "paper": ["latency_ms": ["upbit": 120, "binance": 40]],
        "session": ["clock": "simulated", "max_runtime_seconds": 900, "checkpoint_seconds": 60],
    ])

    @Test func aResumedCampaignEndsExactlyLikeTheUninterruptedOne() async throws {
        let config = try CampaignConfig.parse(Self.config)
        let taken = Mutex<[CampaignCheckpoint]>([])
        let fullRecorder = MemoryRecorder(keepRecords: true)
        let full = try await Campaign(config: config, recorder: fullRecorder).run { cp in taken.withLock { $0.append(cp) } }
        let checkpoints = taken.withLock { $0 }
        #expect(checkpoints.count == 14)  // every 60 s of a 900 s campaign, not at its start or end
        #expect(checkpoints.map(\.sequence) == Array(1...14))

        // Resume from a checkpoint taken while pairs were open, after a round trip through JSON.
        let cut = try #require(checkpoints.first { cp in cp.sequence >= 5 && cp.kernel.engines.contains { $0.position != nil } })
        let restored = try JSONDecoder().decode(CampaignCheckpoint.self, from: JSONEncoder().encode(cut))
        #expect(restored == cut)
        let resumedRecorder = MemoryRecorder(keepRecords: true)
        let resumed = try await Campaign(config: config, recorder: resumedRecorder).resume(from: restored)

        #expect(results(resumed.stats) == results(full.stats))
        #expect((full.stats.trades.opened) > 20)
        // The resumed run produced exactly the fills the full run made after the cut: none lost, none repeated.
        let after = fullRecorder.snapshot.fills.filter { $0.timeNs >= cut.timeNs }
        #expect(!after.isEmpty)
        #expect(resumedRecorder.snapshot.fills == after)
    }

    @Test func aSimulatedCampaignInterruptedAnywhereResumesToTheSameResults() async throws {
        let config = try CampaignConfig.parse(Self.config)
        let fullRecorder = MemoryRecorder(keepRecords: true)
        let full = try await Campaign(config: config, recorder: fullRecorder).run()
        // Halted as a SIGTERM would, between two events chosen by no schedule (right after the fill halfway
        // through the run): nothing unwound, orders possibly in flight.
        let halfway = fullRecorder.snapshot.fills.count / 2 + 1
        let firstRecorder = InterruptingRecorder(afterFills: halfway)
        let first = try Campaign(config: config, recorder: firstRecorder)
        firstRecorder.control.withLock { $0 = first.control }
        let taken = Mutex<[CampaignCheckpoint]>([])
        let halted = try await first.run { cp in taken.withLock { $0.append(cp) } }
        #expect(halted.status == .interrupted && halted.stopReason == .interrupted)
        let checkpoints = taken.withLock { $0 }
        let last = try #require(checkpoints.last)
        #expect(checkpoints.count >= 2 && last.timeNs % 60_000_000_000 != 0)  // off the 60 s schedule
        #expect(last.timeNs == fullRecorder.snapshot.fills[halfway - 1].timeNs)
        #expect(last.sequence == checkpoints.count)
        let resumedRecorder = MemoryRecorder(keepRecords: true)
        let resumed = try await Campaign(config: config, recorder: resumedRecorder).resume(from: last)
        #expect(results(resumed.stats) == results(full.stats))
        // Fills before the halt and after the resume add up to the uninterrupted run's, none twice.
        let fillIds = firstRecorder.memory.snapshot.fills.map(\.id) + resumedRecorder.snapshot.fills.map(\.id)
        #expect(Set(fillIds).count == fillIds.count && !resumedRecorder.snapshot.fills.isEmpty)
    }

    @Test func aRealtimeCampaignResumesWithItsRemainingRuntimeAndIterations() async throws {
        // 100 ms ticks over 3 s: 30 evaluations per route, whatever the interruption.
        let config = try CampaignConfig.parse(multi([
            "universe": ["top_n": 3],
            "strategy": ["entry_threshold_bps": -30],
            "multi_symbol_risk_guard": ["cooldown_seconds": 0],
            "market_data": ["updates_per_second": 20],
            "paper": ["latency_ms": ["upbit": 150, "binance": 150]],
            "session": ["max_runtime_seconds": 3, "loop_interval_ms": 100, "checkpoint_seconds": 0.5],
        ]))
        let taken = Mutex<[CampaignCheckpoint]>([])
        let firstRecorder = MemoryRecorder(keepRecords: true)
        let first = try Campaign(config: config, recorder: firstRecorder)
        let halted = try await first.run { cp in
            taken.withLock { $0.append(cp) }
            if cp.sequence == 2 { first.control.requestInterrupt() }
        }
        #expect(halted.status == .interrupted)
        let cut = try #require(taken.withLock { $0.last })
        #expect(cut.sequence == 3)
        let before = cut.kernel.engines.map(\.iterations)
        #expect(before.allSatisfy { $0 > 0 && $0 < 30 })

        // The process is "down" for a while: that time does not count against the campaign.
        try await Task.sleep(for: .milliseconds(400))
        let resumedRecorder = MemoryRecorder(keepRecords: true)
        let resumed = try await Campaign(config: config, recorder: resumedRecorder).resume(from: cut)
        #expect(resumed.status == .completed && resumed.stopReason == .runtime)
        let runtime = resumed.stats.runtimeSeconds
        #expect(runtime >= 3 && runtime < 3.3)
        for (symbol, route) in resumed.stats.perSymbol {
            #expect(route.iterations == 30, "\(symbol)")
        }
        // Trades continue the numbering; no fill is recorded twice.
        let trades = firstRecorder.snapshot.trades.map(\.id) + resumedRecorder.snapshot.trades.map(\.id)
        #expect(!trades.isEmpty)
        let fills = firstRecorder.snapshot.fills.map(\.id) + resumedRecorder.snapshot.fills.map(\.id)
        #expect(Set(fills).count == fills.count)
        #expect((resumed.stats.trades.opened) == Set(trades).count)
    }

    /// A checkpoint written by the release before venues became data (two venues, fields named after them) reads
    /// and resumes: its open pairs, balances and numbering carry on. Its config was cut to 8 s so the resume runs 2 s.
    @Test func aCheckpointOfTheTwoVenueReleaseResumes() async throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let data = try Data(contentsOf: fixtures.appendingPathComponent("checkpoint-two-venues.json"))
        let checkpoint = try JSONDecoder().decode(CampaignCheckpoint.self, from: data)
        let configText = try String(contentsOf: fixtures.appendingPathComponent("checkpoint-two-venues-config.json"), encoding: .utf8)
        let config = try CampaignConfig.parse(try JSONValue(parsing: configText))
        #expect(checkpoint.kernel.routes.map(\.key) == ["BTCUSDT", "ETHUSDT"])
        #expect(checkpoint.kernel.paper.balance(.upbit, "KRW") != checkpoint.kernel.paper.account(.upbit).initial["KRW"])
        let openBefore = checkpoint.kernel.engines.compactMap(\.position?.trade.id)
        #expect(!openBefore.isEmpty)

        let recorder = MemoryRecorder(keepRecords: true)
        let resumed = try await Campaign(config: config, recorder: recorder).resume(from: checkpoint)
        #expect(resumed.status == .completed && resumed.stopReason == .runtime)
        #expect(resumed.stats.runtimeSeconds >= 8 && resumed.stats.runtimeSeconds < 8.5)
        #expect(resumed.stats.balances.reconciled)
        #expect(resumed.stats.balances.venues.keys.sorted() == ["binance", "upbit"])
        // The pairs open at the cut were unwound at the end (flatten_on_stop), under their own ids.
        let closed = Set(recorder.snapshot.trades.filter { $0.status == .closed }.map(\.id))
        #expect(openBefore.allSatisfy(closed.contains))
        #expect(resumed.stats.perSymbol.values.allSatisfy { $0.position == nil })
    }
}
}

/// Records in memory and asks the campaign to halt for a resume right after its n-th fill.
final class InterruptingRecorder: CampaignRecorder {
    let memory = MemoryRecorder(keepRecords: true)
    let control = Mutex<CampaignControl?>(nil)
    private let fills = Atomic<Int>(0)
    private let limit: Int

    init(afterFills limit: Int) { self.limit = limit }

    func record(_ event: CampaignEvent) {
        memory.record(event)
        if case .fill = event, fills.add(1, ordering: .relaxed).newValue == limit {
            control.withLock { $0?.requestInterrupt() }
        }
    }
}
