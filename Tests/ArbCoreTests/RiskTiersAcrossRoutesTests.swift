import Testing
@testable import ArbCore

/// The symbol tier over an asset's routes, the route tier over one route, the exchange tier per venue: several
/// routes of one asset on different venue pairs, on a virtual clock.
@Suite struct RiskTiersAcrossRoutesTests {
    static let second: Int64 = 1_000_000_000
    let base = RiskCoordinatorTests()
    // Routes 0 and 1 trade BTC (upbit–binance, bithumb–okx); route 2 ETH on bithumb–okx.
    static let venues = [Route.seedPair, PerLeg(a: Venue.bithumb, b: .okx), PerLeg(a: Venue.bithumb, b: .okx)]

    func coordinator(_ limits: RiskLimits) -> RiskCoordinator {
        RiskCoordinator(limits: limits, routeKeys: ["BTCUSDT", "BTCUSDT@bithumb-okx", "ETHUSDT@bithumb-okx"],
                        routeVenues: Self.venues, routeSymbols: ["BTC", "BTC", "ETH"])
    }

    @Test func theSymbolTierCapsAnAssetAcrossItsRoutes() {
        let c = coordinator(RiskLimits(maxSymbolAllocationPct: 1, maxPositionSizeUSD: 500))
        #expect(base.allowed(c.requestEntry(base.request(route: 0, usd: 300)))?.0 == Fixed(3))
        // The second BTC route gets what the first left of the asset's 500.
        #expect(base.allowed(c.requestEntry(base.request(route: 1, usd: 300)))?.0 == Fixed(2))
        #expect(base.rejection(c.requestEntry(base.request(route: 1, usd: 300))) == .maxPositionCount)
        let s = c.snapshot()
        #expect(s.symbols.count == 2 && s.symbols[0].allocationUSD == Fixed(500) && s.symbols[0].openPairs == 2)
        #expect(s.routes[0].allocationUSD == Fixed(300) && s.routes[1].allocationUSD == Fixed(200))
        // ETH has its own room.
        #expect(base.allowed(c.requestEntry(base.request(route: 2, usd: 300)))?.0 == Fixed(3))
        // Closing one BTC route frees the asset's room for the other, after the symbol's cooldown.
        c.recordClose(route: 0, committedUSD: Fixed(300), realizedUSD: Fixed(1), timeNs: 5 * Self.second)
        #expect(c.snapshot().symbols[0].allocationUSD == Fixed(200))
        #expect(base.rejection(c.requestEntry(base.request(route: 0, usd: 300, at: 6 * Self.second))) == .cooldown)
        #expect(base.allowed(c.requestEntry(base.request(route: 0, usd: 400, at: 40 * Self.second)))?.0 == Fixed(3))
    }

    @Test func theSymbolAllocationCapCountsEveryRouteOfTheAsset() {
        let c = coordinator(RiskLimits(totalCapitalUSD: 1_000, maxSymbolAllocationPct: 0.4, maxPositionSizeUSD: 1_000))
        #expect(base.allowed(c.requestEntry(base.request(route: 0, usd: 300)))?.0 == Fixed(3))
        #expect(base.allowed(c.requestEntry(base.request(route: 1, usd: 300)))?.0 == Fixed(1))
        #expect(c.snapshot().symbols[0].allocationUSD == Fixed(400))
        c.recordClose(route: 1, committedUSD: Fixed(100), realizedUSD: Fixed(1), timeNs: 0)
        #expect(base.allowed(c.requestEntry(base.request(route: 2, usd: 300)))?.0 == Fixed(3))
        let full = coordinator(RiskLimits(totalCapitalUSD: 1_000, maxSymbolAllocationPct: 0.4, maxPositionSizeUSD: 1_000))
        #expect(base.allowed(full.requestEntry(base.request(route: 0, usd: 400)))?.0 == Fixed(4))
        #expect(base.rejection(full.requestEntry(base.request(route: 1, usd: 300))) == .symbolAllocation)
        #expect(full.snapshot().allDecisionCounts["rejected.portfolio.symbol_allocation"] == 1)
    }

    @Test func theRouteTierCapsOneRouteAndCoolsItDownAlone() {
        var limits = RiskLimits(maxSymbolAllocationPct: 1, maxPositionSizeUSD: 5_000, cooldownSeconds: 0)
        limits.route = RouteLimits(maxPositionSizeUSD: 250, cooldownSeconds: 60, circuitBreakerConsecutiveLosses: 2,
                                   circuitBreakerHaltSeconds: 600)
        let c = coordinator(limits)
        #expect(base.allowed(c.requestEntry(base.request(route: 0, usd: 400)))?.0 == Fixed("2.5")!)
        #expect(base.allowed(c.requestEntry(base.request(route: 1, usd: 400)))?.0 == Fixed("2.5")!)
        c.recordClose(route: 0, committedUSD: Fixed(250), realizedUSD: Fixed(-1), timeNs: 10 * Self.second)
        // Route 0 cools down on its own; the symbol (cooldown 0) does not stop route 1's asset.
        let cooled = c.requestEntry(base.request(route: 0, usd: 100, at: 20 * Self.second))
        #expect(base.rejection(cooled) == .routeCooldown)
        #expect(c.snapshot().allDecisionCounts["rejected.route.route_cooldown"] == 1)
        #expect(base.allowed(c.requestEntry(base.request(route: 2, usd: 100, at: 20 * Self.second))) != nil)
        // A second loss in a row on route 0 trips the route's breaker, not the symbol's.
        roundTrip(c, route: 0, pnl: -1, at: 100 * Self.second)
        let s = c.snapshot()
        #expect(s.routes[0].breakerTriggered && !s.symbols[0].breakerTriggered)
        #expect(base.rejection(c.requestEntry(base.request(route: 0, usd: 100, at: 200 * Self.second))) == .routeCircuitBreaker)
    }

    @Test func theExchangeTierLimitsEachVenueOnItsOwn() {
        var exchanges = PerVenue(repeating: ExchangeLimits.standard)
        exchanges[.bithumb] = ExchangeLimits(maxExposureUSD: 350, maxOrdersPerSecond: 50)
        let c = coordinator(RiskLimits(maxSymbolAllocationPct: 1, maxPositionSizeUSD: 5_000, exchanges: exchanges))
        #expect(base.allowed(c.requestEntry(base.request(route: 1, usd: 300)))?.0 == Fixed(3))
        let refused = c.requestEntry(base.request(route: 2, usd: 300))
        #expect(base.allowed(refused)?.0 == Fixed("0.5")!)
        #expect(base.rejection(c.requestEntry(base.request(route: 2, usd: 300))) == .maxPositionCount)
        // Upbit and Binance are not Bithumb: the seed's pair keeps its room.
        #expect(base.allowed(c.requestEntry(base.request(route: 0, usd: 300)))?.0 == Fixed(3))
        let s = c.snapshot()
        #expect(s.venueExposureUSD[.bithumb] == Fixed(350) && s.venueExposureUSD[.okx] == Fixed(350))
        #expect(s.venueExposureUSD[.upbit] == Fixed(300))
    }

    func roundTrip(_ c: RiskCoordinator, route: Int, pnl: Double, at t: Int64) {
        guard let (_, reserved) = base.allowed(c.requestEntry(base.request(route: route, usd: 100, at: t))) else {
            Issue.record("entry refused"); return
        }
        let committed = c.commitEntry(route: route, reservedUSD: reserved, filledUSD: reserved)
        c.recordClose(route: route, committedUSD: committed, realizedUSD: Fixed(pnl), timeNs: t)
    }
}
