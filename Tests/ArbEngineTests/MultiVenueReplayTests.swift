import ArbCore
@testable import ArbEngine
import ArbTesting
import ArbMarketData
import ArbTestSupport
import Foundation
import Testing

extension CampaignSuites {
/// Replay over the new venues: Tardis files of `okex` and `bybit-spot` (symbols as Tardis writes them) and JSONL
/// of Upbit and Bithumb (Tardis has no Bithumb) in one campaign on bithumb–okx and upbit–bybit.
@Suite struct MultiVenueReplayTests {
    static let venues: JSONValue = ["upbit", "bithumb", "okx", "bybit"]
    static let pairs: JSONValue = ["bithumb-okx", "upbit-bybit"]

    static func config(_ market: JSONValue) -> JSONValue {
        multi([
            "venues": venues, "routes": ["pairs": pairs], "universe": ["top_n": 3],
            "strategy": ["entry_threshold_bps": -5], "multi_symbol_risk_guard": ["cooldown_seconds": 5],
            "session": ["clock": "simulated", "max_runtime_seconds": 300, "checkpoint_seconds": 30],
            "market_data": market,
        ])
    }

    static func tardisHeader(levels: Int) -> String {
        "exchange,symbol,timestamp,local_timestamp," + (0..<levels).map {
            "asks[\($0)].price,asks[\($0)].amount,bids[\($0)].price,bids[\($0)].amount"
        }.joined(separator: ",")
    }

    static func tardisRow(_ e: MarketEvent, exchange: String, levels: Int) -> String {
        var row = "\(exchange),\(e.symbol),\(e.exchangeTimeNs / 1000),\(e.timeNs / 1000)"
        for i in 0..<levels {
            let a = i < e.asks.count ? (e.asks.price(i).description, e.asks.quantity(i).description) : ("", "")
            let b = i < e.bids.count ? (e.bids.price(i).description, e.bids.quantity(i).description) : ("", "")
            row += ",\(a.0),\(a.1),\(b.0),\(b.1)"
        }
        return row
    }

    static func jsonl(_ events: [MarketEvent]) -> String {
        events.map { e -> String in
            var line: [UInt8] = []
            MarketJSONL.appendBook(e, to: &line)
            return String(decoding: line, as: UTF8.self)
        }.joined(separator: "\n") + "\n"
    }

    /// At most `levels` a side (what a Tardis snapshot file keeps), on whole microseconds (what Tardis stamps).
    static func asTardisKeeps(_ e: MarketEvent, levels: Int) -> MarketEvent {
        var e = e
        e.timeNs = e.timeNs / 1000 * 1000
        e.exchangeTimeNs = e.exchangeTimeNs / 1000 * 1000
        var bids = BookSide(), asks = BookSide()
        for i in 0..<Swift.min(levels, e.bids.count) { bids.append(price: e.bids.price(i), quantity: e.bids.quantity(i)) }
        for i in 0..<Swift.min(levels, e.asks.count) { asks.append(price: e.asks.price(i), quantity: e.asks.quantity(i)) }
        (e.bids, e.asks) = (bids, asks)
        return e
    }

