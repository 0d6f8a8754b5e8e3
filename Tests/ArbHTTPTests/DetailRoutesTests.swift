import ArbCore
import ArbTestSupport
import Foundation
import Testing

extension HTTPSuites {
@Suite struct DetailRoutesTests {
    @Test func symbolsRiskUniverseAndCSVOfAFinishedCampaign() async throws {
        let s = try Service()
        let id = try #require(try await s.call("POST", "/campaigns", json: simulated).json["id"]?.stringValue)
        _ = try await s.waitFinished(id)

        let symbols = try await s.call("GET", "/campaigns/\(id)/symbols").json
        #expect(symbols["items"]?.arrayValue?.compactMap { $0["symbol"]?.stringValue } == ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
        let btc = try await s.call("GET", "/campaigns/\(id)/symbols/BTCUSDT").json
        #expect(btc["symbol"] == "BTCUSDT" && (btc["iterations"]?.intValue ?? 0) > 0 && btc["risk"]?["trades_executed"] != nil)
        #expect(try await s.call("GET", "/campaigns/\(id)/symbols/DOGEUSDT").status == 404)

        let risk = try await s.call("GET", "/campaigns/\(id)/risk").json
        #expect(risk.at("limits.total_capital_usd") == 10_000 && risk.at("global.trades_executed") != nil)
        let symbolRisk = try await s.call("GET", "/campaigns/\(id)/risk/symbols/ETHUSDT").json
        #expect(symbolRisk["symbol"] == "ETHUSDT" && symbolRisk["allocation_cap_usd"] == 3_000)
        #expect(try await s.call("GET", "/campaigns/\(id)/risk/symbols/XYZUSDT").status == 404)

        let universe = try await s.call("GET", "/campaigns/\(id)/universe").json["items"]!.arrayValue!
        #expect(universe.count == 3 && universe[0].at("upbit.market") == "KRW-BTC" && universe[0].at("binance.step") == "0.00001")

        let port = s.port
        let csv = try await offPool { try RawClient.request(port: port, "GET", "/campaigns/\(id)/trades?limit=3", headers: ["Accept": "text/csv"]) }
        #expect(csv.status == 200 && csv.headers["content-type"]?.hasPrefix("text/csv") == true)
        let lines = csv.body.split(separator: "\n")
        #expect(lines.count == 4 && lines[0].hasPrefix("id,symbol,direction,status"))
        #expect(csv.headers["x-next-cursor"] != nil)

        #expect(try await s.call("POST", "/campaigns/\(id)/resume").status == 409)
        #expect(try await s.call("POST", "/campaigns/nope/resume").status == 404)
        #expect(try await s.call("PATCH", "/campaigns/\(id)", json: #"{"strategy": {"entry_threshold_bps": 50}}"#).status == 409)
    }

    @Test func universePreviewResolvesWithoutRunning() async throws {
        let s = try Service()
        let preview = try await s.call("POST", "/universe/preview", json: #"{"universe": {"top_n": 5, "blacklist": ["ETHUSDT"]}}"#)
        #expect(preview.status == 200)
        #expect(preview.json["items"]?.arrayValue?.compactMap { $0["symbol"]?.stringValue } == ["BTCUSDT", "SOLUSDT", "XRPUSDT", "DOGEUSDT", "SUIUSDT"])
        #expect(preview.json["items"]?.arrayValue?.first?["quote_volume_usd"]?.doubleValue == 1.5e9)
        let bad = try await s.call("POST", "/universe/preview", json: #"{"universe": {"top_n": 0}, "session": {}}"#)
        #expect(bad.status == 422)
        #expect(bad.json["errors"]?.arrayValue?.compactMap { $0["field"]?.stringValue } == ["session"])
        let badTop = try await s.call("POST", "/universe/preview", json: #"{"universe": {"top_n": 0}}"#)
        #expect(badTop.json["errors"]?.arrayValue?.first?["field"] == "universe.top_n")
        #expect(try await s.call("GET", "/campaigns").json["items"] == [])
    }

    @Test func aRunningCampaignTakesChangesAndFlattens() async throws {
        let s = try Service()
        let body = #"{"universe": {"top_n": 2}, "engine": {"mode": "multi", "multi_symbol_enabled": true}, "strategy": {"entry_threshold_bps": -40}, "multi_symbol_risk_guard": {"cooldown_seconds": 0}, "market_data": {"updates_per_second": 20}, "session": {"max_runtime_seconds": 60}}"#
        let id = try #require(try await s.call("POST", "/campaigns", json: body).json["id"]?.stringValue)

        let patched = try await s.call("PATCH", "/campaigns/\(id)", json: #"{"strategy": {"entry_threshold_bps": 500}, "multi_symbol_risk_guard": {"max_daily_loss_usd": 50}}"#)
        #expect(patched.status == 200)
        #expect(patched.json.at("config.strategy.entry_threshold_bps") == 500)
        #expect(patched.json.at("config.strategy.exit_threshold_bps") == 0)  // untouched keys stay
        #expect(try await s.call("GET", "/campaigns/\(id)/risk").json.at("limits.max_daily_loss_usd") == 50)
        // Invalid or not-live changes are refused and change nothing.
        let bad = try await s.call("PATCH", "/campaigns/\(id)", json: #"{"strategy": {"entry_threshold_bps": "high"}, "session": {"max_runtime_seconds": 5}}"#)
        #expect(bad.status == 422)
        #expect(Set(bad.json["errors"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []) == ["session"])
        let wrongType = try await s.call("PATCH", "/campaigns/\(id)", json: #"{"strategy": {"entry_threshold_bps": "high"}}"#)
        #expect(wrongType.status == 422 && wrongType.json["errors"]?.arrayValue?.first?["field"] == "strategy.entry_threshold_bps")
        #expect(try await s.call("GET", "/campaigns/\(id)").json.at("config.strategy.entry_threshold_bps") == 500)

        // Back to trading, then flatten one symbol on request.
        _ = try await s.call("PATCH", "/campaigns/\(id)", json: #"{"strategy": {"entry_threshold_bps": -40}}"#)
        var held = false
        for _ in 0..<100 where !held {
            try await Task.sleep(for: .milliseconds(50))
            held = try await s.call("GET", "/campaigns/\(id)/symbols/BTCUSDT").json["position"] != .null
        }
        #expect(held)
        _ = try await s.call("POST", "/campaigns/\(id)/pause")
        let flatten = try await s.call("POST", "/campaigns/\(id)/symbols/BTCUSDT/flatten")
        #expect(flatten.status == 202)
        var flat = false
        for _ in 0..<100 where !flat {
            try await Task.sleep(for: .milliseconds(50))
            flat = try await s.call("GET", "/campaigns/\(id)/symbols/BTCUSDT").json["position"] == .null
        }
        #expect(flat)
        #expect(try await s.call("POST", "/campaigns/\(id)/symbols/NOPEUSDT/flatten").status == 404)
        _ = try await s.call("POST", "/campaigns/\(id)/stop")
        let trades = try await s.call("GET", "/campaigns/\(id)/trades?symbol=BTCUSDT&limit=1000").json["items"]!.arrayValue!
        #expect(trades.contains { $0["exit_reason"] == "flatten" })
    }
}
}
