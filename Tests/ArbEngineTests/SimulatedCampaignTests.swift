import ArbCore
import ArbEngine
import ArbTesting
import ArbMarketData
import Testing

extension CampaignSuites {
@Suite struct SimulatedCampaignTests {
    static let fiftyRoutesOneHour = multi([
        "universe": ["top_n": 50],
        "market_data": ["seed": 7, "updates_per_second": 2, "symbol_count": 60],
        "multi_symbol_risk_guard": [
            "total_capital_usd": 50_000, "max_total_exposure_usd": 50_000, "max_symbol_allocation_pct": 0.05,
            "exchange": ["upbit": ["max_exposure_usd": 50_000, "max_orders_per_second": 100],
                         "binance": ["max_exposure_usd": 50_000, "max_orders_per_second": 100]],
        ],
        "session": ["clock": "simulated", "max_runtime_seconds": 3600],
    ])

    @Test func fiftyRoutesOverAnHourAreDeterministic() async throws {
        let (first, recorder) = try await runCampaign(Self.fiftyRoutesOneHour)
        let (second, _) = try await runCampaign(Self.fiftyRoutesOneHour)
        let s = first.stats
        #expect(s.status == "completed" && s.stopReason == "runtime")
        #expect(s.runtimeSeconds == 3600)
        #expect(s.numSymbols == 50 && s.symbols.count == 50)
        #expect(results(first.stats) == results(second.stats))
        #expect(first.stats.performance.iterations > 0)
        // Trades and risk decisions really happened, on most routes.
        let traded = s.perSymbol.values.filter { $0.trades > 0 }.count
        #expect(traded >= 40)
        #expect(s.decisions.allowed["entry"]?["edge"] ?? 0 > 100)
        #expect(!s.decisions.rejected.isEmpty)
        #expect(s.balances.reconciled)
        #expect(s.riskStats.portfolio.peakAllocatedCapital <= 50_000)
        // The recorded trades add up to the reported PnL.
        let closed = recorder.snapshot.trades.filter { $0.status != .open }
        let sum = closed.reduce(Fixed.zero) { $0 + ($1.realizedPnlUSD ?? .zero) }
        #expect(abs(sum.double - s.pnl.realizedUSD) < 1e-6)
        #expect(s.pnl.equityCurve.count > 400)
    }

    /// The slowest synthetic market the schema allows (one book per market every 1,000 s, jittered) runs to its end.
    @Test func theSlowestSyntheticMarketRuns() async throws {
        let (result, _) = try await runCampaign(multi([
            "universe": ["top_n": 2], "market_data": ["updates_per_second": 0.001],
            "session": ["clock": "simulated", "max_runtime_seconds": 7200],
        ]))
        #expect(result.stats.status == "completed" && result.stats.runtimeSeconds == 7200)
        #expect(result.stats.performance.bookUpdates < 100)
    }

    @Test func anotherSeedGivesOtherResults() async throws {
        let base = multi(["universe": ["top_n": 3], "session": ["clock": "simulated", "max_runtime_seconds": 300]])
        var other = base.objectValue!
        other["market_data"] = ["seed": 99]
        let (a, _) = try await runCampaign(base)
        let (b, _) = try await runCampaign(.object(other))
        #expect(results(a.stats) != results(b.stats))
    }

    @Test func allocationsNeverExceedCapitalWith25RoutesAt30Percent() async throws {
        let config = multi([
            "universe": ["top_n": 25],
            "multi_symbol_risk_guard": [
                "total_capital_usd": 1_500, "max_symbol_allocation_pct": 0.30, "max_total_exposure_usd": 100_000,
                "max_position_size_usd": 1_000, "cooldown_seconds": 0,
            ],
            "strategy": ["entry_threshold_bps": -50, "order_notional_usd": 400, "max_slippage_bps": 200],
            "market_data": ["symbol_count": 60],
            "session": ["clock": "simulated", "max_runtime_seconds": 120],
        ])
        let (result, recorder) = try await runCampaign(config)
        let s = result.stats
        #expect(s.riskStats.portfolio.peakAllocatedCapital <= 1_500)
        #expect(s.riskStats.portfolio.peakAllocatedCapital > 1_000)
        #expect(s.decisions.rejected["portfolio"]?["total_capital"] ?? 0 > 0)
        // Replaying the trade log: committed notional of concurrently open pairs never tops the capital.
        var events: [(Int64, Double)] = []
        for t in recorder.snapshot.trades where t.status != .aborted {
            events.append((t.entry.timeNs, t.committedUSD.double))
            if let exit = t.exit { events.append((exit.timeNs, -t.committedUSD.double)) }
        }
        var open = 0.0
        for e in events.sorted(by: { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }) {
            open += e.1
            #expect(open <= 1_500 + 1e-6)
        }
    }

    @Test func singleModeRunsExactlyTheFirstRoute() async throws {
        let (result, _) = try await runCampaign(["universe": ["top_n": 10], "session": ["clock": "simulated", "max_runtime_seconds": 60]])
        #expect(result.stats.symbols == ["BTCUSDT"])
        #expect(result.stats.perSymbol.keys.sorted() == ["BTCUSDT"])
    }

