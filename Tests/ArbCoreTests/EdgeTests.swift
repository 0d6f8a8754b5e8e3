import Testing
@testable import ArbCore

@Suite struct EdgeTests {
    // bidA = 141,400,000 KRW, fx = 1,400 → 101,000 USD; askB = 100,000 → (101,000 − 100,000)/100,000 = 100 bps
    @Test func sellABuyBEdge() {
        #expect(abs(Edge.sellABuyB(bidA: 141_400_000, askB: 100_000, fx: 1400) - 100) < 1e-9)
    }

    // askA = 138,600,000 → 99,000 USD; bidB = 100,000 → (100,000 − 99,000)/99,000 = 101.0101… bps
    @Test func buyASellBEdge() {
        #expect(abs(Edge.buyASellB(askA: 138_600_000, bidB: 100_000, fx: 1400) - 10_000.0 / 99) < 1e-9)
    }

    @Test func premiumAndUnwind() {
        // midA 140,700,000 / 1400 = 100,500; midB 100,000 → 50 bps
        #expect(abs(Edge.premium(midA: 140_700_000, midB: 100_000, fx: 1400) - 50) < 1e-9)
        // Sell-A/Buy-B unwinds buying A at its ask and selling B at its bid: (askA/fx − bidB)/bidB
        #expect(abs(Edge.unwind(.sellABuyB, priceA: 140_000_000, priceB: 100_000, fx: 1400) - 0) < 1e-9)
        #expect(abs(Edge.unwind(.sellABuyB, priceA: 140_140_000, priceB: 100_000, fx: 1400) - 10) < 1e-9)
        // Buy-A/Sell-B unwinds selling A at its bid and buying B at its ask: (askB − bidA/fx)/(bidA/fx)
        #expect(abs(Edge.unwind(.buyASellB, priceA: 140_000_000, priceB: 100_100, fx: 1400) - 10) < 1e-9)
    }

    @Test func walksBooksExactly() {
        let side = book(bids: [], asks: [("100", "1"), ("101", "2"), ("103", "5")]).asks
        let w = side.walk(Fixed("2.5")!)
        #expect(w.filled == Fixed("2.5"))
        #expect(w.notional == Fixed("251.5"))  // 100 + 101 × 1.5
        #expect(w.vwap == Fixed("100.6"))
        let partial = side.walk(Fixed(10))
        #expect(partial.filled == Fixed(8))
        #expect(partial.notional == Fixed(100 + 202 + 515))
        #expect(side.vwap(2.5)! == 100.6)
        #expect(side.vwap(9) == nil)
    }

    @Test func depthWithinSlippage() {
        let asks = book(bids: [], asks: [("100", "1"), ("101", "2"), ("103", "5")]).asks
        // VWAP ≤ 100 × 1.005 = 100.5: 1 @100 then x @101 with (100 + 101x)/(1 + x) = 100.5 → x = 1
        #expect(abs(asks.quantityWithin(bps: 50, isAsk: true) - 2) < 1e-12)
        let bids = book(bids: [("100", "1"), ("99", "2"), ("97", "5")], asks: []).bids
        // VWAP ≥ 99.5: (100 + 99x)/(1 + x) = 99.5 → x = 1
        #expect(abs(bids.quantityWithin(bps: 50, isAsk: false) - 2) < 1e-12)
        #expect(asks.quantityWithin(bps: 10_000, isAsk: true) == 8)
        #expect(asks.quantityWithin(bps: 0, isAsk: true) == 1)
    }
}
