import ArbCore
import ArbTestSupport
import Foundation
import Logging
import Synchronization
import Testing
@testable import ArbMarketData

/// Collects log messages, for checking what a replay reports about bad rows.
final class LogCapture: LogHandler, @unchecked Sendable {
    let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level): \(event.message)") }
    }
    var logger: Logger { Logger(label: "test") { _ in self } }
}

func tempDir() throws -> URL { try makeTemporaryDirectory("arb-replay") }

func write(_ text: String, _ dir: URL, _ name: String) throws -> String {
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

func side(_ levels: [(String, String)]) -> BookSide {
    var s = BookSide()
    for (p, q) in levels { s.append(price: Fixed(p)!, quantity: Fixed(q)!) }
    return s
}

func parseLine(_ text: String) throws -> MarketJSONL.Line {
    var copy = text
    return try copy.withUTF8 { try MarketJSONL.parse(UnsafeRawBufferPointer($0)) }
}

func parseRow(_ text: String, _ kind: TardisCSV.Kind) throws -> MarketEvent {
    var copy = text
    return try copy.withUTF8 { try TardisCSV.parse(UnsafeRawBufferPointer($0), kind: kind) }
}

@Suite struct MarketJSONLTests {
    @Test func aBookSurvivesWritingAndReadingExactly() throws {
        let event = MarketEvent(
            venue: .binance, symbol: "PEPEUSDT", timeNs: 1_767_225_600_123_456_789, exchangeTimeNs: 1_767_225_600_120_000_000,
            bids: side([("0.00001234", "123456789.5"), ("0.00001233", "0.00000001")]),
            asks: side([("0.00001235", "92233720368"), ("0.0000124", "7")]))
        var bytes: [UInt8] = []
        MarketJSONL.appendBook(event, to: &bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"0.00001234\"") && text.contains("\"123456789.5\"") && text.contains("\"0.00000001\""))
        guard case .book(let back) = try parseLine(text) else { Issue.record("not a book"); return }
        #expect(back == event)
    }

    @Test func upbitStyleNumbersAndUnknownKeysAreRead() throws {
        let line = #"{"ts":5,"exchange":"upbit","symbol":"KRW-BTC","x":{"y":[1,null,true]},"bids":[[143000000.0,7.9276E-4]],"asks":[[143001000,1e-8]]}"#
        guard case .book(let e) = try parseLine(line) else { Issue.record("not a book"); return }
        #expect(e.bids.quantity(0) == Fixed("0.00079276")! && e.asks.quantity(0) == Fixed(raw: 1))
        #expect(e.exchangeTimeNs == 5)  // no exchange_ts: the receive time
    }

    @Test(arguments: [
        ("{\"ts\":1,\"exchange\":\"upbit\",\"symbol\":\"KRW-BTC\",\"bids\":[[\"1\",\"x\"]],\"asks\":[]}", "not a decimal"),
        ("{\"ts\":1,\"exchange\":\"kraken\",\"symbol\":\"X\",\"bids\":[],\"asks\":[]}", "unknown exchange"),
        ("{\"exchange\":\"upbit\",\"symbol\":\"KRW-BTC\",\"bids\":[],\"asks\":[]}", "missing ts"),
        ("{\"ts\":1,\"exchange\":\"upbit\",\"symbol\":\"KRW-BTC\",\"bids\":[[\"0\",\"1\"]],\"asks\":[]}", "positive price"),
        ("{\"ts\":1,\"exchange\":\"upbit\"", "expected"),
        ("{\"ts\":1} trailing", "after the value"),
        ("not json", "expected '{'"),
    ])
    func malformedLinesSayWhatIsWrong(line: String, fragment: String) {
        #expect {
            _ = try parseLine(line)
        } throws: { error in
            "\(error)".contains(fragment)
        }
    }
}

@Suite struct TardisCSVTests {
    static func header(levels: Int) -> String {
        "exchange,symbol,timestamp,local_timestamp," + (0..<levels).map { "asks[\($0)].price,asks[\($0)].amount,bids[\($0)].price,bids[\($0)].amount" }.joined(separator: ",")
    }

