import Foundation
import Testing
@testable import ArbCore

@Suite struct PaperExchangeTests {
    func exchange() -> PaperExchange {
        PaperExchange(upbit: ["KRW": Fixed(10_000_000), "BTC": Fixed("0.01")!],
                      binance: ["USDT": Fixed(1_000), "BTC": Fixed("0.01")!])
    }

    func order(_ venue: Venue, _ side: Side, _ qty: String) -> MarketOrder {
        MarketOrder(venue: venue, route: btcRoute, tradeId: "T1", role: .entry, side: side, quantity: Fixed(qty)!,
                    feeBps: Fixed(venue == .upbit ? 5 : 10), fx: Fixed(1400), timeNs: 7)
    }

    @Test func fillsAtVWAPWithFeeInQuote() throws {
        var ex = exchange()
        let b = book(bids: [], asks: [("100000", "0.001"), ("100010", "0.01")])
        let fill = try ex.execute(order(.binance, .buy, "0.002"), against: b).get()
        #expect(fill.quantity == Fixed("0.002"))
        #expect(fill.notional == Fixed("200.01"))
        #expect(fill.price == Fixed("100005"))
        #expect(fill.fee == Fixed("0.20001"))  // 10 bps, rounded up
        #expect(fill.id == "B-F0000001" && fill.orderId == "B-O0000001")
        #expect(ex.balance(.binance, "USDT") == Fixed(1_000) - Fixed("200.01")! - Fixed("0.20001")!)
        #expect(ex.balance(.binance, "BTC") == Fixed("0.012"))
        #expect(fill.usdFlow == -(Fixed("200.01")! + Fixed("0.20001")!))
        #expect(ex.account(.binance).discrepancies().isEmpty && ex.account(.binance).isReconciled)
    }

