import ArbCore
import ArbEngine
import ArbTesting
import Foundation
import Testing

extension CampaignSuites {
@Suite struct RealtimeCampaignTests {
    @Test func eventDrivenRoutesTradeAndEndOnTime() async throws {
        let (result, recorder) = try await runCampaign(multi([
            "universe": ["top_n": 3], "market_data": ["updates_per_second": 20],
            "strategy": ["entry_threshold_bps": -30],
            "multi_symbol_risk_guard": ["cooldown_seconds": 0],
            "session": ["clock": "realtime", "max_runtime_seconds": 2],
        ]))
        let s = result.stats
        #expect(s.status == "completed" && s.stopReason == "runtime")
        // Ended by the runtime limit, not before; how close to 2 s is measured by the CI smoke, not here.
        #expect(s.runtimeSeconds >= 2 && s.runtimeSeconds < 10)
        #expect(s.trades.opened > 0)
        #expect(recorder.snapshot.fills.count > 0)
        #expect(s.performance.tickToDecisionUs?.count ?? 0 > 0)
        #expect((s.performance.loopLatencyUs["overall"] ?? nil)?.p99 ?? 0 > 0)
        #expect(s.balances.reconciled)
        // flatten_on_stop (default true): nothing left open.
        #expect(s.perSymbol.values.allSatisfy { $0.position == nil })
    }

    @Test func realtimeLegsWaitForTheirLatency() async throws {
        let (result, recorder) = try await runCampaign(multi([
            "universe": ["top_n": 3], "market_data": ["updates_per_second": 20],
            "strategy": ["entry_threshold_bps": -30], "multi_symbol_risk_guard": ["cooldown_seconds": 0],
            "paper": ["latency_ms": ["upbit": 100, "binance": 30]],
            "session": ["clock": "realtime", "max_runtime_seconds": 2],
        ]))
        let c = recorder.snapshot
        let fills = Dictionary(uniqueKeysWithValues: c.fills.map { ($0.id, $0) })
        // Legs still in flight when the campaign ends are delivered by its flatten; every other leg waits out its
        // venue's latency.
        let endNs = try #require(UTCTime.parse(result.stats.endTime)) - 5_000_000
        var checked = 0
        for t in c.trades {
            for f in t.fillIds.compactMap({ fills[$0] }) where f.role == .entry && f.timeNs < endNs {
                #expect(f.timeNs - t.entry.timeNs >= (f.venue == .upbit ? 100_000_000 : 30_000_000))
                checked += 1
            }
        }
        #expect(checked > 0)
        #expect(result.stats.balances.reconciled)
    }

    @Test func intervalPacedRoutesEvaluateOncePerTick() async throws {
        let (result, _) = try await runCampaign(multi([
            "universe": ["top_n": 2], "session": ["clock": "realtime", "max_runtime_seconds": 1, "loop_interval_ms": 100],
        ]))
        for (_, v) in result.stats.perSymbol { #expect(v.iterations == 10) }
        #expect(result.stats.performance.tickToDecisionUs == nil)
    }

    @Test func stopRequestEndsGracefully() async throws {
        let config = try CampaignConfig.parse(multi([
            "universe": ["top_n": 3], "strategy": ["entry_threshold_bps": -30],
            "session": ["clock": "realtime", "max_runtime_seconds": 60],
        ]))
        let campaign = try Campaign(config: config)
        Task {
            try await Task.sleep(for: .milliseconds(700))
            campaign.control.requestStop()
        }
        let result = try await campaign.run()
        #expect(result.status == .stopped && result.stopReason == .requested)
        #expect(result.stats.runtimeSeconds < 30)
        #expect(result.stats.perSymbol.values.allSatisfy { $0.position == nil })
    }
}
}
