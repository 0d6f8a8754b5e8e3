import ArbCore
import MicroHTTPD

extension ControlAPI {
    /// Per-route views and flattening, and the venue registry.
    static func registerRoutes(_ r: inout Router, manager: any CampaignOperations, feeds: FeedStatus?) {
        r.add("GET", "/campaigns/{id}/routes") { _, p in
            answer { (ListBody(RouteBody.all(try manager.stats(id: p["id"]))), []) }
        }
        r.add("GET", "/campaigns/{id}/routes/{route}") { _, p in
            answer {
                guard let item = RouteBody.one(try manager.stats(id: p["id"]), key: p["route"]) else {
                    throw ServiceError.notFound("\(p["route"]) is not a route of campaign \(p["id"])")
                }
                return (item, [])
            }
        }
        r.add("POST", "/campaigns/{id}/routes/{route}/flatten") { _, p in
            respond(status: 202) {
                try await manager.flatten(id: p["id"], route: p["route"])
                return (["route": .string(p["route"]), "flatten": "requested"] as JSONValue, [])
            }
        }
        r.add("GET", "/venues") { _, _ in
            answer { (ListBody(Venue.allCases.map { VenueBody($0, health: feeds?.health.health($0) ?? VenueHealth()) }), []) }
        }
        r.add("GET", "/venues/{venue}") { _, p in
            answer {
                guard let venue = Venue(rawValue: p["venue"]) else {
                    throw ServiceError.notFound("\(p["venue"]) is not a venue (\(Venue.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return (VenueBody(venue, health: feeds?.health.health(venue) ?? VenueHealth()), [])
            }
        }
    }
}

/// A route as `/campaigns/{id}/routes` shows it: its key, then its stats.
struct RouteBody: Encodable, Sendable {
    var route: String
    var stats: StatsReport.RouteStats

    enum CodingKeys: String, CodingKey { case route }

    /// Every route of the stats, in the order of the route table (the universe's `active` list first).
    static func all(_ stats: StatsReport) -> [RouteBody] {
        (stats.routes ?? [:]).sorted { $0.key < $1.key }.map { RouteBody(route: $0.key, stats: $0.value) }
    }

    static func one(_ stats: StatsReport, key: String) -> RouteBody? {
        stats.routes?[key].map { RouteBody(route: key, stats: $0) }
    }

    func encode(to encoder: any Encoder) throws {
        try stats.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(route, forKey: .route)
    }
}

/// A registered venue's facts and its live feed's health (`GET /venues`).
struct VenueBody: Encodable, Sendable {
    var name: String
    var quote: String
    /// How the venue writes BTC's market: `KRW-BTC`, `BTCUSDT`, `BTC-USDT`.
    var marketExample: String
    /// Where a KRW venue's fx comes from; null for a USDT venue.
    var fxMarket: String?
    var takerBps: Double
    var bookLevels: Int
    var tardisExchange: String?
    var health: HealthBody

    enum CodingKeys: String, CodingKey {
        case name, quote, marketExample = "market_example", fxMarket = "fx_market", takerBps = "taker_bps"
        case bookLevels = "book_levels", tardisExchange = "tardis_exchange", health
    }

    init(_ venue: Venue, health: VenueHealth) {
        let info = venue.info
        name = info.name
        quote = info.quote
        marketExample = info.market(base: "BTC")
        fxMarket = info.fxMarket
        takerBps = info.takerBps
        bookLevels = info.bookLevels
        tardisExchange = info.tardisExchange
        self.health = HealthBody(health)
    }
}

/// A venue's feed health as `/venues` shows it.
struct HealthBody: Encodable, Sendable {
    var state: String
    var reason: String?
    var connectionsWanted: Int
    var connectionsOpen: Int
    var messagesPerSecond: Double
    var booksPerSecond: Double
    var dataAgeMs: Double?
    var parseErrors: Int
    var sequenceGaps: Int
    var resyncs: Int
    var reconnects: Int
    var venueErrors: Int
    var restRequests: Int
    var restErrors: Int
    var restLatencyMs: Double?
    var marketsWithoutBook: [String]

    enum CodingKeys: String, CodingKey {
        case state, reason, connectionsWanted = "connections_wanted", connectionsOpen = "connections_open"
        case messagesPerSecond = "messages_per_second", booksPerSecond = "books_per_second", dataAgeMs = "data_age_ms"
        case parseErrors = "parse_errors_1m", sequenceGaps = "sequence_gaps_1m", resyncs = "resyncs_1m", reconnects = "reconnects_1m"
        case venueErrors = "venue_errors_1m", restRequests = "rest_requests_1m", restErrors = "rest_errors_1m"
        case restLatencyMs = "rest_latency_ms", marketsWithoutBook = "markets_without_book"
    }

    init(_ h: VenueHealth) {
        state = h.state.rawValue
        reason = h.reason
        connectionsWanted = h.connectionsWanted
        connectionsOpen = h.connectionsOpen
        messagesPerSecond = (h.messagesPerSecond * 10).rounded() / 10
        booksPerSecond = (h.booksPerSecond * 10).rounded() / 10
        dataAgeMs = h.dataAgeMs.map { $0.rounded() }
        parseErrors = h.parseErrors
        sequenceGaps = h.sequenceGaps
        resyncs = h.resyncs
        reconnects = h.reconnects
        venueErrors = h.venueErrors
        restRequests = h.restRequests
        restErrors = h.restErrors
        restLatencyMs = h.restLatencyMs.map { ($0 * 10).rounded() / 10 }
        marketsWithoutBook = h.marketsWithoutBook
    }
}