    @Test func headersNameTheirKind() {
        func kind(_ text: String) -> TardisCSV.Kind? {
            var copy = text
            return copy.withUTF8 { TardisCSV.kind(ofHeader: UnsafeRawBufferPointer($0)) }
        }
        #expect(kind(Self.header(levels: 5)) == .bookSnapshot(levels: 5))
        #expect(kind(Self.header(levels: 25)) == .bookSnapshot(levels: 25))
        #expect(kind("exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount") == .quotes)
        #expect(kind("exchange,symbol,timestamp,local_timestamp,id,side,price,amount") == nil)  // trades
        #expect(kind("exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount") == nil)  // incremental L2
    }

    @Test func aBookSnapshotRowBecomesABookWithItsEmptyLevelsLeftOut() throws {
        let row = "upbit,KRW-BTC,1767225600000100,1767225600000250,143001000,0.5,143000000,0.25,143002000,1.5,142999000,2,,,142998000,3,,,,,,,,"
        let e = try parseRow(row, .bookSnapshot(levels: 5))
        #expect(e.venue == .upbit && e.symbol == "KRW-BTC")
        #expect(e.timeNs == 1_767_225_600_000_250_000 && e.exchangeTimeNs == 1_767_225_600_000_100_000)
        #expect(e.asks.count == 2 && e.bids.count == 3)
        #expect(e.asks.price(1) == Fixed("143002000")! && e.bids.quantity(2) == Fixed("3")!)
    }

    @Test func aQuotesRowHasItsOwnColumnOrder() throws {
        let e = try parseRow("binance,BTCUSDT,1767225600000000,1767225600001000,0.75,100001.5,100001.4,2.5", .quotes)
        #expect(e.asks.count == 1 && e.asks.best == Fixed("100001.5")! && e.asks.quantity(0) == Fixed("0.75")!)
        #expect(e.bids.count == 1 && e.bids.best == Fixed("100001.4")! && e.bids.quantity(0) == Fixed("2.5")!)
    }

    @Test(arguments: [
        ("bitmex,XBTUSD,1,2,1,1,1,1", "unknown exchange"),
        ("binance,BTCUSDT,1,2,1,1,1", "expected 8 columns"),
        ("binance,BTCUSDT,abc,2,1,1,1,1", "timestamp is not an integer"),
        ("binance,BTCUSDT,1,2,1,1,x,1", "price is not a positive decimal"),
        ("binance,BTCUSDT,1,2,-1,5,4,1", "amount is not a decimal"),
        ("binance,,1,2,1,1,1,1", "missing symbol"),
    ])
    func badQuotesRowsSayWhatIsWrong(row: String, fragment: String) {
        #expect {
            _ = try parseRow(row, .quotes)
        } throws: { "\($0)".contains(fragment) }
    }

    @Test func levelsOutOfOrderOrAfterAGapAreBad() {
        // A side may run out before the other.
        let thin = try? parseRow("upbit,KRW-BTC,1,2,10,1,9,1,,,8,1", .bookSnapshot(levels: 2))
        #expect(thin?.asks.count == 1 && thin?.bids.count == 2)
        #expect { _ = try parseRow("upbit,KRW-BTC,1,2,10,1,9,1,11,1,10,1", .bookSnapshot(levels: 2)) } throws: {
            "\($0)".contains("bids not in descending order")
        }
        #expect { _ = try parseRow("upbit,KRW-BTC,1,2,,,9,1,11,1,8,1", .bookSnapshot(levels: 2)) } throws: {
            "\($0)".contains("asks[1] follows an empty level")
        }
    }
}

@Suite struct LineReaderTests {
    @Test func plainAndGzipFilesReadTheSameLinesIncludingALastLineWithoutNewline() throws {
        let dir = try tempDir()
        var text = ""
        for i in 0..<50_000 { text += "line \(i) " + String(repeating: "x", count: i % 97) + (i % 3 == 0 ? "\r\n" : "\n") }
        text += "last"
        let plain = try write(text, dir, "a.txt")
        let (status, _, _) = try runTool("/bin/sh", ["-c", "gzip -k -c '\(plain)' > '\(plain).gz'"])
        #expect(status == 0)
        for path in [plain, plain + ".gz"] {
            let reader = try LineReader(path: path)
            var lines: [String] = []
            while let line = try reader.nextLine({ String(decoding: $0, as: UTF8.self) }) { lines.append(line) }
            #expect(lines.count == 50_001)
            #expect(lines[0] == "line 0 " && lines[96] == "line 96 " + String(repeating: "x", count: 96))
            #expect(lines.last == "last" && reader.lineNumber == 50_001)
        }
    }

