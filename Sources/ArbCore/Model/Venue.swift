/// An exchange a route trades on: an index into the venue registry (`VenueInfo.all`), so per-venue state is an
/// array slot (`PerVenue`) and nothing in the engine switches on a venue's name. On the wire and in checkpoints a
/// venue is its name (`"upbit"`), as it was when venues were an enumeration.
public struct Venue: Sendable, Hashable, Comparable {
    /// Position in the registry: where `PerVenue` keeps this venue's value.
    public let index: Int

    @usableFromInline init(index: Int) { self.index = index }

    public static let upbit = Venue(index: 0)
    public static let binance = Venue(index: 1)
    public static let bithumb = Venue(index: 2)
    public static let okx = Venue(index: 3)
    public static let bybit = Venue(index: 4)

    /// Every registered venue, in registry order.
    public static let allCases: [Venue] = VenueInfo.all.indices.map { Venue(index: $0) }

    /// The venue's facts.
    @inlinable public var info: VenueInfo { VenueInfo.all[index] }

    /// `upbit`: the name in configs, route keys, stats, labels and checkpoints.
    public var rawValue: String { info.name }

    public init?(rawValue: String) {
        guard let i = VenueInfo.all.firstIndex(where: { $0.name == rawValue }) else { return nil }
        self.init(index: i)
    }

    /// The quote currency of the venue's markets.
    public var quoteAsset: String { info.quote }
    /// Whether the venue quotes in KRW (its routes to a USDT venue convert with its own `KRW-USDT` book).
    @inlinable public var isKRW: Bool { VenueInfo.krwFlags[index] }
    /// Short prefix for deterministic order and fill ids.
    public var idPrefix: String { info.idPrefix }

    public static func < (a: Venue, b: Venue) -> Bool { a.index < b.index }
}

extension Venue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let venue = Venue(rawValue: name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown venue \(name)")
        }
        self = venue
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension Venue: CustomStringConvertible {
    public var description: String { rawValue }
}

/// Side of a market order.
public enum Side: String, Sendable, Hashable, Codable {
    case buy, sell

    public var opposite: Side { self == .buy ? .sell : .buy }
}

/// Direction of an arbitrage pair on a route's two legs (A = the pair's first venue, B = the second).
public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Premium positive: sell on A at its bid, buy on B at its ask.
    case sellABuyB = "sell_a_buy_b"
    /// Premium negative: buy on A at its ask, sell on B at its bid.
    case buyASellB = "buy_a_sell_b"

    /// The side of the entry leg on `leg`.
    public func entrySide(on leg: Leg) -> Side {
        switch (self, leg) {
        case (.sellABuyB, .a), (.buyASellB, .b): return .sell
        case (.sellABuyB, .b), (.buyASellB, .a): return .buy
        }
    }
}
