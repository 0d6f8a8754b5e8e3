/// The premium formulas of SPEC §2, in basis points, on any venue pair. Each leg's price is divided by its
/// leg's divisor to be in USD: the route's fx (KRW per USDT) on a KRW leg, 1 on a USDT leg. The seed's pair
/// (Upbit KRW, Binance USDT) is `fxA = fx`, `fxB = 1`; a KRW–KRW pair divides both legs by the same fx, which
/// cancels, and a USDT–USDT pair by 1, so same-quote pairs need no fx (dividing by exactly 1 changes no bit).
public enum Edge {
    /// Sell-A/Buy-B edge: `(bidA/fxA − askB/fxB) / (askB/fxB) × 10⁴`.
    @inlinable
    public static func sellABuyB(bidA: Double, askB: Double, fxA: Double, fxB: Double) -> Double {
        let b = askB / fxB
        return (bidA / fxA - b) / b * 1e4
    }

    /// Buy-A/Sell-B edge: `(bidB/fxB − askA/fxA) / (askA/fxA) × 10⁴`.
    @inlinable
    public static func buyASellB(askA: Double, bidB: Double, fxA: Double, fxB: Double) -> Double {
        let a = askA / fxA
        return (bidB / fxB - a) / a * 1e4
    }

    /// Entry edge of `direction` from the prices its legs would trade at (best or at size): `priceA` is leg A's
    /// price (its bid when selling A), `priceB` leg B's.
    @inlinable
    public static func entry(_ direction: Direction, priceA: Double, priceB: Double, fxA: Double, fxB: Double) -> Double {
        switch direction {
        case .sellABuyB: return sellABuyB(bidA: priceA, askB: priceB, fxA: fxA, fxB: fxB)
        case .buyASellB: return buyASellB(askA: priceA, bidB: priceB, fxA: fxA, fxB: fxB)
        }
    }

    /// Unwind edge of an open pair, gross of fees, at the prices its unwind legs would trade at.
    /// Sell-A/Buy-B unwinds by buying A and selling B: `(askA/fxA − bidB/fxB) / (bidB/fxB) × 10⁴`;
    /// Buy-A/Sell-B unwinds by selling A and buying B: `(askB/fxB − bidA/fxA) / (bidA/fxA) × 10⁴`.
    @inlinable
    public static func unwind(_ direction: Direction, priceA: Double, priceB: Double, fxA: Double, fxB: Double) -> Double {
        switch direction {
        case .sellABuyB:
            let b = priceB / fxB
            return (priceA / fxA - b) / b * 1e4
        case .buyASellB:
            let a = priceA / fxA
            return (priceB / fxB - a) / a * 1e4
        }
    }

    /// Signed mid premium of A over B: `(midA/fxA − midB/fxB) / (midB/fxB) × 10⁴`.
    @inlinable
    public static func premium(midA: Double, midB: Double, fxA: Double, fxB: Double) -> Double {
        let b = midB / fxB
        return (midA / fxA - b) / b * 1e4
    }

    // The seed's pair: leg A in KRW at `fx`, leg B in USDT.

    @inlinable public static func sellABuyB(bidA: Double, askB: Double, fx: Double) -> Double {
        sellABuyB(bidA: bidA, askB: askB, fxA: fx, fxB: 1)
    }
    @inlinable public static func buyASellB(askA: Double, bidB: Double, fx: Double) -> Double {
        buyASellB(askA: askA, bidB: bidB, fxA: fx, fxB: 1)
    }
    @inlinable public static func entry(_ direction: Direction, priceA: Double, priceB: Double, fx: Double) -> Double {
        entry(direction, priceA: priceA, priceB: priceB, fxA: fx, fxB: 1)
    }
    @inlinable public static func unwind(_ direction: Direction, priceA: Double, priceB: Double, fx: Double) -> Double {
        unwind(direction, priceA: priceA, priceB: priceB, fxA: fx, fxB: 1)
    }
    @inlinable public static func premium(midA: Double, midB: Double, fx: Double) -> Double {
        premium(midA: midA, midB: midB, fxA: fx, fxB: 1)
    }
}
