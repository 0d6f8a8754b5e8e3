/// One base asset traded on both exchanges: `BTCUSDT` on Binance against `KRW-BTC` on Upbit.
/// The Binance form is the route's key everywhere (stats, URLs, metric labels).
public struct Route: Sendable, Hashable, Codable {
    /// Position in the campaign's universe; indexes per-route storage.
    public var index: Int
    /// `BTCUSDT`.
    public var key: String
    /// `BTC`.
    public var base: String
    public var upbit: Instrument
    public var binance: Instrument

    public init(index: Int, key: String, base: String, upbit: Instrument, binance: Instrument) {
        self.index = index
        self.key = key
        self.base = base
        self.upbit = upbit
        self.binance = binance
    }

    /// `KRW-BTC`.
    public var upbitMarket: String { "KRW-" + base }
    /// `BTCUSDT`.
    public var binanceMarket: String { key }

    public func instrument(on venue: Venue) -> Instrument { venue == .upbit ? upbit : binance }
    public func market(on venue: Venue) -> String { venue == .upbit ? upbitMarket : binanceMarket }

    /// The quantity step both legs can honour: the least common multiple of the two steps.
    public var commonStep: Fixed {
        let a = upbit.step.raw, b = binance.step.raw
        guard a > 0 else { return binance.step }
        guard b > 0 else { return upbit.step }
        var x = a, y = b
        while y != 0 { (x, y) = (y, x % y) }
        return Fixed(raw: a / x * b)
    }

    /// Maps a Binance USDT symbol to its base asset: `BTCUSDT` → `BTC`; nil when it is not a USDT pair.
    public static func base(ofSymbol symbol: String, quote: String = "USDT") -> String? {
        guard symbol.hasSuffix(quote), symbol.count > quote.count else { return nil }
        return String(symbol.dropLast(quote.count))
    }
}
