import ArbCore
import Testing

@Suite struct MarketMapTests {
    static func route(_ i: Int, _ base: String, _ a: Venue, _ b: Venue) -> Route {
        let inst = Instrument(tick: Fixed(raw: 1), step: Fixed(raw: 1), minNotional: .zero)
        return Route(index: i, key: Route.key(base: base, venues: PerLeg(a: a, b: b)), base: base,
                     venues: PerLeg(a: a, b: b), instruments: PerLeg(repeating: inst))
    }

    @Test func theSeedsPairKeepsTheReleasesIndexes() {
        let routes = (0..<4).map { Self.route($0, "A\($0)", .upbit, .binance) }
        let map = MarketMap(venues: [.upbit, .binance], routes: routes)
        #expect(map.count == 9)
        #expect(map.fxMarkets[.upbit] == 0 && map.fxMarkets[.binance] == nil)
        for i in 0..<4 {
            #expect(map.routes[i] == RouteMarkets(a: 1 + 2 * i, b: 2 + 2 * i))
            #expect(map.readers[1 + 2 * i] == [i] && map.readers[2 + 2 * i] == [i])
        }
        #expect(map.keys[0] == MarketKey(.upbit, "KRW-USDT") && map.keys[1] == MarketKey(.upbit, "KRW-A0"))
        #expect(map.fxVenue(ofMarket: 0) == .upbit && map.fxVenue(ofMarket: 1) == nil)
    }

    @Test func routesOfOneAssetShareTheirVenuesBooks() {
        let venues: [Venue] = [.upbit, .bithumb, .binance, .okx]
        let routes = [
            Self.route(0, "BTC", .upbit, .binance), Self.route(1, "BTC", .upbit, .okx),
            Self.route(2, "BTC", .bithumb, .okx), Self.route(3, "BTC", .binance, .okx),
        ]
        var map = MarketMap(venues: venues, routes: routes)
        // Two fx markets (Upbit's, Bithumb's), then KRW-BTC ×2 venues and BTC on Binance and OKX: four books.
        #expect(map.fxMarkets[.upbit] == 0 && map.fxMarkets[.bithumb] == 1)
        #expect(map.count == 6)
        #expect(map.index(.upbit, "KRW-BTC") == 2 && map.index(.binance, "BTCUSDT") == 3)
        #expect(map.index(.okx, "BTC-USDT") == 4 && map.index(.bithumb, "KRW-BTC") == 5)
        #expect(map.readers[4] == [1, 2, 3] && map.readers[2] == [0, 1] && map.readers[3] == [0, 3])
        #expect(map.routes[2] == RouteMarkets(a: 5, b: 4))
        // A join reads existing books or appends new ones; nothing moves.
        let added = map.add([Self.route(4, "ETH", .bithumb, .binance), Self.route(5, "BTC", .upbit, .bithumb)])
        #expect(added == [6, 7])
        #expect(map.routes[5] == RouteMarkets(a: 2, b: 5) && map.readers[5] == [2, 5])
        #expect(map.count <= MarketMap.capacity(venues: venues, routes: 6))
    }

    @Test func aFixedRateKeepsTheFxIndexesButReadsNoFxBook() {
        let map = MarketMap(venues: [.bithumb, .upbit, .okx], routes: [Self.route(0, "XRP", .bithumb, .okx)], includesFx: false)
        #expect(map.fxMarkets[.bithumb] == 0 && map.fxMarkets[.upbit] == 1)
        #expect(map.index(.bithumb, "KRW-USDT") == nil && map.index(.bithumb, "KRW-XRP") == 2)
        #expect(map.readMarkets == [2, 3])
    }

    @Test func eachRouteConvertsWithItsKRWVenuesFx() {
        #expect(Self.route(0, "BTC", .upbit, .binance).fxVenue == .upbit)
        #expect(Self.route(0, "BTC", .okx, .bithumb).fxVenue == .bithumb)
        #expect(Self.route(0, "BTC", .bithumb, .upbit).fxVenue == .bithumb)
        #expect(Self.route(0, "BTC", .binance, .bybit).fxVenue == nil)
    }
}

