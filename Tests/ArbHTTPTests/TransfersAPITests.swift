import ArbCore
import ArbHTTP
import ArbMetrics
import Foundation
import Testing

extension HTTPSuites {
/// Operators' transfers over real HTTP: made on the campaign clock, refused with the rule's reason, listed as
/// they settle, and the balances they moved.
@Suite struct TransfersAPITests {
    /// A realtime campaign that never trades (so only transfers move balances), with BTC arriving in under a
    /// second and Binance's ETH withdrawals suspended for the whole run.
    static func body() -> String {
        let now = Int64(Date().timeIntervalSince1970) * 1_000_000_000
        let from = UTCTime.format(now - 3_600_000_000_000), until = UTCTime.format(now + 3_600_000_000_000)
        return """
            {"venues": ["upbit", "bithumb", "binance"], "universe": {"top_n": 2},
             "engine": {"mode": "multi", "multi_symbol_enabled": true}, "strategy": {"entry_threshold_bps": 5000},
             "session": {"clock": "realtime", "max_runtime_seconds": 60, "checkpoint_seconds": 0.2},
             "transfers": {"review_probability": 0, "failure_probability": 0, "travel_rule_minutes": 0,
                           "networks": {"BTC": {"median_minutes": 0.01, "p95_minutes": 0.02}},
                           "suspensions": {"process": "off", "schedule": [
                               {"venue": "binance", "asset": "ETH", "direction": "withdraw", "from": "\(from)", "until": "\(until)"}]}}}
            """
    }

    @Test func anOperatorsTransferArrivesAndEveryRefusalSaysWhy() async throws {
        let s = try Service()
        let id = try #require(try await s.call("POST", "/campaigns", json: Self.body()).json["id"]?.stringValue)
        try await Task.sleep(for: .milliseconds(300))
        let path = "/campaigns/\(id)/transfers"

        let sent = try await s.call("POST", path, json: #"{"asset": "BTC", "from": "binance", "to": "bithumb", "amount": "0.01"}"#)
        #expect(sent.status == 201, "\(sent.text)")
        #expect(sent.json["id"] == "X0000001" && sent.json["state"] == "in_transit" && sent.json["network"] == "BTC")
        #expect(sent.json["amount"] == "0.01" && sent.json["fee"] == "0.0002" && sent.json["purpose"] == "manual")

        let refusals: [(String, Int, String)] = [
            (#"{"asset": "BTC", "from": "upbit", "to": "binance", "amount": 0.01}"#, 409, "route_blocked: upbit does not send to binance"),
            (#"{"asset": "KRW", "from": "upbit", "to": "bithumb", "amount": 100000}"#, 409, "route_blocked: KRW never moves"),
            (#"{"asset": "ETH", "from": "binance", "to": "bithumb", "amount": 0.1}"#, 409, "wallet_suspended: binance withdrawals of ETH"),
            (#"{"asset": "BTC", "from": "binance", "to": "upbit", "amount": 1000}"#, 409, "inventory_exhausted: binance holds"),
            (#"{"asset": "BTC", "from": "binance", "to": "upbit", "amount": "0.0001"}"#, 422, "below the BTC minimum of 0.0004"),
            (#"{"asset": "BTC", "from": "binance", "to": "okx", "amount": 0.01}"#, 422, "okx is not one of the campaign's venues"),
        ]
        for (body, status, words) in refusals {
            let r = try await s.call("POST", path, json: body)
            #expect(r.status == status && r.text.contains(words), "\(body): \(r.status) \(r.text)")
        }
        let bad = try await s.call("POST", path, json: #"{"asset": "btc", "from": "kraken", "amount": -1, "fee": 0}"#)
        let fields = Set(bad.json["errors"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
        #expect(bad.status == 422 && fields == ["asset", "from", "to", "amount", "fee"], "\(bad.text)")
        #expect(try await s.call("POST", path, json: "[1]").status == 422)
        #expect(try await s.call("POST", "/campaigns/nope/transfers", json: #"{"asset": "BTC"}"#).status == 404)

        // Credited within a second or two; listed once a checkpoint committed it.
        var listed = JSONValue.null
        for _ in 0..<100 {
            listed = try await s.call("GET", path).json
            if listed["items"]?.arrayValue?.first?["state"] == "credited" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let items = listed["items"]?.arrayValue ?? []
        #expect(items.count == 1 && items.first?["state"] == "credited" && items.first?["settled_ns"]?.intValue != nil, "\(listed)")
        let csv = try await s.call("GET", path, headers: ["Accept": "text/csv"])
        let lines = csv.text.split(separator: "\n")
        #expect(csv.status == 200 && lines.count == 2 && lines[0].hasPrefix("id,asset,network,from,to,amount,fee"))
        #expect(lines.count == 2 && lines[1].hasPrefix("X0000001,BTC,BTC,binance,bithumb,0.01,0.0002,manual,,credited"))

        // The balances moved by exactly the transfer, and still reconcile.
        let stats = try await s.call("GET", "/campaigns/\(id)/stats").json
        func moved(_ venue: String) -> Fixed? {
            guard let initial = stats.at("balances.\(venue).BTC.initial")?.stringValue.flatMap(Fixed.init),
                  let final = stats.at("balances.\(venue).BTC.final")?.stringValue.flatMap(Fixed.init) else { return nil }
            return final - initial
        }
        #expect(moved("bithumb") == Fixed("0.01") && moved("binance") == -Fixed("0.0102")!, "\(stats["balances"] ?? .null)")
        #expect(stats.at("balances.reconciled") == true)
        #expect(stats.at("transfers.count") == 1 && stats.at("transfers.by_state.credited") == 1 && stats.at("transfers.by_purpose.manual") == 1)
        #expect(stats.at("transfers.per_asset.BTC.amount") == "0.01" && stats.at("transfers.per_asset.BTC.fees") == "0.0002")
        #expect((stats.at("transfers.per_asset.BTC.transit_p50_seconds")?.doubleValue ?? 0) > 0)
        #expect(stats.at("transfers.capital_in_transit.now_usd") == 0.0 && (stats.at("transfers.capital_in_transit.max_usd")?.doubleValue ?? 0) > 500)

        // And in /metrics.
        let exposition = MetricsExposition(service: ServiceMetrics(version: "test"), manager: s.manager)
        let metrics = String(decoding: await exposition.render(), as: UTF8.self)
        #expect(metrics.contains("arbitrage_transfers_total{campaign=\"\(id)\",asset=\"BTC\",purpose=\"manual\"} 1"), "\(metrics.split(separator: "\n").filter { $0.contains("transfer") })")
        #expect(metrics.contains("arbitrage_capital_in_transit_usd{campaign=\"\(id)\"} 0"))
        #expect(metrics.contains("# TYPE arbitrage_transfer_rejections_total counter"))
        _ = try await s.call("POST", "/campaigns/\(id)/stop")
        let late = try await s.call("POST", path, json: #"{"asset": "BTC", "from": "binance", "to": "bithumb", "amount": 0.01}"#)
        #expect(late.status == 409 && late.text.contains("only a running campaign can transfer"))
    }
}
}
