import ArbCore
import Testing
@testable import ArbEngine

/// Routes that see one instant act in priority order: two BTC routes read Upbit's one KRW-BTC book, the symbol
/// tier leaves room for one entry, and the better-scored route gets it whatever its index.
@Suite struct RoutePriorityTests {
    static func book(bid: String, ask: String, qty: String = "1") -> BookSnapshot {
        var s = BookSnapshot()
        s.bids.append(price: Fixed(bid)!, quantity: Fixed(qty)!)
        s.asks.append(price: Fixed(ask)!, quantity: Fixed(qty)!)
        s.sequence = 1
        return s
    }

    static func kernel(okxAsk: String, binanceAsk: String) -> CampaignKernel {
        let krw = Instrument(tick: Fixed(1000), step: Fixed(raw: 1), minNotional: Fixed(5000))
        let usdt = Instrument(tick: Fixed("0.01")!, step: Fixed("0.00001")!, minNotional: Fixed(5))
        let routes = [
            Route(index: 0, key: "BTCUSDT", base: "BTC", venues: Route.seedPair, instruments: PerLeg(a: krw, b: usdt)),
            Route(index: 1, key: "BTCUSDT@upbit-okx", base: "BTC", venues: PerLeg(a: .upbit, b: .okx), instruments: PerLeg(a: krw, b: usdt)),
        ]
        let venues: [Venue] = [.upbit, .binance, .okx]
        let map = MarketMap(venues: venues, routes: routes, includesFx: false)
        let store = SnapshotStore(marketCount: MarketMap.capacity(venues: venues, routes: routes.count))
        store.write(map.index(.upbit, "KRW-BTC")!) { $0 = book(bid: "141400000", ask: "141500000") }
        store.write(map.index(.binance, "BTCUSDT")!) { $0 = book(bid: "99990", ask: binanceAsk) }
        store.write(map.index(.okx, "BTC-USDT")!) { $0 = book(bid: "99990", ask: okxAsk) }
        let limits = RiskLimits(maxSymbolAllocationPct: 1, maxPositionSizeUSD: 200, maxDataAgeMs: 60_000, fxBandPct: 0.5)
        let coordinator = RiskCoordinator(limits: limits, routeKeys: routes.map(\.key), routeVenues: routes.map(\.venues),
                                          routeSymbols: ["BTC", "BTC"])
        let paper = PaperExchange(balances: PerVenue { v in
            v == .upbit ? ["KRW": Fixed(10_000_000), "BTC": Fixed(1)] : ["USDT": Fixed(10_000), "BTC": Fixed(1)]
        })
        return CampaignKernel(routes: routes, store: store, coordinator: coordinator, paper: paper,
                              params: StrategyParams(entryThresholdBps: 30, orderNotionalUSD: 200, maxSlippageBps: 10),
                              fxSource: .fixed(Fixed(1400)), recorder: NullRecorder(), venues: venues)
    }

    /// Which routes hold a pair after both proposed at one instant.
    static func winners(okxAsk: String, binanceAsk: String, order: [Int]) -> [Int] {
        let k = kernel(okxAsk: okxAsk, binanceAsk: binanceAsk)
        let evaluator = RouteEvaluator(kernel: k, maxIterations: nil, isolation: true)
        _ = evaluator.evaluate(together: order, nowNs: 0) { _, _, _ in false }
        #expect(k.coordinator.snapshot().allDecisionCounts["rejected.symbol.max_position_size"] == 1)
        return k.workers.indices.filter { k.workers[$0].engine.isHolding }
    }

    @Test func theBetterScoredRouteTakesTheRoomWhateverItsIndex() {
        // OKX's ask is 30 bps under Binance's: the upbit–okx route's edge is wider.
        #expect(Self.winners(okxAsk: "100000", binanceAsk: "100300", order: [0, 1]) == [1])
        #expect(Self.winners(okxAsk: "100000", binanceAsk: "100300", order: [1, 0]) == [1])
        // And the other way round.
        #expect(Self.winners(okxAsk: "100300", binanceAsk: "100000", order: [0, 1]) == [0])
        #expect(Self.winners(okxAsk: "100300", binanceAsk: "100000", order: [1, 0]) == [0])
    }

    @Test func equalScoresGoByRouteIndex() {
        #expect(Self.winners(okxAsk: "100000", binanceAsk: "100000", order: [1, 0]) == [0])
    }
}
