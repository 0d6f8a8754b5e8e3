import ArbCore
import ArbEngine
import ArbTesting
import ArbLive
import ArbMarketData
import Foundation
import MicroHTTPD
import Synchronization
import Testing

/// Binance's and Upbit's REST answers, served by a local HTTP server.
final class FakeREST: @unchecked Sendable {
    final class Log: Sendable {
        let seen = Mutex<[(path: String, query: [String: String], headers: [String: String])]>([])
        let failWith = Mutex<Int?>(nil)
    }

    let server: HTTPServer
    let log = Log()

    static func binanceSymbol(_ symbol: String, base: String, status: String = "TRADING", tick: String = "0.01",
                              step: String = "0.00001", notional: String? = "5") -> String {
        var filters = [#"{"filterType":"PRICE_FILTER","minPrice":"0.01","maxPrice":"1000000","tickSize":"\#(tick)"}"#,
                       #"{"filterType":"LOT_SIZE","minQty":"0.00001","maxQty":"9000","stepSize":"\#(step)"}"#]
        if let notional { filters.append(#"{"filterType":"NOTIONAL","minNotional":"\#(notional)","applyMinToMarket":true}"#) }
        return #"{"symbol":"\#(symbol)","status":"\#(status)","baseAsset":"\#(base)","quoteAsset":"USDT","filters":[\#(filters.joined(separator: ","))]}"#
    }

    static let tickers = """
        [{"symbol":"BTCUSDT","quoteVolume":"5000000000.5","lastPrice":"100000.00"},
         {"symbol":"ETHUSDT","quoteVolume":"3000000000","lastPrice":"3000.00"},
         {"symbol":"USDCUSDT","quoteVolume":"4000000000","lastPrice":"1.0001"},
         {"symbol":"XYZUSDT","quoteVolume":"2500000000","lastPrice":"2.5"},
         {"symbol":"BNBUSDT","quoteVolume":"2000000000","lastPrice":"600"},
         {"symbol":"DOGEUSDT","quoteVolume":"1200000000","lastPrice":"0.21"},
         {"symbol":"SOLUSDT","quoteVolume":"1000000000","lastPrice":"150"},
         {"symbol":"HALTUSDT","quoteVolume":"9000000000","lastPrice":"1"},
         {"symbol":"ETHBTC","quoteVolume":"9000000000","lastPrice":"0.03"}]
        """
    static let exchangeInfo = "{\"timezone\":\"UTC\",\"symbols\":[" + [
        binanceSymbol("BTCUSDT", base: "BTC"), binanceSymbol("ETHUSDT", base: "ETH"),
        binanceSymbol("USDCUSDT", base: "USDC", tick: "0.0001", step: "1"), binanceSymbol("XYZUSDT", base: "XYZ"),
        binanceSymbol("BNBUSDT", base: "BNB"), binanceSymbol("DOGEUSDT", base: "DOGE", tick: "0.00001", step: "1", notional: nil),
        binanceSymbol("SOLUSDT", base: "SOL", tick: "0.01", step: "0.001"), binanceSymbol("HALTUSDT", base: "HALT", status: "BREAK"),
    ].joined(separator: ",") + "]}"
    static let markets = """
        [{"market":"KRW-BTC"},{"market":"KRW-ETH"},{"market":"KRW-SOL"},{"market":"KRW-DOGE"},{"market":"KRW-USDC"},
         {"market":"KRW-HALT"},{"market":"BTC-BNB"},{"market":"KRW-XRP"}]
        """
    static let upbitTickers = """
        [{"market":"KRW-BTC","trade_price":140500000.0},{"market":"KRW-ETH","trade_price":4250000},
         {"market":"KRW-SOL","trade_price":212000},{"market":"KRW-DOGE","trade_price":301},{"market":"KRW-USDC","trade_price":1401}]
        """

    init() throws {
        var c = HTTPServer.Configuration()
        c.port = 0
        let log = self.log
        server = HTTPServer(configuration: c) { r in
            log.seen.withLock { $0.append((r.path, r.query, r.headers)) }
            if let status = log.failWith.withLock({ $0 }) {
                return HTTPResponse(status: status, headers: [("Retry-After", "7")], body: Array(#"{"code":-1003,"msg":"Too many requests"}"#.utf8))
            }
            let body: String
            switch r.path {
            case "/api/v3/ticker/24hr": body = Self.tickers
            case "/api/v3/exchangeInfo": body = Self.exchangeInfo
            case "/v1/market/all": body = Self.markets
            case "/v1/ticker/all": body = Self.upbitTickers
            default: return HTTPResponse(status: 404, contentType: "application/json", body: "{}")
            }
            return HTTPResponse(status: 200, contentType: "application/json", body: body)
        }
        try server.start()
    }

    var url: String { "http://127.0.0.1:\(server.port)" }
}

@Suite(.serialized) struct ExchangeListingTests {
    func config(_ rest: FakeREST, topN: Int) throws -> CampaignConfig {
        try CampaignConfig.parse([
            "universe": ["source": "live", "top_n": .int(Int64(topN))],
            "engine": ["mode": "multi", "multi_symbol_enabled": true],
            "market_data": ["live": ["binance_rest_url": .string(rest.url), "upbit_rest_url": .string(rest.url + "/")]],
        ])
    }

    @Test func topNComesFromBinanceVolumeOnRoutesUpbitLists() async throws {
        let rest = try FakeREST()
        defer { rest.server.stop() }
        let sources = StandardSourceFactory(live: LiveSourceFactory(hub: LiveHub()))
        let config = try config(rest, topN: 4)
        try await sources.prepare(config: config)
        let members = try Campaign(config: config, sources: sources).members
        // By quote volume: HALT (not trading), BTC, USDC (stablecoin), ETH, XYZ (not on Upbit), BNB (Upbit lists
        // BTC-BNB, not KRW-BNB), DOGE, SOL; ETHBTC is not a USDT pair.
        #expect(members.map(\.route.key) == ["BTCUSDT", "ETHUSDT", "DOGEUSDT", "SOLUSDT"])
        let btc = members[0]
        #expect(btc.quoteVolumeUSD == 5_000_000_000.5 && btc.referencePriceUSD == 100_000)
        #expect(btc.route.instruments.b == Instrument(tick: Fixed("0.01")!, step: Fixed("0.00001")!, minNotional: Fixed(5)))
        #expect(btc.route.instruments.a == Instrument(tick: Fixed(1000), step: Fixed(raw: 1), minNotional: Fixed(5000)))
        #expect(members[1].route.instruments.a.tick == Fixed(1000))  // 4,250,000 KRW
        #expect(members[2].route.instruments.a.tick == Fixed(1) && members[2].route.instruments.b.step == Fixed(1))  // DOGE: 301 KRW
        #expect(members[2].route.instruments.b.minNotional == Fixed(5))  // no NOTIONAL filter: the default
        #expect(members[3].route.instruments.a.tick == Fixed(100))  // 212,000 KRW
        let paths = Set(rest.log.seen.withLock { $0.map(\.path) })
        #expect(paths == ["/api/v3/ticker/24hr", "/api/v3/exchangeInfo", "/v1/market/all", "/v1/ticker/all"])
        #expect(rest.log.seen.withLock { $0.allSatisfy { $0.headers["origin"] == nil } })
        #expect(rest.log.seen.withLock { $0.first { $0.path == "/api/v3/ticker/24hr" }?.query["type"] } == "MINI")

        // A second campaign within the minute reuses the listing.
        let before = rest.log.seen.withLock { $0.count }
        try await sources.prepare(config: try self.config(rest, topN: 2))
        #expect(rest.log.seen.withLock { $0.count } == before)
    }

    @Test func aRateLimitedExchangeIsAConfigErrorThatSaysSo() async throws {
        let rest = try FakeREST()
        defer { rest.server.stop() }
        rest.log.failWith.withLock { $0 = 429 }
        let sources = StandardSourceFactory(live: LiveSourceFactory(hub: LiveHub()))
        await #expect {
            try await sources.prepare(config: try self.config(rest, topN: 3))
        } throws: { error in
            let text = "\(error)"
            return text.contains("universe.source") && text.contains("HTTP 429") && text.contains("retry after 7 s")
        }
    }
}