    @Test func ourGzipWriterAndConcatenatedMembersRoundTrip() throws {
        let dir = try tempDir()
        let path = dir.appendingPathComponent("w.jsonl.gz").path
        let writer = try LineFileWriter(path: path, gzip: true)
        for i in 0..<20_000 { try writer.write(line: "{\"n\":\(i)}") }
        try writer.finish()
        // Two gzip members back to back (what `cat a.gz b.gz` makes) read as one stream.
        let (status, _, _) = try runTool("/bin/sh", ["-c", "cat '\(path)' '\(path)' > '\(path).2.gz' && gzip -t '\(path)'"])
        #expect(status == 0)
        let reader = try LineReader(path: path + ".2.gz")
        var count = 0
        while try reader.nextLine({ _ in () }) != nil { count += 1 }
        #expect(count == 40_000)
    }

    @Test func aTruncatedGzipFileIsAnErrorNamingIt() throws {
        let dir = try tempDir()
        let path = dir.appendingPathComponent("t.gz").path
        let writer = try LineFileWriter(path: path, gzip: true)
        for i in 0..<50_000 { try writer.write(line: "row \(i) \(i * 7919 % 10007)") }
        try writer.finish()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        let reader = try LineReader(path: path)
        #expect {
            while try reader.nextLine({ _ in () }) != nil {}
        } throws: { "\($0)".contains(path) && "\($0)".contains("truncated") }
        #expect { _ = try LineReader(path: dir.appendingPathComponent("missing").path) } throws: {
            "\($0)".contains("No such file")
        }
        #expect { _ = try LineReader(path: dir.path) } throws: { "\($0)".contains("is a directory") }
    }
}

@Suite struct ReplaySourceTests {
    static let routes = [
        Route(index: 0, key: "BTCUSDT", base: "BTC", upbit: Instrument(tick: Fixed(1000), step: Fixed("0.0001")!, minNotional: Fixed(5000)),
              binance: Instrument(tick: Fixed("0.01")!, step: Fixed("0.00001")!, minNotional: Fixed(5))),
    ]

    static func tardisQuote(_ exchange: String, _ symbol: String, _ us: Int64, bid: String, ask: String) -> String {
        "\(exchange),\(symbol),\(us - 50),\(us),1,\(ask),\(bid),1"
    }

    @Test func filesAreMergedByTimeThenExchangeSymbolAndLine() throws {
        let dir = try tempDir()
        let header = "exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount\n"
        let binance = try write(header + [
            Self.tardisQuote("binance", "BTCUSDT", 1_000, bid: "100", ask: "101"),
            Self.tardisQuote("binance", "BTCUSDT", 3_000, bid: "102", ask: "103"),
            Self.tardisQuote("binance", "BTCUSDT", 3_000, bid: "104", ask: "105"),
        ].joined(separator: "\n"), dir, "binance.csv")
        let upbit = try write(header + [
            Self.tardisQuote("upbit", "KRW-BTC", 2_000, bid: "140000000", ask: "140001000"),
            Self.tardisQuote("upbit", "KRW-BTC", 3_000, bid: "140002000", ask: "140003000"),
            Self.tardisQuote("upbit", "KRW-ETH", 3_500, bid: "5000000", ask: "5001000"),  // not traded: skipped
            Self.tardisQuote("upbit", "KRW-USDT", 4_000, bid: "1399", ask: "1400"),
        ].joined(separator: "\n"), dir, "upbit.csv")
        let names = MarketMap(venues: [.upbit, .binance], routes: Self.routes)
        var source = try ReplaySource(paths: [upbit, binance], format: .tardis, names: names, logger: LogCapture().logger)
        let store = SnapshotStore(marketCount: 3)
        var order: [(Int64, Int, Int64)] = []
        while let t = source.nextTimeNs {
            let m = source.emit(into: store)
            order.append((t / 1000, m, store.read(m).bids.prices[0] / 100_000_000))
        }
        // At 3 ms binance comes before upbit (exchange name order), and binance's two rows keep their file order.
        #expect(order.map(\.0) == [1_000, 2_000, 3_000, 3_000, 3_000, 4_000])
        #expect(order.map(\.1) == [2, 1, 2, 2, 1, 0])
        #expect(order.map(\.2) == [100, 140_000_000, 102, 104, 140_002_000, 1399])
        #expect(store.read(2).exchangeTimeNs == 2_950_000 && store.read(2).receiveTimeNs == 3_000_000)
        #expect(source.counters?.rows.load(ordering: .relaxed) == 6)
        #expect(source.counters?.skippedRows.load(ordering: .relaxed) == 1)
        #expect(source.dataEndNs == 4_000_000)
    }

