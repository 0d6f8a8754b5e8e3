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
    public func vwap(_ quantity: Double) -> Double? {
        withUnsafePointer(to: self) { BookSide.vwap($0, quantity) }
    }

    /// The largest quantity whose VWAP stays within `bps` of the best price (worse by at most `bps`).
    /// `isAsk` tells which way is worse. Returns the whole depth when every level qualifies.
    public func quantityWithin(bps: Double, isAsk: Bool) -> Double {
        withUnsafePointer(to: self) { BookSide.quantityWithin($0, bps: bps, isAsk: isAsk) }
    }

    // The walks of the signal path read the side where it lies, through a pointer: a method called on a side
    // of a borrowed book is handed the side loaded whole (328 bytes copied) before it looks at a level.

    /// `vwap` of the side at `side`.
    @inlinable @inline(__always)
    public static func vwap(_ side: UnsafePointer<BookSide>, _ quantity: Double) -> Double? {
        let count = side.pointee.count
        guard count > 0 else { return nil }
        // Within the best level the price at size is the best price, exactly.
        if quantity * 1e8 <= Double(side.pointee.quantities[0]) + 0.5 { return Double(side.pointee.prices[0]) / 1e8 }
        var remaining = quantity * 1e8
        var cost = 0.0
        var i = 0
        while i < count {
            let q = Double(side.pointee.quantities[i])
            let p = Double(side.pointee.prices[i]) / 1e8
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

    /// `quantityWithin` of the side at `side`.
    @inlinable @inline(__always)
    public static func quantityWithin(_ side: UnsafePointer<BookSide>, bps: Double, isAsk: Bool) -> Double {
        let count = side.pointee.count
        guard count > 0 else { return 0 }
        let best = Double(side.pointee.prices[0]) / 1e8
        let limit = isAsk ? best * (1 + bps / 1e4) : best * (1 - bps / 1e4)
        var cumQty = 0.0
        var cumCost = 0.0
        for i in 0..<count {
            let p = Double(side.pointee.prices[i]) / 1e8
            let q = Double(side.pointee.quantities[i]) / 1e8
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
