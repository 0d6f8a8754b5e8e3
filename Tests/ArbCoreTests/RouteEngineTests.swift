import Testing
@testable import ArbCore

@Suite struct RouteEngineTests {
    let params = StrategyParams(entryThresholdBps: 30, exitThresholdBps: 0, maxHoldSeconds: 60, orderNotionalUSD: 200,
                                maxSlippageBps: 10, takerBps: PerVenue(0, except: [.upbit: 5, .binance: 10]))

    // Upbit BTC 141,400,000 bid at fx 1,400 is 101,000 USD against a 100,000 Binance ask: +100 bps.
    var premiumBooks: (BookSnapshot, BookSnapshot) {
        (book(bids: [("141400000", "0.001"), ("141330000", "0.01")], asks: [("141500000", "1")]),
         book(bids: [("99990", "1")], asks: [("100000", "0.001"), ("100010", "0.01")]))
    }

    @Test func sellABuyBEntryAtSizeMatchesHandComputation() throws {
        var engine = RouteEngine(route: btcRoute, params: params)
        let (a, b) = premiumBooks
        let action = try engine.evaluate(a: a, b: b, fx: fx("1400"), nowNs: 0, entriesAllowed: true)
        guard case .enter(let p) = action else { Issue.record("expected an entry, got \(action)"); return }
        #expect(p.direction == .sellABuyB)
        // 200 USD / 100,000 = 0.002 BTC, inside both books' 5 bps-per-leg depth (0.011 each).
        #expect(p.quantity == Fixed("0.002"))
        #expect(p.priceA == 141_365_000)  // 0.001 @141,400,000 + 0.001 @141,330,000
        #expect(p.priceB == 100_005)
        let gross = (141_365_000.0 / 1400 - 100_005) / 100_005 * 1e4  // 96.99515…
        #expect(abs(p.bestEdgeBps - 100) < 1e-9)
        #expect(abs(p.grossEdgeBps - gross) < 1e-9)
        #expect(abs(p.netEdgeBps - (gross - 15)) < 1e-9)
        #expect(abs(p.slippageBps - (100 - gross)) < 1e-9)
        #expect(engine.iterations == 1)
        #expect(abs(engine.premiumBps - Edge.premium(midA: 141_450_000, midB: 99_995, fx: 1400)) < 1e-9)
    }

    @Test func buyASellBEntryMatchesHandComputation() throws {
        var engine = RouteEngine(route: btcRoute, params: params)
        let a = book(bids: [("138500000", "1")], asks: [("138600000", "0.01")])
        let b = book(bids: [("100000", "0.01")], asks: [("100010", "1")])
        guard case .enter(let p) = try engine.evaluate(a: a, b: b, fx: fx("1400"), nowNs: 0, entriesAllowed: true) else {
            Issue.record("expected an entry"); return
        }
        #expect(p.direction == .buyASellB)
        #expect(p.quantity == Fixed("0.002"))
        #expect(abs(p.grossEdgeBps - 10_000.0 / 99) < 1e-9)
        #expect(abs(p.netEdgeBps - (10_000.0 / 99 - 15)) < 1e-9)
        #expect(abs(p.slippageBps) < 1e-9)
    }

    @Test func depthWithinSlippageLimitsTheSize() throws {
        var engine = RouteEngine(route: btcRoute, params: StrategyParams(
            entryThresholdBps: 30, orderNotionalUSD: 5_000, maxSlippageBps: 10))
        let a = book(bids: [("141400000", "0.001"), ("141330000", "0.01"), ("141200000", "1")], asks: [("141500000", "1")])
        let b = book(bids: [("99990", "1")], asks: [("100000", "0.001"), ("100010", "1")])
        guard case .enter(let p) = try engine.evaluate(a: a, b: b, fx: fx("1400"), nowNs: 0, entriesAllowed: true) else {
            Issue.record("expected an entry"); return
        }
        // A's bids stay within 5 bps of 141,400,000 up to 0.011 + 0.00060092… = 0.01160092 → step 0.00001.
        #expect(p.quantity == Fixed("0.0116"))
        #expect(p.slippageBps <= 10)
    }