    @Test func badRowsAreCountedLoggedWithTheirLineAndSkipped() throws {
        let dir = try tempDir()
        let lines = [
            #"{"type":"book","ts":10,"exchange":"upbit","symbol":"KRW-BTC","bids":[["140000000","1"]],"asks":[["140001000","1"]]}"#,
            #"{"type":"book","ts":11,"exchange":"upbit","symbol":"KRW-BTC","bids":[["oops","1"]],"asks":[]}"#,
            "garbage",
            #"{"type":"book","ts":9,"exchange":"binance","symbol":"BTCUSDT","bids":[["100","1"]],"asks":[["101","1"]]}"#,
            "",
            #"{"type":"book","ts":12,"exchange":"binance","symbol":"BTCUSDT","bids":[["100","1"]],"asks":[["101","1"]]}"#,
            #"{"type":"end","ts":20}"#,
        ]
        let path = try write(lines.joined(separator: "\n") + "\n", dir, "bad.jsonl")
        let capture = LogCapture()
        var source = try ReplaySource(paths: [path], format: .jsonl, names: MarketMap(venues: [.upbit, .binance], routes: Self.routes, includesFx: false),
                                      logger: capture.logger)
        let store = SnapshotStore(marketCount: 3)
        var times: [Int64] = []
        while let t = source.nextTimeNs { _ = source.emit(into: store); times.append(t) }
        #expect(times == [10, 12])
        #expect(source.counters?.badRows.load(ordering: .relaxed) == 3)
        #expect(source.dataEndNs == 20)
        let logged = capture.lines.withLock { $0 }
        #expect(logged.count == 3)
        #expect(logged[0].contains("bad.jsonl:2") && logged[0].contains("not a decimal"))
        #expect(logged[1].contains("bad.jsonl:3"))
        #expect(logged[2].contains("bad.jsonl:4") && logged[2].contains("time goes backwards"))
    }

    @Test func aRestoredSourceContinuesWithTheSameBooks() throws {
        let dir = try tempDir()
        var lines = ["{\"type\":\"header\",\"markets\":[]}"]
        for i in 0..<400 {
            let venue = i % 3 == 0 ? "upbit" : "binance", symbol = i % 3 == 0 ? "KRW-BTC" : "BTCUSDT"
            lines.append("{\"type\":\"book\",\"ts\":\(1000 + i * 10),\"exchange\":\"\(venue)\",\"symbol\":\"\(symbol)\",\"bids\":[[\"\(100 + i)\",\"1\"]],\"asks\":[[\"\(101 + i)\",\"1\"]]}")
            if i % 50 == 7 { lines.append("bad \(i)") }
        }
        let a = try write(lines.joined(separator: "\n"), dir, "a.jsonl")
        let gz = dir.appendingPathComponent("a.jsonl.gz").path
        #expect(try runTool("/bin/sh", ["-c", "gzip -c '\(a)' > '\(gz)'"]).0 == 0)
        for path in [a, gz] {
            let names = MarketMap(venues: [.upbit, .binance], routes: Self.routes, includesFx: false)
            var full = try ReplaySource(paths: [path], format: .jsonl, names: names, logger: LogCapture().logger)
            let store = SnapshotStore(marketCount: 3)
            var all: [(Int64, Int64)] = []
            var state: [UInt8] = []
            while let t = full.nextTimeNs {
                if all.count == 123 { state = try full.checkpointState() }
                let m = full.emit(into: store)
                all.append((t, store.read(m).bids.prices[0]))
            }
            var restored = try ReplaySource(paths: [path], format: .jsonl, names: names, logger: LogCapture().logger, state: state)
            var rest: [(Int64, Int64)] = []
            while let t = restored.nextTimeNs {
                let m = restored.emit(into: store)
                rest.append((t, store.read(m).bids.prices[0]))
            }
            #expect(rest.count == 400 - 123)
            #expect(rest.map(\.0) == all.dropFirst(123).map(\.0) && rest.map(\.1) == all.dropFirst(123).map(\.1))
            #expect(restored.counters?.badRows.load(ordering: .relaxed) == full.counters?.badRows.load(ordering: .relaxed))
            #expect(full.counters?.badRows.load(ordering: .relaxed) == 8)
        }
    }
}
