import Testing
@testable import ArbCore

@Suite struct UniverseTests {
    static let krw = Instrument(tick: Fixed(1), step: Fixed(raw: 1), minNotional: Fixed(5000))
    static let usdt = Instrument(tick: Fixed("0.01")!, step: Fixed("0.001")!, minNotional: Fixed(5))

    static func entry(_ base: String, _ volume: Double, upbit: Bool = true, binance: Bool = true) -> ListingEntry {
        ListingEntry(symbol: base + "USDT", base: base, quoteVolumeUSD: volume, referencePriceUSD: 1,
                     upbit: upbit ? krw : nil, binance: binance ? usdt : nil)
    }

    let listing = [
        entry("ETH", 900), entry("BTC", 1000), entry("USDC", 950), entry("BNB", 800, upbit: false),
        entry("XRP", 700), entry("FDUSD", 600, upbit: true), entry("BORA", 500, binance: false), entry("SOL", 700),
    ]

    func config(_ json: JSONValue) throws -> CampaignConfig { try CampaignConfig.parse(json) }

    @Test func topNRanksByVolumeOverRoutesOnBothExchanges() throws {
        let c = try config(["universe": ["top_n": 4], "engine": ["mode": "multi", "multi_symbol_enabled": true]])
        let keys = try UniverseResolver.resolve(c.universe, engine: c.engine, listing: listing).map(\.route.key)
        // USDC and FDUSD are stablecoins, BNB is not on Upbit, BORA not on Binance; ties by symbol.
        #expect(keys == ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"])
    }

    @Test func stablecoinsStayOutWhateverTheBlacklistSays() throws {
        let c = try config(["universe": ["top_n": 10, "blacklist": ["ETHUSDT"]], "engine": ["mode": "multi", "multi_symbol_enabled": true]])
        let keys = try UniverseResolver.resolve(c.universe, engine: c.engine, listing: listing).map(\.route.key)
        #expect(keys == ["BTCUSDT", "SOLUSDT", "XRPUSDT"])
        let open = try config(["universe": ["exclude_stablecoins": false], "engine": ["mode": "multi", "multi_symbol_enabled": true]])
        #expect(try UniverseResolver.resolve(open.universe, engine: open.engine, listing: listing).map(\.route.key).contains("USDCUSDT"))
    }

    @Test func fixedListKeepsOrderAndNamesUnlistedSymbols() throws {
        let c = try config(["universe": ["mode": "FIXED_LIST", "whitelist": ["XRPUSDT", "BTCUSDT"]],
                            "engine": ["mode": "multi", "multi_symbol_enabled": true]])
        let members = try UniverseResolver.resolve(c.universe, engine: c.engine, listing: listing)
        #expect(members.map(\.route.key) == ["XRPUSDT", "BTCUSDT"])
        #expect(members.map(\.route.index) == [0, 1])
        #expect(members[0].route.market(.a) == "KRW-XRP")
        let bad = try config(["universe": ["mode": "FIXED_LIST", "whitelist": ["BTCUSDT", "BNBUSDT"]]])
        #expect(throws: ConfigError(field: "universe.whitelist[1]", "BNBUSDT is not listed on both exchanges")) {
            try UniverseResolver.resolve(bad.universe, engine: bad.engine, listing: listing)
        }
    }

    @Test func singleModeRunsTheFirstRoute() throws {
        let c = try config(["universe": ["top_n": 5]])
        #expect(try UniverseResolver.resolve(c.universe, engine: c.engine, listing: listing).map(\.route.key) == ["BTCUSDT"])
    }

    /// Each chosen asset gets a route on every pair that lists it, in rank order then pair order; the seed's pair
    /// keeps its unsuffixed keys, the others carry theirs.
    @Test func assetsGetARouteOnEveryPairThatListsThem() throws {
        let okx = Instrument(tick: Fixed("0.1")!, step: Fixed("0.0001")!, minNotional: Fixed(1))
        var listing = Self.entry("BTC", 1000).with(.okx, okx).with(.bithumb, Self.krw)
        let eth = Self.entry("ETH", 900).with(.bithumb, Self.krw)  // no OKX market
        let doge = Self.entry("DOGE", 800, upbit: false, binance: false).with(.bithumb, Self.krw).with(.okx, okx)
        let pairs = [Route.seedPair, PerLeg(a: .bithumb, b: .okx), PerLeg(a: .upbit, b: .bithumb)]
        let c = try config(["universe": ["top_n": 3], "engine": ["mode": "multi", "multi_symbol_enabled": true]])
        let members = try UniverseResolver.resolve(c.universe, engine: c.engine, listing: [listing, eth, doge], pairs: pairs)
        #expect(members.map(\.route.key) == ["BTCUSDT", "BTCUSDT@bithumb-okx", "BTCUSDT@upbit-bithumb", "ETHUSDT",
                                            "ETHUSDT@upbit-bithumb", "DOGEUSDT@bithumb-okx"])
        #expect(members.map(\.route.index) == Array(0..<6))
        let btcOKX = members[1].route
        #expect(btcOKX.venues == PerLeg(a: .bithumb, b: .okx) && btcOKX.instruments.b == okx && btcOKX.market(.b) == "BTC-USDT")
        // Only the seed's pair: DOGE (on neither Upbit nor Binance) is left out, as before.
        listing = Self.entry("BTC", 1000)
        #expect(try UniverseResolver.resolve(c.universe, engine: c.engine, listing: [listing, eth, doge]).map(\.route.key)
                == ["BTCUSDT", "ETHUSDT"])
        // A whitelisted asset no pair lists is named.
        let fixed = try config(["universe": ["mode": "FIXED_LIST", "whitelist": ["DOGEUSDT"]], "engine": ["mode": "multi", "multi_symbol_enabled": true]])
        #expect(throws: ConfigError(field: "universe.whitelist[0]", "DOGEUSDT is not listed on both venues of any of the campaign's pairs")) {
            try UniverseResolver.resolve(fixed.universe, engine: fixed.engine, listing: [doge], pairs: [Route.seedPair, PerLeg(a: .upbit, b: .bithumb)])
        }
    }
}

extension ListingEntry {
    func with(_ venue: Venue, _ instrument: Instrument) -> ListingEntry {
        var e = self
        e.instruments[venue] = instrument
        return e
    }
}
