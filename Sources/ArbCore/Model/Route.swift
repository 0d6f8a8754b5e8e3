/// One base asset on an ordered pair of venues: leg A on the first, leg B on the second (SPEC §8). The seed's pair
/// is Upbit (A) against Binance (B), keyed by the Binance-form symbol alone (`BTCUSDT`); any other pair adds the
/// venues (`BTCUSDT@bithumb-okx`). The key is the route's name everywhere (stats, URLs, metric labels).
public struct Route: Sendable, Hashable {
    /// Position in the campaign's universe; indexes per-route storage.
    public var index: Int
    /// `BTCUSDT` or `BTCUSDT@bithumb-okx`.
    public var key: String
    /// `BTC`.
    public var base: String
    /// The venue of each leg.
    public let venues: PerLeg<Venue>
    /// Whether each leg quotes in KRW (its prices convert to USD at the route's fx).
    public let krwLegs: PerLeg<Bool>
    /// Each leg's trading rules.
    public var instruments: PerLeg<Instrument>

    public init(index: Int, key: String, base: String, venues: PerLeg<Venue>, instruments: PerLeg<Instrument>) {
        self.index = index
        self.key = key
        self.base = base
        self.venues = venues
        self.krwLegs = venues.map(\.isKRW)
        self.instruments = instruments
    }

    /// A route on the seed's pair, Upbit against Binance.
    public init(index: Int, key: String, base: String, upbit: Instrument, binance: Instrument) {
        self.init(index: index, key: key, base: base, venues: Self.seedPair, instruments: PerLeg(a: upbit, b: binance))
    }

    /// The seed's pair: Upbit (A, KRW) against Binance (B, USDT).
    public static let seedPair = PerLeg(a: Venue.upbit, b: Venue.binance)

    /// The key of an asset on `venues`: its Binance-form symbol (`BTCUSDT`), with `@a-b` unless it is the seed's pair.
    public static func key(symbol: String, venues: PerLeg<Venue>) -> String {
        venues == seedPair ? symbol : "\(symbol)@\(venues.a.rawValue)-\(venues.b.rawValue)"
    }

    /// The key of `base` on `venues`.
    public static func key(base: String, venues: PerLeg<Venue>) -> String { key(symbol: symbol(base: base), venues: venues) }

    /// An asset's Binance-form symbol: `BTC` → `BTCUSDT` (what `per_symbol`, symbol URLs and labels name).
    public static func symbol(base: String) -> String { base + "USDT" }

    /// The route's asset as a symbol: its key without the pair.
    public var symbol: String { Self.symbol(base: base) }

    @inline(__always) public func venue(_ leg: Leg) -> Venue { venues[leg] }
    @inline(__always) public func instrument(_ leg: Leg) -> Instrument { instruments[leg] }
    /// The leg's market as its venue names it: `KRW-BTC`, `BTCUSDT`, `BTC-USDT`.
    public func market(_ leg: Leg) -> String { venues[leg].info.market(base: base) }

    /// The leg a venue trades, nil when the route does not trade there.
    public func leg(on venue: Venue) -> Leg? { venues.a == venue ? .a : venues.b == venue ? .b : nil }

    /// Whether the legs quote in different currencies (a KRW venue against a USDT one), so the edge moves with fx.
    public var crossQuote: Bool { krwLegs.a != krwLegs.b }

    /// Whether any leg quotes in KRW, so the route needs an fx rate at all.
    public var needsFx: Bool { krwLegs.a || krwLegs.b }

    /// The KRW venue whose `KRW-USDT` rate converts the route's KRW legs: the KRW leg's venue on a cross-quote
    /// pair, leg A's on a KRW–KRW pair (one rate for both legs, so the edge between them is pure KRW); nil when
    /// both legs quote in USDT.
    public var fxVenue: Venue? { krwLegs.a ? venues.a : krwLegs.b ? venues.b : nil }

    /// What each leg's quote price is divided by to be in USD at `fx` KRW per USDT: `fx` on a KRW leg, 1 on a
    /// USDT leg.
    @inline(__always) public func divisors(fx: Double) -> (a: Double, b: Double) {
        (krwLegs.a ? fx : 1, krwLegs.b ? fx : 1)
    }

    /// The quantity step both legs can honour: the least common multiple of the two steps.
    public var commonStep: Fixed {
        let a = instruments.a.step.raw, b = instruments.b.step.raw
        guard a > 0 else { return instruments.b.step }
        guard b > 0 else { return instruments.a.step }
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

extension Route: Codable {
    enum CodingKeys: String, CodingKey { case index, key, base, venues, instruments, upbit, binance }

    /// Reads both shapes: `venues` and `instruments` per leg, and the two-venue release's `upbit` and `binance`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try c.decode(Int.self, forKey: .index)
        key = try c.decode(String.self, forKey: .key)
        base = try c.decode(String.self, forKey: .base)
        let venues: PerLeg<Venue>
        if let pair = try c.decodeIfPresent(PerLeg<Venue>.self, forKey: .venues) {
            venues = pair
            instruments = try c.decode(PerLeg<Instrument>.self, forKey: .instruments)
        } else {
            venues = Self.seedPair
            instruments = PerLeg(a: try c.decode(Instrument.self, forKey: .upbit), b: try c.decode(Instrument.self, forKey: .binance))
        }
        self.venues = venues
        krwLegs = venues.map(\.isKRW)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(key, forKey: .key)
        try c.encode(base, forKey: .base)
        try c.encode(venues, forKey: .venues)
        try c.encode(instruments, forKey: .instruments)
    }
}