    /// An account whose balances do not follow from its flows (a tampered checkpoint) names each asset that is
    /// off, in order, and is not reconciled.
    @Test func anAccountOffItsFlowsIsNotReconciled() throws {
        let text = #"""
        {"venue": "binance", "initial": {"USDT": "100", "BTC": "1", "ETH": "2"}, "balances": {"USDT": "100", "BTC": "1.5", "ETH": "2"},
         "flows": {"ETH": "0.5"}, "fees": {}}
        """#
        let account = try JSONDecoder().decode(Account.self, from: Data(text.utf8))
        #expect(account.discrepancies() == ["BTC", "ETH"] && !account.isReconciled)
        #expect(Account(venue: .upbit, initial: ["KRW": Fixed(5)]).isReconciled)
    }

    @Test func krwFlowsConvertAtTheFillsFx() throws {
        var ex = exchange()
        let a = book(bids: [("141400000", "0.001"), ("141330000", "0.01")], asks: [])
        let fill = try ex.execute(order(.upbit, .sell, "0.002"), against: a).get()
        #expect(fill.notional == Fixed(282_730))
        #expect(fill.fee == Fixed("141.365"))
        #expect(fill.usdFlow == (Fixed(282_730) - Fixed("141.365")!).divided(by: Fixed(1400)))
        #expect(ex.balance(.upbit, "KRW") == Fixed(10_000_000) + Fixed(282_730) - Fixed("141.365")!)
    }

    @Test func partialFillWhenDepthRunsOut() throws {
        var ex = exchange()
        let b = book(bids: [], asks: [("100000", "0.001"), ("100010", "0.002")])
        let fill = try ex.execute(order(.binance, .buy, "0.005"), against: b).get()
        #expect(fill.isPartial)
        #expect(fill.quantity == Fixed("0.003"))
        #expect(fill.requested == Fixed("0.005"))
    }

    @Test func rejectsWithReasons() {
        var ex = exchange()
        let b = book(bids: [("99990", "10")], asks: [("100000", "10")])
        #expect(ex.execute(order(.binance, .buy, "0.5"), against: b) == .failure(.insufficientBalance))
        #expect(ex.execute(order(.binance, .sell, "0.5"), against: b) == .failure(.inventoryExhausted))
        #expect(ex.execute(order(.binance, .buy, "0.00001"), against: b) == .failure(.belowMinNotional))
        #expect(ex.execute(order(.binance, .buy, "0.001"), against: BookSnapshot()) == .failure(.noBook))
        #expect(ex.balance(.binance, "USDT") == Fixed(1_000))  // nothing moved
    }

    @Test func legPairingResizesTheLargerLeg() {
        // Entry Sell-A/Buy-B: A sold 0.005 but B bought 0.003 → pair 0.003, buy 0.002 back on Upbit.
        let p = LegPairing(direction: .sellABuyB, filledA: Fixed("0.005")!, filledB: Fixed("0.003")!, unwinding: false)
        #expect(p.pairQuantity == Fixed("0.003"))
        #expect(p.correction == .init(leg: .a, side: .buy, quantity: Fixed("0.002")!))
        // Exit of Buy-A/Sell-B: A sold 0.001 of 0.004, B bought 0.004 → sell 0.003 back on Binance.
        let q = LegPairing(direction: .buyASellB, filledA: Fixed("0.001")!, filledB: Fixed("0.004")!, unwinding: true)
        #expect(q.pairQuantity == Fixed("0.001"))
        #expect(q.correction == .init(leg: .b, side: .sell, quantity: Fixed("0.003")!))
        // A leg that did not fill: reverse the other whole.
        let r = LegPairing(direction: .sellABuyB, filledA: .zero, filledB: Fixed("0.002")!, unwinding: false)
        #expect(r.pairQuantity == .zero)
        #expect(r.correction == .init(leg: .b, side: .sell, quantity: Fixed("0.002")!))
        #expect(LegPairing(direction: .sellABuyB, filledA: Fixed(1), filledB: Fixed(1), unwinding: false).correction == nil)
    }

    /// The ledger reconciles after every fill over many random books and orders.
    @Test func ledgerReconcilesOverRandomPaths() throws {
        var rng = SplitMix(seed: 42)
        for _ in 0..<200 {
            var ex = PaperExchange(upbit: ["KRW": Fixed(50_000_000), "BTC": Fixed("0.5")!],
                                   binance: ["USDT": Fixed(40_000), "BTC": Fixed("0.5")!])
            var mid = 100_000.0
            for _ in 0..<50 {
                mid *= 1 + (rng.unit() - 0.5) * 0.002
                var b = BookSnapshot()
                for k in 0..<10 {
                    b.bids.append(price: Fixed(mid - 5 - Double(k) * 7, rounding: .down).rounded(toMultipleOf: Fixed("0.01")!, .down),
                                  quantity: Fixed(rng.unit() * 0.01 + 0.00001).rounded(toMultipleOf: Fixed("0.00001")!, .down))
                    b.asks.append(price: Fixed(mid + 5 + Double(k) * 7, rounding: .up).rounded(toMultipleOf: Fixed("0.01")!, .up),
                                  quantity: Fixed(rng.unit() * 0.01 + 0.00001).rounded(toMultipleOf: Fixed("0.00001")!, .down))
                }
                let venue: Venue = rng.unit() < 0.5 ? .upbit : .binance
                var book = b
                if venue == .upbit {
                    for i in 0..<b.bids.count { book.bids.prices[i] = Fixed(raw: b.bids.prices[i]).multiplied(by: Fixed(1400)).rounded(toMultipleOf: Fixed(1000), .down).raw }
                    for i in 0..<b.asks.count { book.asks.prices[i] = Fixed(raw: b.asks.prices[i]).multiplied(by: Fixed(1400)).rounded(toMultipleOf: Fixed(1000), .up).raw }
                }
                let qty = Fixed(rng.unit() * 0.03).rounded(toMultipleOf: Fixed("0.00001")!, .down)
                let o = MarketOrder(venue: venue, route: btcRoute, tradeId: "T", role: .entry, side: rng.unit() < 0.5 ? .buy : .sell,
                                    quantity: qty, feeBps: Fixed(venue == .upbit ? 5 : 10), fx: Fixed(1400), timeNs: 0)
                _ = ex.execute(o, against: book)
                #expect(ex.account(.upbit).discrepancies().isEmpty && ex.account(.binance).discrepancies().isEmpty)
                #expect(ex.balance(.upbit, "KRW").raw >= 0 && ex.balance(.binance, "USDT").raw >= 0)
                #expect(ex.balance(.upbit, "BTC").raw >= 0 && ex.balance(.binance, "BTC").raw >= 0)
            }
        }
    }
}

/// A small deterministic generator for property tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
