/// A market of a campaign: one venue's book of one symbol, as the venue spells it (`KRW-BTC`, `BTC-USDT`).
public struct MarketKey: Sendable, Hashable {
    public var venue: Venue
    public var symbol: String

    public init(_ venue: Venue, _ symbol: String) {
        self.venue = venue
        self.symbol = symbol
    }
}

/// The books a route reads: its two legs' markets.
public struct RouteMarkets: Sendable, Equatable {
    public var a: Int
    public var b: Int

    public init(a: Int, b: Int) {
        self.a = a
        self.b = b
    }

    @inline(__always) public subscript(leg: Leg) -> Int { leg == .a ? a : b }
}

/// Where each market lives in a campaign's snapshot store, and which routes read it.
///
/// A market is one (venue, symbol) however many routes read it: `KRW-BTC` on Upbit is one book for BTC on
/// upbit–binance and on upbit–okx. The `KRW-USDT` books of the campaign's KRW venues come first (each KRW
/// venue's fx), then each route's markets in route order as they first appear. With the seed's two venues that is
/// the release's layout: fx at 0, route `i`'s Upbit book at `1 + 2i` and its Binance book at `2 + 2i`, so
/// checkpoints and recordings keep their indexes. Markets are only appended: routes joining a running campaign
/// take new indexes or share existing ones, and nothing moves.
public struct MarketMap: Sendable, Equatable {
    public static let fxSymbol = "KRW-USDT"

    /// By market index.
    public private(set) var keys: [MarketKey] = []
    private var indexes: [MarketKey: Int] = [:]
    /// Each KRW venue's `KRW-USDT` market.
    public private(set) var fxMarkets = PerVenue<Int?>(repeating: nil)
    /// By market index: the KRW venue whose fx the market carries; nil for a book market.
    private var fxVenues: [Venue?] = []
    /// By route index.
    public private(set) var routes: [RouteMarkets] = []
    /// By market index: the routes reading it (none for fx markets).
    public private(set) var readers: [[Int]] = []
    /// By market index: the route when exactly one reads it, else -1 (the common case, asked per book update
    /// without retaining a reader list).
    private var soleReaders: [Int] = []
    /// Whether the fx markets are read at all (false with a fixed fx rate: their indexes stay reserved).
    public let includesFx: Bool

    /// The markets of `routes` on `venues` (the campaign's venues, in config order).
    public init(venues: [Venue], routes: [Route] = [], includesFx: Bool = true) {
        self.includesFx = includesFx
        for venue in venues where venue.isKRW && fxMarkets[venue] == nil {
            fxMarkets[venue] = append(MarketKey(venue, Self.fxSymbol), fxVenue: venue)
        }
        add(routes)
    }

    /// Exactly `markets`, in order, with no routes (what a conversion of recordings reads: every market in them).
    public init(markets: [MarketKey]) {
        includesFx = true
        for key in markets where indexes[key] == nil {
            let fx = key.symbol == Self.fxSymbol && key.venue.isKRW ? key.venue : nil
            let market = append(key, fxVenue: fx)
            if let fx, fxMarkets[fx] == nil { fxMarkets[fx] = market }
        }
    }

    /// The markets a campaign of `config` reads for `routes`.
    public init(config: CampaignConfig, routes: [Route]) {
        self.init(venues: config.venues, routes: routes, includesFx: config.marketData.fxSource == .book)
    }

    /// Markets in the map, fx included.
    public var count: Int { keys.count }

    /// How many markets a store needs for up to `routes` routes on `venues`.
    public static func capacity(venues: [Venue], routes: Int) -> Int {
        Set(venues.filter(\.isKRW)).count + 2 * routes
    }

    /// Adds routes at the next indexes; returns the markets that are new, in index order.
    @discardableResult
    public mutating func add(_ routes: [Route]) -> [Int] {
        var added: [Int] = []
        for route in routes {
            precondition(route.index == self.routes.count, "routes join at the next index")
            let markets = PerLeg { leg -> Int in
                let key = MarketKey(route.venues[leg], route.market(leg))
                if let existing = indexes[key] { return existing }
                let market = append(key, fxVenue: nil)
                added.append(market)
                return market
            }
            self.routes.append(RouteMarkets(a: markets.a, b: markets.b))
            readers[markets.a].append(route.index)
            if markets.b != markets.a { readers[markets.b].append(route.index) }
            for market in [markets.a, markets.b] { soleReaders[market] = readers[market].count == 1 ? readers[market][0] : -1 }
        }
        return added
    }

    private mutating func append(_ key: MarketKey, fxVenue: Venue?) -> Int {
        let market = keys.count
        keys.append(key)
        indexes[key] = market
        fxVenues.append(fxVenue)
        readers.append([])
        soleReaders.append(-1)
        return market
    }

    /// The market of `venue`'s `symbol`; nil when the campaign does not read it (fx markets with a fixed rate).
    public func index(_ venue: Venue, _ symbol: String) -> Int? {
        guard let market = indexes[MarketKey(venue, symbol)] else { return nil }
        return includesFx || fxVenues[market] == nil ? market : nil
    }

    /// Whether the campaign reads market `market` (every book market; fx markets unless the rate is fixed).
    public func isRead(_ market: Int) -> Bool { includesFx || fxVenues[market] == nil }

    /// The KRW venue whose fx market `market` is; nil for a book market.
    @inline(__always) public func fxVenue(ofMarket market: Int) -> Venue? { fxVenues[market] }

    /// The one route reading market `market`; -1 when none or several do (`readers` has them).
    @inline(__always) public func soleReader(ofMarket market: Int) -> Int { soleReaders[market] }

    /// The markets the campaign reads, by index.
    public var readMarkets: [Int] { keys.indices.filter(isRead) }
}
