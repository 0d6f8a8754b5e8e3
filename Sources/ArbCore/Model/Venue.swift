/// One of the two exchanges a route trades on.
public enum Venue: String, Sendable, Hashable, Codable, CaseIterable {
    /// Exchange A: KRW quote, market codes like `KRW-BTC`.
    case upbit
    /// Exchange B: USDT quote, symbols like `BTCUSDT`.
    case binance

    /// The quote currency of the venue's markets.
    public var quoteAsset: String { self == .upbit ? "KRW" : "USDT" }
    /// Short prefix for deterministic order and fill ids.
    public var idPrefix: String { self == .upbit ? "U" : "B" }

    /// Position in `allCases`: where `PerVenue` keeps this venue's value.
    @inlinable public var index: Int {
        switch self {
        case .upbit: return 0
        case .binance: return 1
        }
    }
}

/// Side of a market order.
public enum Side: String, Sendable, Hashable, Codable {
    case buy, sell

    public var opposite: Side { self == .buy ? .sell : .buy }
}

/// Direction of an arbitrage pair.
public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Premium positive: sell on Upbit at its bid, buy on Binance at its ask.
    case sellABuyB = "sell_a_buy_b"
    /// Premium negative: buy on Upbit at its ask, sell on Binance at its bid.
    case buyASellB = "buy_a_sell_b"

    /// The side of the entry leg on `venue`.
    public func entrySide(on venue: Venue) -> Side {
        switch (self, venue) {
        case (.sellABuyB, .upbit), (.buyASellB, .binance): return .sell
        case (.sellABuyB, .binance), (.buyASellB, .upbit): return .buy
        }
    }
}
