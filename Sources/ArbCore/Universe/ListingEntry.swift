/// One asset of a listing: where it trades, its 24h volume and each venue's trading rules.
public struct ListingEntry: Sendable, Equatable {
    /// Binance form: `BTCUSDT`.
    public var symbol: String
    public var base: String
    /// 24h quote volume on each USDT venue (0 where it is not listed; KRW venues' volumes are not counted).
    public var usdtVolumes: PerVenue<Double>
    /// A recent price in USD, where synthetic prices start.
    public var referencePriceUSD: Double
    /// Each venue's rules for the asset's market there; nil where the venue does not list it.
    public var instruments: PerVenue<Instrument?>

    public init(symbol: String, base: String, usdtVolumes: PerVenue<Double>, referencePriceUSD: Double,
                instruments: PerVenue<Instrument?>) {
        self.symbol = symbol
        self.base = base
        self.usdtVolumes = usdtVolumes
        self.referencePriceUSD = referencePriceUSD
        self.instruments = instruments
    }

    /// An asset listed on the seed's venues only (or on neither of them), `quoteVolumeUSD` its Binance volume.
    public init(symbol: String, base: String, quoteVolumeUSD: Double, referencePriceUSD: Double,
                upbit: Instrument?, binance: Instrument?) {
        self.init(symbol: symbol, base: base, usdtVolumes: PerVenue(0, except: [.binance: quoteVolumeUSD]),
                  referencePriceUSD: referencePriceUSD, instruments: PerVenue(nil, except: [.upbit: upbit, .binance: binance]))
    }

    /// The summed 24h USDT volume over `venues` that `TOP_N` ranks by.
    public func volumeUSD(over venues: [Venue]) -> Double { venues.reduce(0) { $0 + usdtVolumes[$1] } }

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
