import ArbCore
import ArbEngine
import ArbMarketData
import Foundation
import MicroHTTPD
import Synchronization
import Testing
@testable import ArbLive

/// `../shared/exchange-samples`: REST answers recorded from the exchanges by other projects (present in CI).
let restSamples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../../shared/exchange-samples").standardizedFileURL
let restSamplesPresent = FileManager.default.fileExists(atPath: restSamples.path)

/// One venue's REST answers by path on real libmicrohttpd, with the calls it saw.
final class VenueREST: @unchecked Sendable {
    final class Log: Sendable {
        let seen = Mutex<[(path: String, query: [String: String])]>([])
    }

    let server: HTTPServer
    let log = Log()

    init(_ bodies: [String: String]) throws {
        var c = HTTPServer.Configuration()
        c.port = 0
        let log = self.log
        server = HTTPServer(configuration: c) { r in
            log.seen.withLock { $0.append((r.path, r.query)) }
            guard let body = bodies[r.path] else { return HTTPResponse(status: 404, contentType: "application/json", body: "{}") }
            return HTTPResponse(status: 200, contentType: "application/json", body: body)
        }
        try server.start()
    }

    var url: String { "http://127.0.0.1:\(server.port)" }
}

@Suite(.serialized) struct LiveListingTests {
    func sample(_ path: String) throws -> Data { try Data(contentsOf: restSamples.appendingPathComponent(path)) }

