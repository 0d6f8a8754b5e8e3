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