    @Test func noEntryBelowThresholdOrWhenNotAllowed() throws {
        var engine = RouteEngine(route: btcRoute, params: StrategyParams(entryThresholdBps: 90))
        let (a, b) = premiumBooks
        #expect(try engine.evaluate(a: a, b: b, fx: fx("1400"), nowNs: 0, entriesAllowed: true) == .none)
        var open = RouteEngine(route: btcRoute, params: params)
        #expect(try open.evaluate(a: a, b: b, fx: fx("1400"), nowNs: 0, entriesAllowed: false) == .none)
        #expect(try open.evaluate(a: BookSnapshot(), b: b, fx: fx("1400"), nowNs: 0, entriesAllowed: true) == .none)
    }

    @Test func belowMinNotionalIsNoOrder() throws {
        var engine = RouteEngine(route: btcRoute, params: StrategyParams(orderNotionalUSD: 4))
        let (a, b) = premiumBooks
        #expect(try engine.evaluate(a: a, b: b, fx: fx("1400"), nowNs: 0, entriesAllowed: true) == .none)
    }

    @Test func brokenBookFailsTheRoute() {
        var engine = RouteEngine(route: btcRoute, params: params)
        let a = book(bids: [("0", "1")], asks: [("141500000", "1")])
        let (_, b) = premiumBooks
        #expect(throws: RouteFailure.self) { try engine.evaluate(a: a, b: b, fx: fx("1400"), nowNs: 0, entriesAllowed: true) }
    }

    @Test func exitsOnThresholdAndOnMaxHold() throws {
        var engine = RouteEngine(route: btcRoute, params: params)
        engine.opened(openTrade(.sellABuyB, quantity: "0.002", at: 0))
        // Premium still there: askA/fx = 101,071.43 vs bidB 99,990 → unwind edge ≈ +108 bps, keep holding.
        let (a, b) = premiumBooks
        #expect(try engine.evaluate(a: a, b: b, fx: fx("1400"), nowNs: 1_000_000_000, entriesAllowed: true) == .none)
        // Premium gone: askA 139,986,000/1400 = 99,990 = bidB → unwind edge 0 ≤ exit threshold 0.
        let gone = book(bids: [("139900000", "1")], asks: [("139986000", "1")])
        guard case .exit(let p) = try engine.evaluate(a: gone, b: b, fx: fx("1400"), nowNs: 2_000_000_000, entriesAllowed: true) else {
            Issue.record("expected an exit"); return
        }
        #expect(p.reason == "exit_threshold")
        #expect(abs(p.unwindEdgeBps) < 1e-9)
        // Held past max_hold_seconds whatever the edge.
        guard case .exit(let held) = try engine.evaluate(a: a, b: b, fx: fx("1400"), nowNs: 60_000_000_000, entriesAllowed: true) else {
            Issue.record("expected a max-hold exit"); return
        }
        #expect(held.reason == "max_hold")
    }

    @Test func unrealizedMarksAtUnwindPricesWithFees() throws {
        var engine = RouteEngine(route: btcRoute, params: params)
        // Entry cash flows: sold 0.002 A at 141,365,000 (net of 5 bps), bought 0.002 B at 100,005 (plus 10 bps).
        let entryCash = 0.002 * 141_365_000 * (1 - 0.0005) / 1400 - 0.002 * 100_005 * 1.001
        engine.opened(openTrade(.sellABuyB, quantity: "0.002", at: 0, cash: entryCash))
        let a = book(bids: [("139900000", "1")], asks: [("140000000", "1")])
        let b = book(bids: [("100000", "1")], asks: [("100010", "1")])
        _ = try engine.evaluate(a: a, b: b, fx: fx("1400"), nowNs: 1, entriesAllowed: true)
        let unwind = -0.002 * 140_000_000 * 1.0005 / 1400 + 0.002 * 100_000 * 0.999
        #expect(abs(engine.unrealizedPnlUSD - (Fixed(entryCash).double + unwind)) < 1e-6)
    }
}

func openTrade(_ direction: Direction, quantity: String, at time: Int64, cash: Double = 0) -> TradeRecord {
    let audit = TradeAudit(upbitSequence: 1, binanceSequence: 1, fxSequence: 1, fx: Fixed(1400), grossEdgeBps: 0,
                           netEdgeBps: 0, slippageBps: 0, feesUSD: .zero, timeNs: time, decisionId: "D1")
    return TradeRecord(id: "T1", route: "BTCUSDT", direction: direction, status: .open, quantity: Fixed(quantity)!,
                       entry: audit, exit: nil, exitReason: nil, holdSeconds: nil, committedUSD: Fixed(200), fillIds: [],
                       cashFlowUSD: Fixed(cash), feesUSD: .zero, realizedPnlUSD: nil)
}