    @Test func tardisOKXAndBybitWithBithumbJSONLReplayIntoOneCampaign() async throws {
        let dir = try newDir()
        let recording = dir.appendingPathComponent("rec.jsonl").path
        let synthetic = try jsonFile(dir, "s.json", Self.config(["seed": 11, "max_data_age_ms": 450]))
        let (status, _, err) = try await runCLI(["record", synthetic, "--out", recording])
        #expect(status == 0, "\(err)")
        let levels: [Venue: Int] = [.okx: 5, .bybit: 25]
        let books = try recordedBooks(recording).map { Self.asTardisKeeps($0, levels: levels[$0.venue] ?? 50) }
        #expect(Set(books.map(\.venue)) == [.upbit, .bithumb, .okx, .bybit])
        var tardis: [String: [String]] = [:], krw: [Venue: [MarketEvent]] = [:]
        for e in books {
            if let n = levels[e.venue] {
                tardis[e.marketKey, default: [Self.tardisHeader(levels: n)]].append(Self.tardisRow(e, exchange: e.venue.info.tardisExchange!, levels: n))
            } else {
                krw[e.venue, default: []].append(e)
            }
        }
        #expect(tardis.keys.contains("okx:BTC-USDT") && tardis.keys.contains("bybit:BTCUSDT"))
        var mixed: [String] = []
        for (key, rows) in tardis.sorted(by: { $0.key < $1.key }) {
            let path = dir.appendingPathComponent(key.replacingOccurrences(of: ":", with: "_") + ".csv").path
            try (rows.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            mixed.append(path)
        }
        for (venue, events) in krw.sorted(by: { $0.key < $1.key }) {
            let path = dir.appendingPathComponent("\(venue).jsonl").path
            try Self.jsonl(events).write(toFile: path, atomically: true, encoding: .utf8)
            mixed.append(path)
        }
        let all = dir.appendingPathComponent("all.jsonl").path
        try Self.jsonl(books).write(toFile: all, atomically: true, encoding: .utf8)

        func replay(_ files: [String], _ format: String) -> JSONValue {
            Self.config(["source": "replay", "max_data_age_ms": 450,
                         "replay": ["files": .array(files.map { .string($0) }), "format": .string(format), "speed": 0]])
        }
        let (fromTardis, _) = try await runCampaign(replay(mixed, "auto"))
        let (fromJSONL, _) = try await runCampaign(replay([all], "jsonl"))
        let s = fromTardis.stats
        #expect(s.status == "completed" && s.marketData.badRows == 0)
        #expect(replayResults(s) == replayResults(fromJSONL.stats))
        for pair in ["bithumb-okx", "upbit-bybit"] {
            let trades = (s.routes ?? [:]).filter { $0.key.hasSuffix("@" + pair) }.values.reduce(0) { $0 + $1.trades }
            #expect(trades > 0, "\(pair)")
        }
        #expect(s.balances.reconciled)
    }

    @Test func anInstrumentsFileAddsMarketsTheListingDoesNotKnow() async throws {
        let dir = try newDir()
        var lines: [String] = []
        for i in 0..<40 {
            let t = Int64(i) * 500_000_000
            lines.append(#"{"type":"book","ts":\#(t),"exchange":"bithumb","symbol":"KRW-ZZZ","bids":[["1400","500"]],"asks":[["1401","500"]]}"#)
            lines.append(#"{"type":"book","ts":\#(t + 1),"exchange":"okx","symbol":"ZZZ-USDT","bids":[["0.98","500"]],"asks":[["0.981","500"]]}"#)
        }
        let data = dir.appendingPathComponent("zzz.jsonl").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: data, atomically: true, encoding: .utf8)
        let rules: JSONValue = ["tick": "0.001", "step": "0.1", "min_notional": "1"]
        let instruments = try jsonFile(dir, "instruments.json", ["symbols": [[
            "symbol": "ZZZUSDT", "quote_volume_usd": 1e6, "reference_price_usd": 1,
            "bithumb": ["tick": "1", "step": "0.1", "min_notional": "500"], "okx": rules,
        ]]])
        func config(_ extra: JSONValue?) -> JSONValue {
            var replay: [String: JSONValue] = ["files": [.string(data)], "speed": 0]
            if let extra { replay["instruments"] = extra }
            return multi([
                "venues": ["bithumb", "okx"], "universe": ["mode": "FIXED_LIST", "whitelist": ["ZZZUSDT"]],
                "session": ["clock": "simulated", "max_runtime_seconds": 10],
                "market_data": ["source": "replay", "fx": ["source": "fixed"], "replay": .object(replay)],
            ])
        }
        do {
            _ = try Campaign(config: try CampaignConfig.parse(config(nil)))
            Issue.record("an asset the listing does not know was accepted")
        } catch { #expect("\(error)".contains("no listed route has both its books") && "\(error)".contains("replay.instruments")) }
        let campaign = try Campaign(config: try CampaignConfig.parse(config(.string(instruments))))
        #expect(campaign.members.map(\.route.key) == ["ZZZUSDT@bithumb-okx"])
        #expect(campaign.members[0].route.instruments.a.minNotional == Fixed(500))
        let (result, _) = try await runCampaign(config(.string(instruments)))
        #expect(result.stats.status == "completed" && (result.stats.routes?["ZZZUSDT@bithumb-okx"]?.iterations ?? 0) > 0)
        do {
            _ = try Campaign(config: try CampaignConfig.parse(config(.string(data))))
            Issue.record("a recording was read as an instruments file")
        } catch { #expect("\(error)".contains("market_data.replay.instruments")) }
    }

    @Test func unknownExchangeIdsAreRefusedNamingTheFileAndLine() async throws {
        let dir = try newDir()
        func error(_ files: [String], _ format: String) -> String {
            do {
                _ = try Campaign(config: try CampaignConfig.parse(Self.config([
                    "source": "replay", "replay": ["files": .array(files.map { .string($0) }), "format": .string(format)],
                ])))
                return "no error"
            } catch { return "\(error)" }
        }
        let csv = dir.appendingPathComponent("bithumb.csv").path
        try (Self.tardisHeader(levels: 5) + "\nbithumb,KRW-BTC,1,1" + String(repeating: ",1,1,1,1", count: 5) + "\n")
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let e1 = error([csv], "tardis")
        #expect(e1.contains(csv) && e1.contains("line 2") && e1.contains("unknown exchange \"bithumb\"") && e1.contains("okex, bybit-spot"))
        let jsonl = dir.appendingPathComponent("kraken.jsonl").path
        try (#"{"type":"book","ts":1,"exchange":"upbit","symbol":"KRW-BTC","bids":[["1","1"]],"asks":[["2","1"]]}"# + "\n"
            + #"{"type":"book","ts":2,"exchange":"kraken","symbol":"XBTUSD","bids":[["1","1"]],"asks":[["2","1"]]}"# + "\n")
            .write(toFile: jsonl, atomically: true, encoding: .utf8)
        let e2 = error([jsonl], "auto")
        #expect(e2.contains(jsonl) && e2.contains("line 2") && e2.contains("unknown exchange \"kraken\""))
        let neither = dir.appendingPathComponent("x.txt").path
        try "hello\n".write(toFile: neither, atomically: true, encoding: .utf8)
        #expect(error([neither], "auto").contains("neither JSONL nor the header of a Tardis CSV file"))
    }
}
}
