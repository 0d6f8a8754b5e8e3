import ArbCore
@testable import ArbEngine
import ArbTesting
import ArbMarketData
import ArbMetrics
import ArbTestSupport
import Foundation
import Synchronization
import Testing

/// Stats without `performance` and `market_data` (which names the source): what a replay must reproduce.
func replayResults(_ stats: StatsReport) -> String { replayResults(stats.tree) }

func replayResults(_ stats: JSONValue) -> String {
    guard case .object(var o) = stats else { return "" }
    o["performance"] = nil
    o["market_data"] = nil
    return JSONValue.object(o).rendered()
}

func jsonFile(_ dir: URL, _ name: String, _ value: JSONValue) throws -> String {
    let url = dir.appendingPathComponent(name)
    try value.rendered().write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

func newDir() throws -> URL { try makeTemporaryDirectory("arb-replay") }

/// Every book of a JSONL recording, in file order.
func recordedBooks(_ path: String) throws -> [MarketEvent] {
    let reader = try LineReader(path: path)
    var books: [MarketEvent] = []
    while let line = try reader.nextLine({ try MarketJSONL.parse($0) }) {
        if case .book(let e) = line { books.append(e) }
    }
    return books
}

extension CampaignSuites {
@Suite struct ReplayCampaignTests {
    static let trading: [String: JSONValue] = [
        "universe": ["top_n": 3],
        "strategy": ["entry_threshold_bps": -5],
        "multi_symbol_risk_guard": ["cooldown_seconds": 5],
        "paper": ["latency_ms": ["upbit": 80, "binance": 30]],
    ]

    /// A JSONL book of one level a side, 50 units each.
    static func bookLine(_ ts: Int64, _ exchange: String, _ symbol: String, bid: String, ask: String) -> String {
        "{\"type\":\"book\",\"ts\":\(ts),\"exchange\":\"\(exchange)\",\"symbol\":\"\(symbol)\",\"bids\":[[\"\(bid)\",\"50\"]],\"asks\":[[\"\(ask)\",\"50\"]]}"
    }

    static func synthetic(clock: String = "simulated", runtime: Double = 300) -> JSONValue {
        var o = Self.trading
        o["session"] = ["clock": .string(clock), "max_runtime_seconds": .double(runtime), "checkpoint_seconds": 30]
        o["market_data"] = ["seed": 11, "max_data_age_ms": 450]
        return multi(o)
    }

    static func replay(_ files: [String], format: String = "jsonl", clock: String = "simulated", speed: Double = 0,
                       runtime: Double = 300, extra: [String: JSONValue] = [:]) -> JSONValue {
        var o = Self.trading
        o["session"] = ["clock": .string(clock), "max_runtime_seconds": .double(runtime), "checkpoint_seconds": 30]
        var md: [String: JSONValue] = [
            "source": "replay", "max_data_age_ms": 450,
            "replay": ["files": .array(files.map { .string($0) }), "format": .string(format), "speed": .double(speed)],
        ]
        for (k, v) in extra { md[k] = v }
        o["market_data"] = .object(md)
        return multi(o)
    }

    @Test(arguments: ["rec.jsonl", "rec.jsonl.gz"])
    func aReplayOfARecordingGivesTheResultsOfTheCampaignItRecorded(name: String) async throws {
        let dir = try newDir()
        let syntheticConfig = try jsonFile(dir, "synthetic.json", Self.synthetic())
        let out = dir.appendingPathComponent(name).path
        let (recordStatus, summaryText, recordErr) = try await runCLI(["record", syntheticConfig, "--out", out])
        #expect(recordStatus == 0, "\(recordErr)")
        let summary = try JSONDecoder().decode(JSONValue.self, from: Data(summaryText.utf8))
        let books = int(summary["books"])
        #expect(books > 20_000)  // 7 markets at 10 updates/s for 300 s
        #expect(summary["end_time"]?.stringValue == "2026-01-01T00:05:00.000Z")

        let (s1, original, e1) = try await runCLI(["run", syntheticConfig, "--progress", "none"])
        let replayConfig = try jsonFile(dir, "replay.json", Self.replay([out]))
        let (s2, replayed, e2) = try await runCLI(["run", replayConfig, "--progress", "none"])
        #expect(s1 == 0 && s2 == 0, "\(e1)\n\(e2)")
        let a = try JSONDecoder().decode(JSONValue.self, from: Data(original.utf8))
        let b = try JSONDecoder().decode(JSONValue.self, from: Data(replayed.utf8))
        #expect(int(a.at("trades.opened")) >= 5)
        #expect(replayResults(b) == replayResults(a))
        #expect(b.at("market_data.source")?.stringValue == "replay")
        #expect(int(b.at("market_data.rows")) == books && int(b.at("market_data.bad_rows")) == 0)
        #expect(int(b.at("performance.book_updates")) == int(a.at("performance.book_updates")))
    }

    /// The same books as Tardis `book_snapshot_25` files (gzip) and as JSONL files, one per market: the two
    /// formats replay to the same results.
    @Test func tardisFilesAndJSONLOfTheSameBooksReplayAlike() async throws {
        let dir = try newDir()
        let recording = dir.appendingPathComponent("rec.jsonl").path
        #expect(try await runCLI(["record", try jsonFile(dir, "s.json", Self.synthetic()), "--out", recording]).0 == 0)
        // Tardis keeps microseconds.
        let books = try recordedBooks(recording).map { e -> MarketEvent in
            var e = e
            e.timeNs = e.timeNs / 1000 * 1000
            e.exchangeTimeNs = e.exchangeTimeNs / 1000 * 1000
            return e
        }
        let header = "exchange,symbol,timestamp,local_timestamp," + (0..<25).map {
            "asks[\($0)].price,asks[\($0)].amount,bids[\($0)].price,bids[\($0)].amount"
        }.joined(separator: ",")
        var csv: [String: [String]] = [:], jsonl: [String: [String]] = [:]
        for e in books {
            var row = "\(e.venue.rawValue),\(e.symbol),\(e.exchangeTimeNs / 1000),\(e.timeNs / 1000)"
            for i in 0..<25 {
                let a = i < e.asks.count ? (e.asks.price(i).description, e.asks.quantity(i).description) : ("", "")
                let b = i < e.bids.count ? (e.bids.price(i).description, e.bids.quantity(i).description) : ("", "")
                row += ",\(a.0),\(a.1),\(b.0),\(b.1)"
            }
            csv[e.marketKey, default: [header]].append(row)
            var line: [UInt8] = []
            MarketJSONL.appendBook(e, to: &line)
            jsonl[e.marketKey, default: []].append(String(decoding: line, as: UTF8.self))
        }
        #expect(csv.count == 7)
        var tardisFiles: [String] = [], jsonlFiles: [String] = []
        for (key, rows) in csv.sorted(by: { $0.key < $1.key }) {
            let name = key.replacingOccurrences(of: ":", with: "_")
            let plain = dir.appendingPathComponent("\(name).csv").path
            try (rows.joined(separator: "\n") + "\n").write(toFile: plain, atomically: true, encoding: .utf8)
            #expect(try runTool("/bin/gzip", [plain]).0 == 0)
            tardisFiles.append(plain + ".gz")
            let j = dir.appendingPathComponent("\(name).jsonl").path
            try (jsonl[key]!.joined(separator: "\n") + "\n").write(toFile: j, atomically: true, encoding: .utf8)
            jsonlFiles.append(j)
        }
        let (tardis, _) = try await runCampaign(Self.replay(tardisFiles, format: "tardis"))
        let (ours, _) = try await runCampaign(Self.replay(jsonlFiles))
        #expect(tardis.stats.trades.opened >= 5)
        #expect(tardis.stats.marketData.rows == books.count)
        #expect(tardis.stats.marketData.files == 7)
        #expect(replayResults(tardis.stats) == replayResults(ours.stats))
    }

    @Test func aResumedReplayEndsExactlyLikeTheUninterruptedOne() async throws {
        let dir = try newDir()
        let recording = dir.appendingPathComponent("rec.jsonl.gz").path
        #expect(try await runCLI(["record", try jsonFile(dir, "s.json", Self.synthetic()), "--out", recording]).0 == 0)
        let config = try CampaignConfig.parse(Self.replay([recording]))
        let taken = Mutex<[CampaignCheckpoint]>([])
        let fullRecorder = MemoryRecorder(keepRecords: true)
        let full = try await Campaign(config: config, recorder: fullRecorder).run { cp in taken.withLock { $0.append(cp) } }
        let checkpoints = taken.withLock { $0 }
        #expect(checkpoints.count == 9)
        let cut = try #require(checkpoints.first { $0.sequence >= 4 && $0.kernel.engines.contains { $0.position != nil } })
        let restored = try JSONDecoder().decode(CampaignCheckpoint.self, from: JSONEncoder().encode(cut))
        let resumedRecorder = MemoryRecorder(keepRecords: true)
        let resumed = try await Campaign(config: config, recorder: resumedRecorder).resume(from: restored)
        #expect(full.stats.trades.opened >= 5)
        #expect(results(resumed.stats) == results(full.stats))  // market_data counts continue too
        #expect(resumedRecorder.snapshot.fills == fullRecorder.snapshot.fills.filter { $0.timeNs >= cut.timeNs })
    }

    @Test func aRealtimeReplayFollowsItsSpeedAndStopsWhereTheDataEnds() async throws {
        let dir = try newDir()
        let recording = dir.appendingPathComponent("rec.jsonl").path
        #expect(try await runCLI(["record", try jsonFile(dir, "s.json", Self.synthetic(runtime: 60)), "--out", recording]).0 == 0)
        // 60 s of market at 30× the wall clock, asked to run for an hour: it ends with the data.
        let recorder = MemoryRecorder(keepRecords: true)
        let campaign = try Campaign(config: try CampaignConfig.parse(Self.replay([recording], clock: "realtime", speed: 30, runtime: 3600)),
                                    recorder: recorder)
        let running = Task { try await campaign.run() }
        // While it runs, its stats count the books replayed so far.
        var live = 0
        for _ in 0..<100 where live == 0 {
            try await Task.sleep(for: .milliseconds(20))
            live = campaign.liveStats()?.marketData.rows ?? 0
        }
        #expect(live > 0)
        let result = try await running.value
        #expect(result.stats.marketData.rows ?? 0 > live)
        #expect(result.stopReason == .endOfData && result.status == .completed)
        let runtime = result.stats.runtimeSeconds
        #expect(runtime >= 60 && runtime < 62)
        #expect(result.stats.startTime == "2026-01-01T00:00:00.000Z")
        // Far below the 60 s the market took; only a proof that the clock ran faster, not a timing measure.
        #expect(result.stats.performance.wallSeconds < 30)
        #expect(!recorder.snapshot.decisions.isEmpty)
        #expect(result.stats.performance.bookUpdates > 3_000)
    }

    /// Over HTTP: `arbitrage serve` runs a replay campaign to the end of its data; a replay of a missing file
    /// is refused with the field and the path.
    @Test func theServiceRunsReplayCampaigns() async throws {
        let dir = try newDir()
        let recording = dir.appendingPathComponent("rec.jsonl.gz").path
        let (recorded, summaryText, _) = try await runCLI(["record", try jsonFile(dir, "s.json", Self.synthetic(runtime: 120)), "--out", recording])
        #expect(recorded == 0)
        let books = int(try JSONDecoder().decode(JSONValue.self, from: Data(summaryText.utf8))["books"])
        let replay = Self.replay([recording], runtime: 3600)
        let server = try await offPool { try ServeProcess.start(["--data-dir", RecoveryTests.dataDir("replay")]) }
        defer { _ = server.terminate() }
        let id = try await RecoveryTests.create(server.port, replay.rendered())
        var record = JSONValue.null
        for _ in 0..<200 {
            record = try await RecoveryTests.get(server.port, "/campaigns/\(id)")
            if record["status"]?.stringValue != "running" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(record["status"] == "completed" && record["stop_reason"] == "end_of_data")
        let stats = try await RecoveryTests.get(server.port, "/campaigns/\(id)/stats")
        #expect(int(stats.at("market_data.rows")) == books && int(stats.at("market_data.bad_rows")) == 0)
        #expect(double(stats["runtime_seconds"]) == 120)
        // The same replay headless gives the same results.
        let (status, headless, _) = try await runCLI(["run", try jsonFile(dir, "r.json", replay), "--progress", "none"])
        #expect(status == 0)
        #expect(replayResults(stats) == replayResults(try JSONDecoder().decode(JSONValue.self, from: Data(headless.utf8))))

        let missing = dir.appendingPathComponent("missing.jsonl").path
        let refused = try await RecoveryTests.call(server.port, "POST", "/campaigns", Self.replay([missing]).rendered())
        #expect(refused.status == 422)
        #expect(refused.json["errors"]?.arrayValue?.first?["field"] == "market_data.replay.files[0]")
    }

    @Test func configErrorsNameTheFileAndWhatIsMissing() async throws {
        let dir = try newDir()
        let missing = dir.appendingPathComponent("nope.jsonl").path
        func error(_ json: JSONValue) -> String {
            do {
                _ = try Campaign(config: try CampaignConfig.parse(json))
                return "no error"
            } catch { return "\(error)" }
        }
        let e1 = error(Self.replay([missing]))
        #expect(e1.contains("market_data.replay.files[0]") && e1.contains(missing) && e1.contains("No such file"))

        // Only BTC on Binance and no KRW-USDT.
        let lines = [
            #"{"type":"book","ts":1,"exchange":"binance","symbol":"BTCUSDT","bids":[["100","1"]],"asks":[["101","1"]]}"#,
            #"{"type":"book","ts":2,"exchange":"upbit","symbol":"KRW-BTC","bids":[["140000","1"]],"asks":[["140100","1"]]}"#,
        ]
        let one = dir.appendingPathComponent("one.jsonl").path
        try lines.joined(separator: "\n").write(toFile: one, atomically: true, encoding: .utf8)
        #expect(error(Self.replay([one])).contains("no KRW-USDT book"))
        let fixed = Self.replay([one], extra: ["fx": ["source": "fixed", "krw_per_usdt": 1400]])
        #expect(error(fixed) == "no error")
        var whitelist = fixed
        if case .object(var o) = whitelist {
            o["universe"] = ["mode": "FIXED_LIST", "whitelist": ["BTCUSDT", "ETHUSDT"]]
            whitelist = .object(o)
        }
        #expect(error(whitelist).contains("universe.whitelist[1]"))

        let csv = dir.appendingPathComponent("q.csv").path
        try "exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount\n".write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(error(Self.replay([csv])).contains("set market_data.replay.format: tardis"))
        #expect(error(Self.replay([one], format: "tardis")).contains("is JSONL, not Tardis CSV"))
        #expect(error(Self.replay([one], clock: "realtime", speed: 0)).contains("market_data.replay.speed"))
    }

    /// A Binance leg that stops updating blocks entries on its route (data tier, `stale_leg`); fresh books
    /// unblock them without anyone doing anything.
    @Test func aStaleLegBlocksEntriesUntilFreshDataReturns() async throws {
        let dir = try newDir()
        var lines: [String] = []
        let s: Int64 = 1_767_225_600_000_000_000
        func book(_ t: Double, _ exchange: String, _ symbol: String, bid: String, ask: String) {
            lines.append(Self.bookLine(s + Int64(t * 1e9), exchange, symbol, bid: bid, ask: ask))
        }
        // 0–11 s: no premium. 10–20 s: Binance silent; from 11 s Upbit shows a 3 % premium. From 20 s: Binance again.
        for i in 0..<300 {
            let t = Double(i) * 0.1
            book(t, "upbit", "KRW-USDT", bid: "1399", ask: "1401")
            let premium = t >= 11
            book(t + 0.01, "upbit", "KRW-BTC", bid: premium ? "144200000" : "140000000", ask: premium ? "144210000" : "140010000")
            if t < 10 || t >= 20 { book(t + 0.02, "binance", "BTCUSDT", bid: "100000", ask: "100000.01") }
        }
        lines.append("{\"type\":\"end\",\"ts\":\(s + 30_000_000_000)}")
        let path = dir.appendingPathComponent("stale.jsonl").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        var config = Self.replay([path], runtime: 30)
        if case .object(var o) = config {
            o["universe"] = ["mode": "FIXED_LIST", "whitelist": ["BTCUSDT"]]
            o["strategy"] = ["entry_threshold_bps": 30]
            o["session"] = ["clock": "simulated", "max_runtime_seconds": 30, "loop_interval_ms": 100]
            o["market_data"] = ["source": "replay", "max_data_age_ms": 500,
                                "replay": ["files": [.string(path)], "speed": 0]]
            config = .object(o)
        }
        let (result, recorder) = try await runCampaign(config)
        let decisions = recorder.snapshot.decisions
        let stale = try #require(decisions.first { $0.reason == "stale_leg" })
        #expect(stale.tier == .data && stale.outcome == .rejected && stale.detail?.contains("binance") == true)
        #expect(stale.firstTimeNs >= s + 11_000_000_000 && stale.lastTimeNs < s + 20_100_000_000)
        let entry = try #require(decisions.first { $0.kind == .entry && $0.outcome == .allowed })
        #expect(entry.firstTimeNs >= s + 20_000_000_000 && entry.firstTimeNs < s + 20_300_000_000)
        #expect(result.stats.trades.opened >= 1)
        // The campaign started when all three books had been seen (20 ms in); the end mark at 30 s comes first.
        #expect(result.stopReason == .endOfData && result.stats.runtimeSeconds == 29.98)
    }

    /// A leg the paper venue refuses is recorded, not dropped: the Binance buy leg of an entry, 200 ms on its way,
    /// meets an ask that jumped a hundredfold and finds too little USDT. The decision log names it, the stats and
    /// the metrics count it, the Upbit leg is bought back and the balances still reconcile.
    @Test func aRefusedLegIsRecordedAndCounted() async throws {
        let dir = try newDir()
        var lines: [String] = []
        let s: Int64 = 1_767_225_600_000_000_000
        func book(_ t: Double, _ exchange: String, _ symbol: String, bid: String, ask: String) {
            lines.append(Self.bookLine(s + Int64(t * 1e9), exchange, symbol, bid: bid, ask: ask))
        }
        for i in 0..<30 {
            let t = Double(i) * 0.1
            book(t, "upbit", "KRW-USDT", bid: "1399", ask: "1401")
            // From 1 s Upbit shows a 3 % premium; from 1.1 s to 1.5 s Binance asks 100 times the price.
            let premium = t >= 1
            book(t + 0.01, "upbit", "KRW-BTC", bid: premium ? "144200000" : "140000000", ask: premium ? "144210000" : "140010000")
            let jumped = t >= 1.05 && t < 1.5
            book(t + 0.02, "binance", "BTCUSDT", bid: "100000", ask: jumped ? "10000000" : "100000.01")
        }
        lines.append("{\"type\":\"end\",\"ts\":\(s + 3_000_000_000)}")
        let path = dir.appendingPathComponent("jump.jsonl").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let config: JSONValue = multi([
            "universe": ["mode": "FIXED_LIST", "whitelist": ["BTCUSDT"]],
            "strategy": ["entry_threshold_bps": 30],
            "session": ["clock": "simulated", "max_runtime_seconds": 3],
            "paper": ["latency_ms": ["upbit": 0, "binance": 200]],
            "market_data": ["source": "replay", "max_data_age_ms": 500, "replay": ["files": [.string(path)], "speed": 0]],
        ])
        let (result, recorder) = try await runCampaign(config)
        let refused = recorder.snapshot.decisions.filter { $0.tier == .execution }
        let first = try #require(refused.first)
        #expect(first.reason == "insufficient_balance" && first.outcome == .rejected && first.kind == .entry)
        #expect(first.detail == "binance buy entry leg of T0000001, \(first.requestedQuantity) BTC, refused: insufficient_balance")
        #expect(first.requestedQuantity.isPositive)
        #expect(first.firstTimeNs >= s + 1_200_000_000 && first.firstTimeNs < s + 1_500_000_000)
        // The lone Upbit leg was bought back: the trade is aborted and the accounts reconcile.
        let aborted = recorder.snapshot.trades.filter { $0.status == .aborted }
        #expect(!aborted.isEmpty && aborted.allSatisfy { $0.fillIds.count == 2 })
        #expect(result.stats.balances.reconciled)
        // Counted in the stats, by tier and reason and by venue.
        #expect((result.stats.decisions.rejected["execution"]?["insufficient_balance"] ?? -1) == refused.count)
        #expect((result.stats.trades.legsRejected["binance"]?["insufficient_balance"] ?? -1) == refused.count)
        // And in the metrics.
        var text = MetricsText()
        CampaignMetrics.render([CampaignProbe(id: "jump", kernel: result.kernel, startNs: s, nowNs: s + 3_000_000_000)], into: &text)
        let exposition = String(decoding: text.bytes, as: UTF8.self)
        #expect(exposition.contains("arbitrage_legs_rejected_total{campaign=\"jump\",venue=\"binance\",reason=\"insufficient_balance\"} \(refused.count)"))
        #expect(exposition.contains("arbitrage_decisions_total{campaign=\"jump\",outcome=\"rejected\",tier=\"execution\",reason=\"insufficient_balance\"} \(refused.count)"))
    }
}
}