@Suite struct VenueConfigTests {
    static func issues(_ json: JSONValue) -> [String] {
        do {
            _ = try CampaignConfig.parse(json)
            return []
        } catch { return error.issues.map { "\($0.field): \($0.message)" } }
    }

    @Test func venuesAndPairsMustAgree() {
        #expect(Self.issues(["venues": ["upbit", "binance", "upbit"]]).contains { $0.hasPrefix("venues[2]: upbit is listed twice") })
        #expect(Self.issues(["routes": ["pairs": ["upbit-okx"]]]).contains { $0.hasPrefix("routes.pairs[0]: okx is not in venues") })
        #expect(Self.issues(["venues": ["binance", "okx"]]).contains { $0.hasPrefix("venues: no KRW venue against a USDT venue") })
        #expect(Self.issues(["routes": ["pairs": ["upbit-binance", "upbit-binance"]]]).contains { $0.contains("listed twice") })
        #expect(Self.issues(["routes": ["pairs": ["binance-upbit"]]]).isEmpty)
        #expect(!Self.issues(["routes": ["pairs": ["upbit-upbit"]]]).isEmpty)
        #expect(Self.issues(["venues": ["binance", "okx"], "routes": ["pairs": ["okx-binance"]]]).isEmpty)
    }

    /// Every venue's live feed: `venue_config.<venue>.ws_url`, `rest_url` and `feed`, the seed's
    /// `market_data.live` keys for Upbit and Binance underneath, the public endpoints by default; a bad URL
    /// names the key it came from.
    @Test func liveFeedSettingsPerVenue() throws {
        let live: JSONValue = ["venues": ["upbit", "bithumb", "binance", "okx", "bybit"], "market_data": ["source": "live", "live": [
            "upbit_ws_url": "ws://127.0.0.1:9/u", "binance_stream": "bookTicker", "upbit_format": "DEFAULT",
        ]], "session": ["clock": "realtime"], "venue_config": [
            "binance": ["ws_url": "ws://127.0.0.1:9/b"], "okx": ["feed": "books", "rest_url": "http://127.0.0.1:9/okx"],
            "bybit": ["feed": "200"],
        ]]
        let l = try CampaignConfig.parse(live).marketData.live
        #expect(l[.upbit].wsURL == "ws://127.0.0.1:9/u" && l[.upbit].feed == "15" && l[.upbit].format == "DEFAULT")
        #expect(l[.binance].wsURL == "ws://127.0.0.1:9/b" && l[.binance].feed == "bookTicker" && l[.binance].restURL == "https://api.binance.com")
        #expect(l[.bithumb] == VenueFeedConfig(wsURL: "wss://ws-api.bithumb.com/websocket/v1", restURL: "https://api.bithumb.com", feed: "SIMPLE"))
        #expect(l[.okx].feed == "books" && l[.okx].restURL == "http://127.0.0.1:9/okx" && l[.okx].wsURL == "wss://ws.okx.com:8443/ws/v5/public")
        #expect(l[.bybit].feed == "200" && l[.bybit].wsURL == "wss://stream.bybit.com/v5/public/spot")
        // Campaigns that differ only in another venue's feed share a venue's connections.
        var other = l
        other[.okx].feed = "bbo-tbt"
        #expect(l.scoped(to: .bybit) == other.scoped(to: .bybit) && l.scoped(to: .okx) != other.scoped(to: .okx))

        let bad: JSONValue = ["venues": ["upbit", "bithumb", "binance"], "market_data": ["source": "live", "live": ["upbit_ws_url": "http://x"]],
                              "session": ["clock": "realtime"], "venue_config": ["bithumb": ["ws_url": "localhost:9"]]]
        let issues = Self.issues(bad)
        #expect(issues.contains { $0.hasPrefix("market_data.live.upbit_ws_url: http://x is not a ws or wss URL") })
        #expect(issues.contains { $0.hasPrefix("venue_config.bithumb.ws_url: localhost:9 is not a ws or wss URL") })
        #expect(Self.issues(["venue_config": ["okx": ["feed": "books50-l2-tbt"]]]).contains { $0.hasPrefix("venue_config.okx.feed") })
    }