    /// The recorded answers of each venue become the instruments their figures say.
    @Test(.enabled(if: restSamplesPresent, "needs ../shared/exchange-samples"))
    func recordedAnswersBecomeInstruments() throws {
        // Binance in 2021 wrote the minimum notional as MIN_NOTIONAL (10 USDT then).
        let ticker = try sample("binance-upbit/binance_rest_ticker_24hr_btcusdt_2021-10-22.json")
        let binance = try ExchangeListing.binance(tickers: Data("[".utf8) + ticker + Data("]".utf8),
                                                  exchangeInfo: try sample("binance-upbit/binance_rest_exchangeinfo_full_2021-10-12.json"))
        #expect(binance.count == 1)
        #expect(binance["BTC"]?.instrument == Instrument(tick: Fixed("0.01")!, step: Fixed("0.00001")!, minNotional: Fixed(10)))
        #expect(binance["BTC"]?.price == 60_755.18)

        let upbit = try ExchangeListing.krw(.upbit, markets: try sample("binance-upbit/upbit_rest_market_all_2021-04-17.json"),
                                            tickers: [try sample("binance-upbit/upbit_rest_ticker_krw-btc_krw-eth_2021-01-08.json")])
        #expect(upbit.count == 117)
        #expect(upbit["BTC"]?.price == 47_577_000 && upbit["ETH"]?.price == 1_410_000)
        #expect(upbit["XRP"] == ExchangeListing.VenueMarket(price: nil, quoteVolume: 0))

        // OKX: the 2022 instruments (older fields) with the 2023 tickers; minimum notional = minSz × last.
        let tickers = try JSONSerialization.jsonObject(with: try sample("okx/rest_tickers_spot.real-2023-01-04.trimmed.json")) as! [String: Any]
        let btcTicker = try JSONSerialization.jsonObject(with: try sample("okx/rest_ticker_BTC-USDT.real-2023-01-04.json")) as! [String: Any]
        let rows = (tickers["data"] as! [Any]) + (btcTicker["data"] as! [Any])
        let okxTickers = try JSONSerialization.data(withJSONObject: ["code": "0", "msg": "", "data": rows])
        let okx = try ExchangeListing.okx(instruments: try sample("okx/rest_instruments_spot.real-2022-05-13.excerpt.json"), tickers: okxTickers)
        #expect(Set(okx.keys) == ["BTC"])  // ETH and OKB have no ticker in the sample
        #expect(okx["BTC"]?.instrument == Instrument(tick: Fixed("0.1")!, step: Fixed("0.00000001")!, minNotional: Fixed(1)))
        #expect(okx["BTC"]?.quoteVolume == 86_702_682.03645192)
        let okxDoc = try ExchangeListing.okx(instruments: try sample("okx/rest_instruments_spot.doc.json"), tickers: okxTickers)
        #expect(okxDoc["BTC"]?.instrument?.tick == Fixed("0.1")!)

        let bybit = try ExchangeListing.bybit(instruments: try sample("bybit/rest_instruments_spot.doc.json"),
                                              tickers: try sample("bybit/rest_tickers_spot.doc.json"))
        #expect(bybit["BTC"] == ExchangeListing.VenueMarket(
            instrument: Instrument(tick: Fixed("0.1")!, step: Fixed("0.000001")!, minNotional: Fixed(5)),
            price: 20_533.13, quoteVolume: 243_765_620.65899866))

        // An OKX error answer and a Bithumb error in an HTTP 200 are errors that show the answer.
        #expect(throws: ExchangeListing.FetchError.self) {
            try ExchangeListing.okx(instruments: try sample("okx/rest_error_404.real-2026-09-29.reformatted.json"), tickers: okxTickers)
        }
        let bithumbError = try sample("bithumb/rest_error_code_not_found.real-2026-09-23.json")
        #expect(throws: ExchangeListing.FetchError.self) {
            try ExchangeListing.krw(.bithumb, markets: Data(#"[{"market":"KRW-BTC"}]"#.utf8), tickers: [bithumbError])
        }
    }

    /// Bithumb's `market/all` of 150 markets: its tickers in two calls of at most 100.
    static func bithumbBodies() -> [String: String] {
        let bases = ["BTC", "ETH", "SOL", "LTC"] + (0..<146).map { "C\($0)" }
        let markets = "[" + bases.map { #"{"market":"KRW-\#($0)"}"# }.joined(separator: ",") + #",{"market":"BTC-ETH"}]"#
        return ["/v1/market/all": markets,
                "/v1/ticker": #"[{"market":"KRW-BTC","trade_price":141000000,"acc_trade_price_24h":9.1e10},{"market":"KRW-ETH","trade_price":4260000},{"market":"KRW-LTC","trade_price":140000}]"#]
    }

    static func okxBodies() -> [String: String] {
        func inst(_ base: String, _ tick: String, _ lot: String, _ min: String, state: String = "live") -> String {
            #"{"instId":"\#(base)-USDT","baseCcy":"\#(base)","quoteCcy":"USDT","tickSz":"\#(tick)","lotSz":"\#(lot)","minSz":"\#(min)","state":"\#(state)"}"#
        }
        return ["/api/v5/public/instruments": #"{"code":"0","msg":"","data":["# + [inst("BTC", "0.1", "0.00000001", "0.00001"),
            inst("ETH", "0.01", "0.000001", "0.001"), inst("SOL", "0.01", "0.0001", "0.01", state: "suspend"),
            #"{"instId":"ETH-BTC","baseCcy":"ETH","quoteCcy":"BTC","tickSz":"0.00001","lotSz":"0.000001","minSz":"0.001","state":"live"}"#,
        ].joined(separator: ",") + "]}",
                "/api/v5/market/tickers": #"{"code":"0","msg":"","data":[{"instId":"BTC-USDT","last":"100010","volCcy24h":"2000000000"},{"instId":"ETH-USDT","last":"3001","volCcy24h":"2500000000"},{"instId":"SOL-USDT","last":"150","volCcy24h":"1"}]}"#]
    }

    static func bybitBodies() -> [String: String] {
        func inst(_ base: String, _ tick: String, _ precision: String, _ min: String) -> String {
            #"{"symbol":"\#(base)USDT","baseCoin":"\#(base)","quoteCoin":"USDT","status":"Trading","lotSizeFilter":{"basePrecision":"\#(precision)","minOrderAmt":"\#(min)"},"priceFilter":{"tickSize":"\#(tick)"}}"#
        }
        return ["/v5/market/instruments-info": #"{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":["# + [
            inst("BTC", "0.1", "0.000001", "5"), inst("SOL", "0.01", "0.001", "1"), inst("LTC", "0.01", "0.00001", "1"),
        ].joined(separator: ",") + "]}}",
                "/v5/market/tickers": #"{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":"BTCUSDT","lastPrice":"99990","turnover24h":"1500000000"},{"symbol":"SOLUSDT","lastPrice":"150.1","turnover24h":"900000000"},{"symbol":"LTCUSDT","lastPrice":"100","turnover24h":"3000000000"}]}}"#]
    }

    /// `universe.source: live` over five venues: each venue read at its REST URL through its limiter, `TOP_N`
    /// ranked by the USDT volume summed over the venues of the campaign's pairs, routes on every pair listing
    /// the asset with each venue's rules.
    @Test func topNRanksOverEveryConfiguredVenue() async throws {
        let binance = try FakeREST()
        let bithumb = try VenueREST(Self.bithumbBodies())
        let okx = try VenueREST(Self.okxBodies())
        let bybit = try VenueREST(Self.bybitBodies())
        defer { for s in [binance.server, bithumb.server, okx.server, bybit.server] { s.stop() } }
        let hub = LiveHub()
        let sources = StandardSourceFactory(live: LiveSourceFactory(hub: hub))
        let config = try CampaignConfig.parse([
            "universe": ["source": "live", "top_n": 3],
            "engine": ["mode": "multi", "multi_symbol_enabled": true],
            "venues": ["upbit", "bithumb", "binance", "okx", "bybit"],
            "routes": ["pairs": ["upbit-binance", "bithumb-okx", "bithumb-bybit", "upbit-bybit"]],
            "venue_config": ["upbit": ["rest_url": .string(binance.url)], "binance": ["rest_url": .string(binance.url)],
                             "bithumb": ["rest_url": .string(bithumb.url)], "okx": ["rest_url": .string(okx.url)],
                             "bybit": ["rest_url": .string(bybit.url)]],
        ])
        try await sources.prepare(config: config)
        let members = try Campaign(config: config, sources: sources).members
        // USDT volume over Binance, OKX and Bybit: LTC 3.0 G (Bybit only), BTC 5.0 + 2.0 + 1.5, ETH 3.0 + 2.5,
        // SOL 1.0 + 0.9 (OKX's SOL is suspended). Top 3: BTC, ETH, LTC.
        #expect(members.map(\.route.key) == ["BTCUSDT", "BTCUSDT@bithumb-okx", "BTCUSDT@bithumb-bybit", "BTCUSDT@upbit-bybit",
                                             "ETHUSDT", "ETHUSDT@bithumb-okx", "LTCUSDT@bithumb-bybit"])
        #expect(members[0].quoteVolumeUSD == 8_500_000_000.5)
        let onOKX = members[1].route.instruments
        #expect(onOKX.a == Instrument(tick: Fixed(1000), step: Fixed(raw: 1), minNotional: Fixed(5_000)))  // 141,000,000 KRW
        #expect(onOKX.b == Instrument(tick: Fixed("0.1")!, step: Fixed("0.00000001")!, minNotional: Fixed("1.01")!))  // 0.00001 BTC at 100,010, up to the cent
        #expect(members[5].route.instruments.b.minNotional == Fixed("3.01")!)  // 0.001 ETH at 3,001
        #expect(members[6].route.instruments.a.tick == Fixed(100))  // 140,000 KRW
        #expect(members[2].route.instruments.b == Instrument(tick: Fixed("0.1")!, step: Fixed("0.000001")!, minNotional: Fixed(5)))

        // Bithumb's 150 KRW markets were asked in two calls of at most 100.
        let tickerCalls = bithumb.log.seen.withLock { $0.filter { $0.path == "/v1/ticker" } }
        #expect(tickerCalls.count == 2)
        #expect(tickerCalls.allSatisfy { ($0.query["markets"] ?? "").split(separator: ",").count <= 100 })
        let asked: Int = tickerCalls.map { ($0.query["markets"] ?? "").split(separator: ",").count }.reduce(0, +)
        #expect(asked == 150)
        // Every call went through its venue's limiter and was counted.
        #expect(hub.status[.bithumb].restRequests.load(ordering: .relaxed) == 3)
        #expect(hub.status[.okx].restRequests.load(ordering: .relaxed) == 2)
        #expect(hub.status[.bybit].restRequests.load(ordering: .relaxed) == 2)
        #expect(hub.status[.binance].restRequests.load(ordering: .relaxed) == 2)
        #expect(hub.status[.upbit].restRequests.load(ordering: .relaxed) == 2)
        #expect(hub.status[.okx].restErrors.load(ordering: .relaxed) == 0)
    }

    /// A venue that fails its listing fails the campaign's preparation, naming the venue's call.
    @Test func aFailingVenueIsAConfigErrorNamingIt() async throws {
        let binance = try FakeREST()
        let okx = try VenueREST(["/api/v5/public/instruments": #"{"code":"50011","msg":"Rate limit reached."}"#])
        defer { for s in [binance.server, okx.server] { s.stop() } }
        let hub = LiveHub()
        let sources = StandardSourceFactory(live: LiveSourceFactory(hub: hub))
        let config = try CampaignConfig.parse([
            "universe": ["source": "live", "top_n": 3],
            "venues": ["upbit", "okx"],
            "venue_config": ["upbit": ["rest_url": .string(binance.url)], "okx": ["rest_url": .string(okx.url)]],
        ])
        await #expect {
            try await sources.prepare(config: config)
        } throws: { error in
            let text = "\(error)"
            return text.contains("universe.source") && text.contains("/api/v5/public/instruments") && text.contains("rate limited (code 50011)")
        }
        // The 50011 answer holds OKX's calls for its window.
        #expect(hub.status[.okx].restLimited.load(ordering: .relaxed) == 1)
        #expect(hub.rest[.okx].limiter.blockedUntilNs > MonotonicClock.wallNanoseconds())
    }
}