/// Routes on other venue pairs: each leg's price counts in USD by its own quote, so same-quote pairs need no fx.
@Suite struct VenuePairRouteTests {
    static let inst = Instrument(tick: Fixed("0.01")!, step: Fixed("0.00001")!, minNotional: Fixed(1))
    static let krwInst = Instrument(tick: Fixed(1000), step: Fixed("0.00000001")!, minNotional: Fixed(5000))
    let params = StrategyParams(entryThresholdBps: 30, orderNotionalUSD: 200, maxSlippageBps: 10,
                                takerBps: PerVenue(0, except: [.okx: 10, .bybit: 10, .upbit: 5, .bithumb: 25]))

    func route(_ a: Venue, _ b: Venue) -> Route {
        Route(index: 0, key: Route.key(base: "BTC", venues: PerLeg(a: a, b: b)), base: "BTC", venues: PerLeg(a: a, b: b),
              instruments: PerLeg(a: a.isKRW ? Self.krwInst : Self.inst, b: b.isKRW ? Self.krwInst : Self.inst))
    }

    @Test func aUSDTPairTradesADislocationWithoutAnyFx() throws {
        var engine = RouteEngine(route: route(.okx, .bybit), params: params)
        // OKX bids 100,500 against Bybit's 100,000 ask: +50 bps, 30 after fees; no fx rate at all (0).
        let a = book(bids: [("100500", "1")], asks: [("100510", "1")])
        let b = book(bids: [("99990", "1")], asks: [("100000", "1")])
        let noFx = FxQuote(rate: 0, fixed: .zero, timeNs: 0, sequence: 0)
        guard case .enter(let p) = try engine.evaluate(a: a, b: b, fx: noFx, nowNs: 0, entriesAllowed: true) else {
            Issue.record("expected an entry"); return
        }
        #expect(p.direction == .sellABuyB && abs(p.grossEdgeBps - 50) < 1e-9 && abs(p.netEdgeBps - 30) < 1e-9)
        #expect(abs(engine.premiumBps - Edge.premium(midA: 100_505, midB: 99_995, fxA: 1, fxB: 1)) < 1e-9)
    }

    @Test func aKRWPairsEdgeDoesNotMoveWithFx() throws {
        let a = book(bids: [("141400000", "1")], asks: [("141500000", "1")])
        let b = book(bids: [("140000000", "1")], asks: [("140100000", "1")])
        var edges: [Double] = []
        for rate in ["1300", "1400", "1500"] {
            var engine = RouteEngine(route: route(.upbit, .bithumb), params: params)
            guard case .enter(let p) = try engine.evaluate(a: a, b: b, fx: fx(rate), nowNs: 0, entriesAllowed: true) else {
                Issue.record("expected an entry at \(rate)"); return
            }
            edges.append(p.grossEdgeBps)
            // The size is the notional in USD at that fx: 200 USD of BTC at 140,100,000 KRW / fx.
            #expect(p.quantity == Fixed(200 / (140_100_000 / Double(rate)!), rounding: .down).rounded(toMultipleOf: Fixed("0.00000001")!, .down))
        }
        // (141,400,000 − 140,100,000) / 140,100,000: the same whatever the fx.
        for e in edges { #expect(abs(e - 1_300_000 / 140_100_000 * 1e4) < 1e-6) }
    }

    @Test func aCrossQuotePairOnOtherVenuesPricesAsTheSeedsPairDoes() throws {
        let a = book(bids: [("141400000", "1")], asks: [("141500000", "1")])
        let b = book(bids: [("99990", "1")], asks: [("100000", "1")])
        var seed = RouteEngine(route: route(.upbit, .binance), params: params)
        var other = RouteEngine(route: route(.bithumb, .okx), params: params)
        guard case .enter(let s) = try seed.evaluate(a: a, b: b, fx: fx("1400"), nowNs: 0, entriesAllowed: true),
              case .enter(let o) = try other.evaluate(a: a, b: b, fx: fx("1400"), nowNs: 0, entriesAllowed: true) else {
            Issue.record("expected entries"); return
        }
        #expect(s.grossEdgeBps == o.grossEdgeBps && s.quantity == o.quantity)
        // Fees differ by venue: Upbit 5 + Binance 0 here against Bithumb 25 + OKX 10.
        #expect(abs((s.netEdgeBps - o.netEdgeBps) - 30) < 1e-9)
    }
}
