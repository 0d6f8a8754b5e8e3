import ArbCore
import ArbEngine
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
        #expect(int(full.stats.at("trades.opened")) > 20)
        // The resumed run produced exactly the fills the full run made after the cut: none lost, none repeated.
        let after = fullRecorder.snapshot.fills.filter { $0.timeNs >= cut.timeNs }
        #expect(!after.isEmpty)
        #expect(resumedRecorder.snapshot.fills == after)
    }

    @Test func realtimeResumeIsRefusedClearly() async throws {
        let config = try CampaignConfig.parse(multi(["universe": ["top_n": 2], "session": ["max_runtime_seconds": 1]]))
        let taken = Mutex<[CampaignCheckpoint]>([])
        let sim = try CampaignConfig.parse(multi(["universe": ["top_n": 2], "session": ["clock": "simulated", "max_runtime_seconds": 30, "checkpoint_seconds": 10]]))
        _ = try await Campaign(config: sim).run { cp in taken.withLock { $0.append(cp) } }
        let cp = try #require(taken.withLock { $0.first })
        await #expect(throws: ConfigError.self) { try await Campaign(config: config).resume(from: cp) }
    }
}
}
