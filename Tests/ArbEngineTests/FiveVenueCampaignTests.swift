import ArbCore
import ArbEngine
import ArbTesting
import ArbMarketData
import ArbMetrics
import Testing

extension CampaignSuites {
/// Campaigns over the five venues on the synthetic market: cross-quote and same-quote pairs.
@Suite struct FiveVenueCampaignTests {
    static let pairs: [JSONValue] = ["upbit-binance", "bithumb-okx", "upbit-bybit", "upbit-bithumb", "binance-okx", "bybit-okx"]
    static let twoHours = multi([
        "venues": ["upbit", "bithumb", "binance", "okx", "bybit"],
        "routes": ["pairs": .array(pairs)],
        "universe": ["top_n": 20],
        "market_data": ["seed": 3, "updates_per_second": 1],
        "session": ["clock": "simulated", "max_runtime_seconds": 7200],
    ])

    /// The market pair of a route key: `BTCUSDT` is the seed's pair.
    static func pair(_ key: String) -> String { key.split(separator: "@").dropFirst().first.map(String.init) ?? "upbit-binance" }

    @Test func fiveVenuesOverTwoHoursTradeEveryPairReconcileAndRepeat() async throws {
        let (first, recorder) = try await runCampaign(Self.twoHours)
        let (second, _) = try await runCampaign(Self.twoHours)
        let s = first.stats
        #expect(s.status == "completed")
        #expect(results(first.stats) == results(second.stats))
        // Every pair carries routes and trades, cross-quote and same-quote alike.
        var trades: [String: Int] = [:]
        let routes = try #require(s.routes)
        for (key, route) in routes { trades[Self.pair(key), default: 0] += route.trades }
        for pair in Self.pairs.compactMap(\.stringValue) {
            #expect((trades[pair] ?? 0) > 5, "\(pair): \(trades[pair] ?? 0) trades")
        }
        // Assets not listed on a venue have no route there: SEI is not on Bithumb or OKX.
        #expect(routes.keys.contains { $0.hasPrefix("SEIUSDT@") && ($0.contains("bithumb") || $0.contains("okx")) } == false)
        // Symbols aggregate an asset over its routes: 20 assets, their routes' trades summed.
        #expect(s.symbols.count == 20 && s.perSymbol.count == 20 && routes.count > 60)
        for (symbol, sum) in s.perSymbol {
            let own = routes.values.filter { $0.symbol == symbol }
            #expect(sum.trades == own.reduce(0) { $0 + $1.trades } && s.riskStats.symbols[symbol] != nil)
        }
        #expect(routes["BTCUSDT"]?.venues == ["upbit", "binance"] && routes["BTCUSDT@bithumb-okx"]?.venues == ["bithumb", "okx"])
        // Metrics label each route with its asset, key and pair, and give each KRW venue its fx.
        var text = MetricsText()
        CampaignMetrics.render([CampaignProbe(id: "five", kernel: first.kernel, startNs: 0, nowNs: 0)], into: &text)
        let exposition = String(decoding: text.bytes, as: UTF8.self)
        #expect(exposition.contains(#"arbitrage_premium_bps{campaign="five",symbol="BTCUSDT",route="BTCUSDT@bithumb-okx",pair="bithumb-okx"}"#))
        #expect(exposition.contains(#"arbitrage_premium_bps{campaign="five",symbol="BTCUSDT",route="BTCUSDT",pair="upbit-binance"}"#))
        #expect(exposition.contains(#"arbitrage_fx_krw_per_usdt{campaign="five",venue="bithumb"}"#))
        #expect(exposition.contains(#"arbitrage_market_data_updates_total{campaign="five",exchange="bybit"}"#))
        // Per venue and asset, balances are initial plus every fill's flows, exactly.
        #expect(s.balances.reconciled)
        let fills = recorder.snapshot.fills
        for venue in Venue.allCases {
            var expected: [String: Fixed] = [:]
            for (asset, v) in s.balances.venues[venue.rawValue] ?? [:] { expected[asset] = Fixed(v.initial)! }
            for f in fills where f.venue == venue {
                let base = try #require(venue.info.base(ofMarket: f.market))
                expected[base, default: .zero] += f.side == .buy ? f.quantity : -f.quantity
                expected[venue.quoteAsset, default: .zero] += f.quoteFlow
            }
            #expect(fills.contains { $0.venue == venue }, "no fill on \(venue)")
            for (asset, amount) in expected {
                #expect(Fixed(s.balances.venues[venue.rawValue]![asset]!.final) == amount, "\(venue) \(asset)")
            }
        }
        // Same-quote fills convert at their own quote: USDT fills at fx 1, KRW–KRW fills at leg A's fx.
        let trade = try #require(recorder.snapshot.trades.first { Self.pair($0.route) == "binance-okx" && $0.status == .closed })
        let byId = Dictionary(grouping: fills, by: \.tradeId)
        #expect(byId[trade.id]!.allSatisfy { $0.fx == Fixed(1) })
        #expect(trade.realizedPnlUSD == byId[trade.id]!.reduce(Fixed.zero) { $0 + $1.usdFlow })
    }

    @Test func theDefaultPairsAreEveryKRWVenueAgainstEveryUSDTVenue() throws {
        let config = try CampaignConfig.parse(["venues": ["bithumb", "okx", "upbit", "binance"]])
        #expect(config.routePairs.map { "\($0.a)-\($0.b)" } == ["bithumb-okx", "bithumb-binance", "upbit-okx", "upbit-binance"])
        #expect(CampaignConfig.defaults.routePairs == [Route.seedPair])
    }
}
}
