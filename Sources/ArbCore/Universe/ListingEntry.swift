/// One symbol of a listing: where it trades, its 24h volume and trading rules.
public struct ListingEntry: Sendable, Equatable {
    /// Binance form: `BTCUSDT`.
    public var symbol: String
    public var base: String
    /// 24h quote volume on Binance, in USDT (what `TOP_N` ranks by).
    public var quoteVolumeUSD: Double
    /// A recent price in USD, where synthetic prices start.
    public var referencePriceUSD: Double
    /// Rules on Upbit (`KRW-BASE`); nil when Upbit does not list it.
    public var upbit: Instrument?
    /// Rules on Binance; nil when Binance does not list it.
    public var binance: Instrument?

    public init(symbol: String, base: String, quoteVolumeUSD: Double, referencePriceUSD: Double,
                upbit: Instrument?, binance: Instrument?) {
        self.symbol = symbol
        self.base = base
        self.quoteVolumeUSD = quoteVolumeUSD
        self.referencePriceUSD = referencePriceUSD
        self.upbit = upbit
        self.binance = binance
    }
}

/// A route of a resolved universe with the listing facts it was chosen on.
public struct UniverseMember: Sendable, Equatable {
    public var route: Route
    public var quoteVolumeUSD: Double
    public var referencePriceUSD: Double

    public init(route: Route, quoteVolumeUSD: Double, referencePriceUSD: Double) {
        self.route = route
        self.quoteVolumeUSD = quoteVolumeUSD
        self.referencePriceUSD = referencePriceUSD
    }
}