    @Test func venueSettingsOverrideTheSeedsKeysWhichStillWork() throws {
        let legacy = try CampaignConfig.parse([
            "fees": ["upbit_taker_bps": 7], "paper": ["latency_ms": ["binance": 40], "initial_balances": ["upbit": ["BTC": 2]]],
            "multi_symbol_risk_guard": ["exchange": ["binance": ["max_exposure_usd": 3000]]],
        ])
        #expect(legacy.strategy.takerBps[.upbit] == 7 && legacy.latencyMs[Venue.binance.index] == 40)
        #expect(legacy.risk.exchanges[.binance].maxExposureUSD == 3000 && legacy.initialBalances[.upbit]?["BTC"] == Fixed(2))
        let both = try CampaignConfig.parse([
            "venues": ["upbit", "bithumb", "okx"],
            "fees": ["upbit_taker_bps": 7],
            "venue_config": [
                "upbit": ["taker_bps": 4, "initial_balances": ["ETH": 1]],
                "bithumb": ["taker_bps": 4, "latency_ms": 30, "max_exposure_usd": 500, "max_orders_per_second": 3],
            ],
            "paper": ["initial_balances": ["upbit": ["BTC": 2, "ETH": 5]]],
        ])
        #expect(both.strategy.takerBps[.upbit] == 4 && both.strategy.takerBps[.bithumb] == 4)
        #expect(both.strategy.takerBps[.okx] == Venue.okx.info.takerBps)
        #expect(both.latencyMs[Venue.bithumb.index] == 30 && both.latencyMs[Venue.okx.index] == 0)
        #expect(both.risk.exchanges[.bithumb].maxExposureUSD == 500 && both.risk.exchanges[.bithumb].maxOrdersPerSecond == 3)
        #expect(both.risk.exchanges[.okx] == .standard)
        #expect(both.initialBalances[.upbit] == ["BTC": Fixed(2), "ETH": Fixed(1)])
        #expect(both.routePairs.map { "\($0.a)-\($0.b)" } == ["upbit-okx", "bithumb-okx"])
    }

    @Test func theCapPerAssetKeepsThePairsWithTheMostVolume() throws {
        let inst = Instrument(tick: Fixed(raw: 1), step: Fixed(raw: 1), minNotional: .zero)
        let entry = ListingEntry(
            symbol: "XUSDT", base: "X", usdtVolumes: PerVenue(0, except: [.binance: 5, .okx: 9, .bybit: 1]),
            referencePriceUSD: 1, instruments: PerVenue(repeating: inst))
        let pairs = [PerLeg(a: Venue.upbit, b: .binance), PerLeg(a: .upbit, b: .okx), PerLeg(a: .upbit, b: .bybit),
                     PerLeg(a: .binance, b: .okx)]
        var universe = CampaignConfig.defaults.universe
        universe.maxRoutesPerSymbol = 2
        var engine = CampaignConfig.defaults.engine
        engine.mode = .multi
        let members = try UniverseResolver.resolve(universe, engine: engine, listing: [entry], pairs: pairs)
        // binance–okx (14) and upbit–okx (9) beat upbit–binance (5) and upbit–bybit (1); the order of `pairs` stays.
        #expect(members.map(\.route.key) == ["XUSDT@upbit-okx", "XUSDT@binance-okx"])
        #expect(members.map(\.route.index) == [0, 1])
    }
}
