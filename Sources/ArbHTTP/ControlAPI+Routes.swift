import ArbCore
import MicroHTTPD

extension ControlAPI {
    /// Per-route views and flattening, and the venue registry.
    static func registerRoutes(_ r: inout Router, manager: any CampaignOperations) {
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
            answer { (ListBody(Venue.allCases.map(VenueBody.init)), []) }
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

/// A registered venue's facts (`GET /venues`).
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

    enum CodingKeys: String, CodingKey {
        case name, quote, marketExample = "market_example", fxMarket = "fx_market", takerBps = "taker_bps"
        case bookLevels = "book_levels", tardisExchange = "tardis_exchange"
    }

    init(_ venue: Venue) {
        let info = venue.info
        name = info.name
        quote = info.quote
        marketExample = info.market(base: "BTC")
        fxMarket = info.fxMarket
        takerBps = info.takerBps
        bookLevels = info.bookLevels
        tardisExchange = info.tardisExchange
    }
}
