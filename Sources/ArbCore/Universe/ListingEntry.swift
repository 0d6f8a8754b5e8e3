/// One asset of a listing: where it trades, its 24h volume and each venue's trading rules.
public struct ListingEntry: Sendable, Equatable {
    /// Binance form: `BTCUSDT`.
    public var symbol: String
    public var base: String
    /// 24h quote volume in USD(T) that `TOP_N` ranks by.
    public var quoteVolumeUSD: Double
    /// A recent price in USD, where synthetic prices start.
    public var referencePriceUSD: Double
    /// Each venue's rules for the asset's market there; nil where the venue does not list it.
    public var instruments: PerVenue<Instrument?>

    public init(symbol: String, base: String, quoteVolumeUSD: Double, referencePriceUSD: Double,
                instruments: PerVenue<Instrument?>) {
        self.symbol = symbol
        self.base = base
        self.quoteVolumeUSD = quoteVolumeUSD
        self.referencePriceUSD = referencePriceUSD
        self.instruments = instruments
    }

    /// An asset listed on the seed's venues only (or on neither of them).
    public init(symbol: String, base: String, quoteVolumeUSD: Double, referencePriceUSD: Double,
                upbit: Instrument?, binance: Instrument?) {
        self.init(symbol: symbol, base: base, quoteVolumeUSD: quoteVolumeUSD, referencePriceUSD: referencePriceUSD,
                  instruments: PerVenue(nil, except: [.upbit: upbit, .binance: binance]))
    }

    /// Both legs' rules on `pair`, when both of its venues list the asset.
    public func instruments(on pair: PerLeg<Venue>) -> PerLeg<Instrument>? {
        guard let a = instruments[pair.a], let b = instruments[pair.b] else { return nil }
        return PerLeg(a: a, b: b)
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
