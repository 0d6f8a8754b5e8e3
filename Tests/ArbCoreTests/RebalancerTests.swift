import Testing
@testable import ArbCore

/// The rebalancer's decisions on a manual clock.
@Suite struct RebalancerTests {
    static let pair = PerLeg(a: Venue.bithumb, b: Venue.binance)

    func exchange(bithumb: String, binance: String) -> PaperExchange {
        PaperExchange(balances: PerVenue { venue in
            venue == .bithumb ? ["BTC": Fixed(bithumb)!, "KRW": Fixed(100_000_000)]
                : venue == .binance ? ["BTC": Fixed(binance)!, "USDT": Fixed(100_000)] : [:]
        })
    }

    func rebalancer(_ edit: (inout RebalanceConfig) -> Void = { _ in }) -> Rebalancer {
        var config = RebalanceConfig()
        config.policy = .band
        edit(&config)
        return Rebalancer(config: config, rules: TransferRules(reviewProbability: 0, failureProbability: 0),
                          orderNotionalUSD: 1_000, totalCapitalUSD: 1_000_000)
    }

    func price(_ asset: String) -> Double { asset == "BTC" ? 100_000 : 1 }

    @Test func aShareOutOfTheBandMovesTowardTheTarget() throws {
        let ex = exchange(bithumb: "0.1", binance: "0.9")
        let (requests, refusals) = rebalancer().plan(ex, pairs: [("BTC", Self.pair)], priceUSD: price, nowNs: 0)
        let r = try #require(requests.first)
        #expect(requests.count == 1 && refusals.isEmpty)
        #expect(r.from == .binance && r.to == .bithumb && r.amount == Fixed("0.4") && r.network == "BTC" && r.purpose == .rebalance)
        // Inside the band nothing moves; the policy off never moves.
        #expect(rebalancer().plan(exchange(bithumb: "0.4", binance: "0.6"), pairs: [("BTC", Self.pair)], priceUSD: price, nowNs: 0).requests.isEmpty)
        #expect(rebalancer { $0.policy = .off }.plan(ex, pairs: [("BTC", Self.pair)], priceUSD: price, nowNs: 0).requests.isEmpty)
    }

    @Test func aLowSideIsRefilledAndTheFeeCeilingSizesTheAmount() throws {
        // 30 % on Bithumb is in the band, but 0.015 BTC is under two orders of 1,000 USD.
        let low = exchange(bithumb: "0.015", binance: "0.035")
        // Binance's 0.0002 BTC fee under 0.1 % needs at least 0.2 BTC sent, more than Binance holds: nothing moves.
        let strict = rebalancer().plan(low, pairs: [("BTC", Self.pair)], priceUSD: price, nowNs: 0)
        #expect(strict.requests.isEmpty && strict.refusals.map(\.code) == [.limited])
        #expect(strict.refusals.first?.message.contains("the fee needs at least 0.2") == true)
        // Under a 5 % ceiling the target's 0.01 BTC goes (the floor is 0.004).
        let loose = rebalancer { $0.maxFeePct = 0.05 }.plan(low, pairs: [("BTC", Self.pair)], priceUSD: price, nowNs: 0)
        let r = try #require(loose.requests.first)
        #expect(r.amount == Fixed("0.01") && r.from == .binance && r.to == .bithumb)
        // A larger gap than the floor moves what the target asks; a smaller one is raised to the floor.
        let floor = rebalancer { $0.maxFeePct = 0.01 }.plan(low, pairs: [("BTC", Self.pair)], priceUSD: price, nowNs: 0)
        #expect(floor.requests.first?.amount == Fixed("0.02"))
    }

    @Test func oneTransferPerDirectionInFlightAndACapOnCapitalInTransit() throws {
        var ex = exchange(bithumb: "0.1", binance: "0.9")
        let r = rebalancer()
        let request = try #require(r.plan(ex, pairs: [("BTC", Self.pair)], priceUSD: price, nowNs: 0).requests.first)
        _ = try ex.requestTransfer(request, rules: r.rules, nowNs: 0).get()
        // In flight: counted on Bithumb's side, and no second one the same way.
        #expect(r.plan(ex, pairs: [("BTC", Self.pair)], priceUSD: price, nowNs: 1).requests.isEmpty)
        let capped = rebalancer { $0.maxInTransitPct = 0.01 }.plan(exchange(bithumb: "0.1", binance: "0.9"),
                                                                   pairs: [("BTC", Self.pair)], priceUSD: price, nowNs: 0)
        #expect(capped.requests.isEmpty && capped.refusals.first?.message.contains("max_in_transit_pct") == true)
    }

    @Test func blockedRoutesAndKRWAreNotMoved() {
        let upbitPair = PerLeg(a: Venue.upbit, b: Venue.binance)
        var ex = exchange(bithumb: "0", binance: "0.1")
        ex.deposit(.upbit, "BTC", Fixed("2")!)
        // Upbit is the rich side and sends nothing abroad by default.
        let plan = rebalancer().plan(ex, pairs: [("BTC", upbitPair), ("KRW", Self.pair)], priceUSD: price, nowNs: 0)
        #expect(plan.requests.isEmpty && plan.refusals.map(\.code) == [.routeBlocked])
    }
}