    @Test func iterationLimitIsPerRoute() async throws {
        let (result, _) = try await runCampaign(multi([
            "universe": ["top_n": 4], "session": ["clock": "simulated", "max_runtime_seconds": 3600, "max_iterations": 250],
        ]))
        #expect(result.stats.stopReason == "iterations")
        #expect(result.stats.status == "completed")
        for (_, v) in result.stats.perSymbol { #expect(v.iterations == 250) }
    }

    @Test func loopIntervalGivesOneEvaluationPerTick() async throws {
        // The seed's way: 120 s at 500 ms is 240 evaluations per route.
        let (result, _) = try await runCampaign(multi([
            "universe": ["top_n": 3], "session": ["clock": "simulated", "max_runtime_seconds": 120, "loop_interval_ms": 500],
        ]))
        for (_, v) in result.stats.perSymbol { #expect(v.iterations == 240) }
    }

    @Test func emergencyStopUnwindsAndStops() async throws {
        let (result, recorder) = try await runCampaign(multi([
            "universe": ["top_n": 5],
            "multi_symbol_risk_guard": ["emergency_stop_loss_usd": 0.5, "max_daily_loss_usd": 1000],
            "strategy": ["entry_threshold_bps": -40],
            "session": ["clock": "simulated", "max_runtime_seconds": 600, "flatten_on_stop": false],
        ]))
        let s = result.stats
        #expect(s.status == "stopped" && s.stopReason == "emergency_stop")
        #expect(s.runtimeSeconds < 600)
        #expect(s.riskStats.global.emergencyStopped)
        // Unwound even though flatten_on_stop is off.
        #expect(s.perSymbol.values.allSatisfy { $0.position == nil })
        #expect(recorder.snapshot.trades.contains { $0.exitReason == "emergency_stop" })
        #expect(s.riskStats.global.totalExposureUSD == 0)
    }

    @Test func legsFillAfterEachVenuesLatency() async throws {
        let (result, recorder) = try await runCampaign(multi([
            "universe": ["top_n": 5], "strategy": ["entry_threshold_bps": -10],
            "paper": ["latency_ms": ["upbit": 250, "binance": 80]],
            "session": ["clock": "simulated", "max_runtime_seconds": 600],
        ]))
        let c = recorder.snapshot
        let fills = Dictionary(uniqueKeysWithValues: c.fills.map { ($0.id, $0) })
        #expect(c.trades.count > 10)
        for t in c.trades {
            let entryFills = t.fillIds.compactMap { fills[$0] }.filter { $0.role == .entry }
            for f in entryFills {
                #expect(f.timeNs - t.entry.timeNs == (f.venue == .upbit ? 250_000_000 : 80_000_000))
            }
        }
        #expect(result.stats.balances.reconciled)
        #expect(result.stats.perSymbol.values.allSatisfy { $0.position == nil })
    }

    @Test func ledgerReconcilesFromTheFillLogOverManySeeds() async throws {
        for seed in 1...8 {
            let (result, recorder) = try await runCampaign(multi([
                "universe": ["top_n": 4], "market_data": ["seed": .int(Int64(seed))],
                "strategy": ["entry_threshold_bps": -20, "order_notional_usd": 900, "max_slippage_bps": 100],
                "multi_symbol_risk_guard": ["cooldown_seconds": 0, "max_position_size_usd": 900],
                "session": ["clock": "simulated", "max_runtime_seconds": 600],
            ]))
            let s = result.stats
            let fills = recorder.snapshot.fills
            #expect(fills.count > 20)
            for venue in [Venue.upbit, .binance] {
                var expected: [String: Fixed] = [:]
                for (asset, v) in s.balances.venues[venue.rawValue]! {
                    expected[asset] = Fixed(v.initial)!
                }
                for f in fills where f.venue == venue {
                    let base = String(f.market.hasPrefix("KRW-") ? f.market.dropFirst(4) : f.market.dropLast(4))
                    expected[base, default: .zero] += f.side == .buy ? f.quantity : -f.quantity
                    expected[venue.quoteAsset, default: .zero] += f.quoteFlow
                }
                for (asset, amount) in expected {
                    #expect(Fixed(s.balances.venues[venue.rawValue]![asset]!.final) == amount, "seed \(seed) \(venue) \(asset)")
                }
            }
            // Every trade's PnL is the sum of its own fills, fees included.
            let byId = Dictionary(grouping: fills, by: \.tradeId)
            for t in recorder.snapshot.trades where t.status == .closed {
                let flows = byId[t.id, default: []].reduce(Fixed.zero) { $0 + $1.usdFlow }
                #expect(t.realizedPnlUSD == flows)
                #expect(t.entry.upbitSequence > 0 && t.entry.binanceSequence > 0 && t.exit!.fxSequence > 0)
                #expect(t.holdSeconds! >= 0 && t.entry.feesUSD.isPositive)
            }
        }
    }
}
}
