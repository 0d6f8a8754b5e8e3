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
}
