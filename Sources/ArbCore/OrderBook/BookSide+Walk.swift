/// The result of walking one side of a book for a quantity.
public struct Walk: Sendable, Equatable {
    /// What the side could fill (≤ the request when depth runs out).
    public var filled: Fixed
    /// Σ price × quantity over the levels taken, rounded half to even once.
    public var notional: Fixed

    /// Volume-weighted average price; zero when nothing filled.
    public var vwap: Fixed { filled.isZero ? .zero : notional.divided(by: filled) }
}

extension BookSide {
    /// Walks levels from the best for `quantity`, exactly (ledger path).
    public func walk(_ quantity: Fixed) -> Walk {
        var remaining = quantity.raw
        var notional: Int128 = 0
        var filled: Int64 = 0
        var i = 0
        while remaining > 0 && i < count {
            let take = Swift.min(remaining, quantities[i])
            notional += Int128(take) * Int128(prices[i])
            filled += take
            remaining -= take
            i += 1
        }
        let rounded = Fixed.divide(notional, Int128(Fixed.scale), .halfEven)
        return Walk(filled: Fixed(raw: filled), notional: Fixed(raw: Int64(rounded)))
    }

    /// Volume-weighted average price for `quantity` in `Double` (signal path); nil when depth runs out.
    // Always inlined, like `quantityWithin`: a side is 328 bytes, and a call on one side of a book passed by value
    // copied the side to the stack first.
    @inlinable @inline(__always)
    public func vwap(_ quantity: Double) -> Double? {
        guard count > 0 else { return nil }
        // Within the best level the price at size is the best price, exactly.
        if quantity * 1e8 <= Double(quantities[0]) + 0.5 { return Double(prices[0]) / 1e8 }
        var remaining = quantity * 1e8
        var cost = 0.0
        var i = 0
        while i < count {
            let q = Double(quantities[i])
            let p = Double(prices[i]) / 1e8
            if q >= remaining {
                cost += remaining * p
                return cost / (quantity * 1e8)
            }
            cost += q * p
            remaining -= q
            i += 1
        }
        return nil
    }

    /// The largest quantity whose VWAP stays within `bps` of the best price (worse by at most `bps`).
    /// `isAsk` tells which way is worse. Returns the whole depth when every level qualifies.
    @inlinable @inline(__always)
    public func quantityWithin(bps: Double, isAsk: Bool) -> Double {
        guard count > 0 else { return 0 }
        let best = Double(prices[0]) / 1e8
        let limit = isAsk ? best * (1 + bps / 1e4) : best * (1 - bps / 1e4)
        var cumQty = 0.0
        var cumCost = 0.0
        for i in 0..<count {
            let p = Double(prices[i]) / 1e8
            let q = Double(quantities[i]) / 1e8
            let worse = isAsk ? p > limit : p < limit
            if worse {
                // Take x more at p while (cumCost + p·x) / (cumQty + x) stays on the good side of limit:
                // x ≤ (limit·cumQty − cumCost) / (p − limit), both signs flip together for bids.
                let x = (limit * cumQty - cumCost) / (p - limit)
                return cumQty + Swift.max(0, Swift.min(q, x))
            }
            cumQty += q
            cumCost += p * q
        }
        return cumQty
    }
}
