import ArbCore
import ArbHTTP
import Foundation
import Testing

extension HTTPSuites {
/// The per-route and venue views of the API over real HTTP, on a campaign over four venues.
@Suite struct RoutesAPITests {
    static let body = #"{"venues": ["upbit", "bithumb", "binance", "okx"], "routes": {"pairs": ["upbit-binance", "bithumb-okx", "binance-okx"]}, "universe": {"top_n": 3}, "engine": {"mode": "multi", "multi_symbol_enabled": true}, "strategy": {"entry_threshold_bps": -10}, "multi_symbol_risk_guard": {"cooldown_seconds": 0}, "session": {"clock": "simulated", "max_runtime_seconds": 300}}"#

    @Test func routesSymbolsAndVenuesAnswerForEveryPair() async throws {
        let s = try Service()
        let id = try #require(try await s.call("POST", "/campaigns", json: Self.body).json["id"]?.stringValue)
        _ = try await s.waitFinished(id)
        let routes = try await s.call("GET", "/campaigns/\(id)/routes")
        #expect(routes.status == 200)
        let items = routes.json["items"]?.arrayValue ?? []
        #expect(items.count == 9)
        let keys = Set(items.compactMap { $0["route"]?.stringValue })
        #expect(keys.contains("BTCUSDT") && keys.contains("BTCUSDT@bithumb-okx") && keys.contains("ETHUSDT@binance-okx"))

        let one = try await s.call("GET", "/campaigns/\(id)/routes/BTCUSDT@bithumb-okx")
        #expect(one.status == 200 && one.json["symbol"] == "BTCUSDT" && one.json["venues"] == ["bithumb", "okx"])
        #expect(try await s.call("GET", "/campaigns/\(id)/routes/BTCUSDT@upbit-bybit").status == 404)
        #expect(try await s.call("GET", "/campaigns/\(id)/routes/not-a-key").status == 404)

        // A symbol sums its routes.
        let symbol = try await s.call("GET", "/campaigns/\(id)/symbols/BTCUSDT").json
        let btc = items.filter { $0["symbol"] == "BTCUSDT" }
        #expect(btc.count == 3)
        #expect(symbol["trades"]?.intValue == btc.reduce(0) { $0 + ($1["trades"]?.intValue ?? 0) })
        #expect((symbol["trades"]?.intValue ?? 0) > 0)
        let stats = try await s.call("GET", "/campaigns/\(id)/stats").json
        #expect(stats["symbols"] == ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
        #expect(stats.at("balances.bithumb.KRW") != nil && stats.at("balances.okx.USDT") != nil)

        // Trades and decisions filter by a route's key.
        let trades = try await s.call("GET", "/campaigns/\(id)/trades?symbol=BTCUSDT@bithumb-okx&limit=1000")
        let routesOfTrades = Set(trades.json["items"]?.arrayValue?.compactMap { $0["route"]?.stringValue } ?? [])
        #expect(trades.status == 200 && routesOfTrades == ["BTCUSDT@bithumb-okx"])
        #expect(try await s.call("GET", "/campaigns/\(id)/decisions?symbol=BTCUSDT@bithumb-okx").status == 200)
        #expect(try await s.call("GET", "/campaigns/\(id)/trades?symbol=BTCUSDT@Bithumb-okx").status == 422)
        #expect(try await s.call("GET", "/campaigns/\(id)/trades?symbol=BTCUSDT@bithumb").status == 422)

        // Flattening needs a running campaign, and a route or symbol it has.
        #expect(try await s.call("POST", "/campaigns/\(id)/routes/BTCUSDT@bithumb-okx/flatten").status == 409)
        #expect(try await s.call("POST", "/campaigns/nope/routes/BTCUSDT/flatten").status == 404)

        let venues = try await s.call("GET", "/venues")
        let names = venues.json["items"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(venues.status == 200 && names == ["upbit", "binance", "bithumb", "okx", "bybit"])
        #expect(venues.json["items"]?.arrayValue?.first { $0["name"] == "okx" }?["market_example"] == "BTC-USDT")
        #expect(venues.json["items"]?.arrayValue?.first { $0["name"] == "bithumb" }?["tardis_exchange"] == .null)
    }

    @Test func aRunningCampaignFlattensOneRouteOrEveryRouteOfASymbol() async throws {
        let s = try Service()
        let realtime = Self.body.replacingOccurrences(of: #""clock": "simulated", "max_runtime_seconds": 300"#,
                                                      with: #""clock": "realtime", "max_runtime_seconds": 30"#)
        let id = try #require(try await s.call("POST", "/campaigns", json: realtime).json["id"]?.stringValue)
        try await Task.sleep(for: .milliseconds(300))
        let route = try await s.call("POST", "/campaigns/\(id)/routes/BTCUSDT@bithumb-okx/flatten")
        #expect(route.status == 202 && route.json["route"] == "BTCUSDT@bithumb-okx")
        #expect(try await s.call("POST", "/campaigns/\(id)/routes/BTCUSDT@upbit-okx/flatten").status == 404)
        let symbol = try await s.call("POST", "/campaigns/\(id)/symbols/ETHUSDT/flatten")
        #expect(symbol.status == 202)
        #expect(try await s.call("POST", "/campaigns/\(id)/symbols/XRPUSDT/flatten").status == 404)
        _ = try await s.call("POST", "/campaigns/\(id)/stop")
    }
}
}
