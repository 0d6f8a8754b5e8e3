/// One side of an order book, best level first, in fixed storage (no heap allocation per update).
///
/// Prices and quantities are raw `Fixed` units. Bids descend, asks ascend; `count` levels are valid.
public struct BookSide: Sendable {
    /// Levels kept per side: Upbit sends 15, Binance partial depth up to 20.
    public static let capacity = 20

    public var prices: InlineArray<20, Int64>
    public var quantities: InlineArray<20, Int64>
    public var count: Int

    public init() {
        prices = InlineArray(repeating: 0)
        quantities = InlineArray(repeating: 0)
        count = 0
    }

    @inlinable public var isEmpty: Bool { count == 0 }
    @inlinable public var best: Fixed { Fixed(raw: prices[0]) }
    @inlinable public func price(_ i: Int) -> Fixed { Fixed(raw: prices[i]) }
    @inlinable public func quantity(_ i: Int) -> Fixed { Fixed(raw: quantities[i]) }

    /// Appends a level; levels past `capacity` are dropped.
    @inlinable public mutating func append(price: Fixed, quantity: Fixed) {
        guard count < BookSide.capacity else { return }
        prices[count] = price.raw
        quantities[count] = quantity.raw
        count += 1
    }

    @inlinable public mutating func removeAll() { count = 0 }

    /// Total quantity on the side.
    public var depth: Fixed {
        var total: Int64 = 0
        for i in 0..<count { total += quantities[i] }
        return Fixed(raw: total)
    }
}
