/// The premium formulas of SPEC §2, in basis points. `fx` is KRW per USDT; Upbit prices are KRW, Binance USDT.
public enum Edge {
    /// Sell-A/Buy-B edge: `(bidA/fx − askB) / askB × 10⁴`.
    @inlinable
    public static func sellABuyB(bidA: Double, askB: Double, fx: Double) -> Double {
        (bidA / fx - askB) / askB * 1e4
    }

    /// Buy-A/Sell-B edge: `(bidB − askA/fx) / (askA/fx) × 10⁴`.
    @inlinable
    public static func buyASellB(askA: Double, bidB: Double, fx: Double) -> Double {
        let a = askA / fx
        return (bidB - a) / a * 1e4
    }

    /// Entry edge of `direction` from the prices its legs would trade at (best or at size).
    /// `priceA` is the Upbit price (bid when selling A), `priceB` the Binance price.
    @inlinable
    public static func entry(_ direction: Direction, priceA: Double, priceB: Double, fx: Double) -> Double {
        switch direction {
        case .sellABuyB: return sellABuyB(bidA: priceA, askB: priceB, fx: fx)
        case .buyASellB: return buyASellB(askA: priceA, bidB: priceB, fx: fx)
        }
    }

    /// Unwind edge of an open pair, gross of fees, at the prices its unwind legs would trade at.
    /// Sell-A/Buy-B unwinds by buying A and selling B: `(askA/fx − bidB) / bidB × 10⁴`;
    /// Buy-A/Sell-B unwinds by selling A and buying B: `(askB − bidA/fx) / (bidA/fx) × 10⁴`.
    @inlinable
    public static func unwind(_ direction: Direction, priceA: Double, priceB: Double, fx: Double) -> Double {
        switch direction {
        case .sellABuyB:
            return (priceA / fx - priceB) / priceB * 1e4
        case .buyASellB:
            let a = priceA / fx
            return (priceB - a) / a * 1e4
        }
    }

    /// Signed mid premium: `(midA/fx − midB) / midB × 10⁴`.
    @inlinable
    public static func premium(midA: Double, midB: Double, fx: Double) -> Double {
        (midA / fx - midB) / midB * 1e4
    }
}
