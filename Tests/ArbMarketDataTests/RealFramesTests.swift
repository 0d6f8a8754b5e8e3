import ArbCore
import Foundation
import Testing
@testable import ArbMarketData

/// `../shared/exchange-samples`: frames recorded from the exchanges by other projects (present in CI).
let exchangeSamples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../../shared/exchange-samples").standardizedFileURL
let exchangeSamplesPresent = FileManager.default.fileExists(atPath: exchangeSamples.path)

/// One frame of a sample file: the file, its line (JSONL) and bytes.
struct SampleFrame: CustomStringConvertible {
    var file: String
    var line: Int?
    var bytes: [UInt8]
    var description: String { line.map { "\(file):\($0)" } ?? file }
}

enum SampleVenue: String, CaseIterable {
    case binance, upbit, bithumb, okx, bybit

    func parse(_ bytes: [UInt8]) throws -> FeedMessage {
        try bytes.withUnsafeBytes { raw throws -> FeedMessage in
            switch self {
            case .binance: return try BinanceMessages.parse(raw)
            case .upbit: return try UpbitMessages.parse(raw)
            case .bithumb: return try BithumbMessages.parse(raw)
            case .okx: return try OKXMessages.parse(raw)
            case .bybit: return try BybitMessages.parse(raw)
            }
        }
    }
}

/// Every websocket frame the exchanges send in the samples (client requests, REST bodies, CSV and `.jsonc` files
/// with a comment-free sibling are not frames), by venue, in file order.
func sampleFrames() throws -> [(SampleVenue, SampleFrame)] {
    var out: [(SampleVenue, SampleFrame)] = []
    let fm = FileManager.default
    for folder in ["binance-upbit", "bithumb", "okx", "bybit"] {
        let dir = exchangeSamples.appendingPathComponent(folder)
        for name in try fm.contentsOfDirectory(atPath: dir.path).sorted() {
            let client = name.contains("request") || name.hasPrefix("ws_ping.")
            let frameFile = name.hasSuffix(".json") || name.hasSuffix(".jsonl") || name.hasSuffix(".txt")
            guard frameFile, !client, !name.contains("rest_"), !name.contains("filter_") else { continue }
            let venue: SampleVenue
            switch folder {
            case "binance-upbit": venue = name.hasPrefix("binance_") ? .binance : .upbit
            default: venue = SampleVenue(rawValue: folder)!
            }
            let data = [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
            if name.hasSuffix(".jsonl") {
                for (i, line) in data.split(separator: 0x0a).enumerated() {
                    out.append((venue, SampleFrame(file: "\(folder)/\(name)", line: i + 1, bytes: Array(line))))
                }
            } else {
                // Every `.json` file ends with one added LF that is not part of the frame.
                var bytes = data
                if bytes.last == 0x0a { bytes.removeLast() }
                out.append((venue, SampleFrame(file: "\(folder)/\(name)", bytes: bytes)))
            }
        }
    }
    return out
}

/// The levels a frame carries, read with `RawJSON`: what the parsed book must hold, best first, zero-size and
/// zero-price padding left out, at most `BookSide.capacity`.
func expectedLevels(_ venue: SampleVenue, _ json: RawJSON) -> (bids: [(Decimal, Decimal)], asks: [(Decimal, Decimal)])? {
    func pairs(_ v: RawJSON?) -> [(Decimal, Decimal)] {
        (v?.array ?? []).compactMap { l in
            guard let a = l.array, a.count >= 2, let p = a[0].decimal, let q = a[1].decimal, q > 0 else { return nil }
            return (p, q)
        }
    }
    switch venue {
    case .binance:
        guard let data = json["data"] else { return nil }
        if let b = data["b"]?.decimal, let bq = data["B"]?.decimal, let a = data["a"]?.decimal, let aq = data["A"]?.decimal {
            return ([(b, bq)], [(a, aq)])
        }
        return (pairs(data["bids"]), pairs(data["asks"]))
    case .upbit, .bithumb:
        guard let units = (json["orderbook_units"] ?? json["obu"])?.array else { return nil }
        var bids: [(Decimal, Decimal)] = [], asks: [(Decimal, Decimal)] = []
        var bidsDone = false, asksDone = false
        for u in units {
            let ap = (u["ask_price"] ?? u["ap"])?.decimal ?? 0, aq = (u["ask_size"] ?? u["as"])?.decimal ?? 0
            let bp = (u["bid_price"] ?? u["bp"])?.decimal ?? 0, bq = (u["bid_size"] ?? u["bs"])?.decimal ?? 0
            if ap == 0 { asksDone = true } else if !asksDone && aq > 0 { asks.append((ap, aq)) }
            if bp == 0 { bidsDone = true } else if !bidsDone && bq > 0 { bids.append((bp, bq)) }
        }
        return (bids, asks)
    case .okx:
        guard let data = json["data"]?.array?.first else { return nil }
        return (pairs(data["bids"]), pairs(data["asks"]))
    case .bybit:
        guard let data = json["data"] else { return nil }
        return (pairs(data["b"]), pairs(data["a"]))
    }
}

func decimals(_ side: BookSide) -> [(Decimal, Decimal)] {
    (0..<side.count).map { (Decimal(string: side.price($0).description)!, Decimal(string: side.quantity($0).description)!) }
}

func same(_ a: [(Decimal, Decimal)], _ b: [(Decimal, Decimal)]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
}

/// A book kept the plain way (a dictionary per side), to check `DepthBooks` against.
struct ReferenceBook {
    var bids: [Decimal: Decimal] = [:]
    var asks: [Decimal: Decimal] = [:]

    mutating func apply(_ json: RawJSON, venue: SampleVenue, snapshot: Bool) {
        let data = venue == .okx ? json["data"]?.array?.first : json["data"]
        if snapshot { bids = [:]; asks = [:] }
        for (key, isBid) in [(venue == .okx ? "bids" : "b", true), (venue == .okx ? "asks" : "a", false)] {
            for level in data?[key]?.array ?? [] {
                guard let l = level.array, let p = l[0].decimal, let q = l[1].decimal else { continue }
                if isBid { bids[p] = q == 0 ? nil : q } else { asks[p] = q == 0 ? nil : q }
            }
        }
    }

    var sorted: (bids: [(Decimal, Decimal)], asks: [(Decimal, Decimal)]) {
        (bids.sorted { $0.key > $1.key }.map { ($0.key, $0.value) }, asks.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }
}

func decimals(_ levels: [DepthLevel]) -> [(Decimal, Decimal)] {
    levels.map { (Decimal(string: $0.price.description)!, Decimal(string: $0.quantity.description)!) }
}

@Suite(.enabled(if: exchangeSamplesPresent, "needs ../shared/exchange-samples")) struct RealFramesTests {
    /// Frames refused on purpose, by file, with the reason the parser must give: formats the feeds do not read.
    static let refused: [(file: String, reason: String)] = [
        // Raw streams (no combined wrapper): the feed opens `/stream`, where every event is wrapped.
        ("binance_bookticker_raw_docs", "neither a stream event nor a control answer"),
        ("binance_depth_partial_raw_docs", "neither a stream event nor a control answer"),
        ("binance_ws_servershutdown_raw_docs", "neither a stream event nor a control answer"),
        // Documentation examples abbreviated with `...` (not JSON).
        ("upbit_orderbook_simple_list_docs_ABBREVIATED", "at byte"),
        ("bybit/ws_orderbook50_snapshot.doc", "at byte"),
        // Channels and message types the feeds do not subscribe.
        ("bithumb/ws_ticker", "not an orderbook message (type ticker)"),
        ("bithumb/ws_legacy_", "not an orderbook message"),
        ("bithumb/ws_orderbook_level1000_padding_fragment", "not an orderbook message (type missing)"),
        ("okx/ws_tickers", "channel tickers is not read"),
    ]

    @Test func everyRealFrameParsesOrIsRefusedWithItsReasonAndBooksMatchTheirLevels() throws {
        var counts: [String: Int] = [:]
        for (venue, frame) in try sampleFrames() {
            let message: FeedMessage
            do {
                message = try venue.parse(frame.bytes)
            } catch {
                let expected = Self.refused.first { frame.file.contains($0.file) }
                #expect(expected != nil, "\(frame) refused: \(error)")
                if let expected { #expect("\(error)".contains(expected.reason), "\(frame): \(error)") }
                counts["\(venue) refused", default: 0] += 1
                continue
            }
            #expect(!Self.refused.contains { frame.file.contains($0.file) }, "\(frame) parsed but is listed as refused")
            switch message {
            case .book(_, let time, let bids, let asks):
                // Milliseconds and microseconds (Bithumb since 2026, a Tardis-derived Upbit frame) both land in
                // 2015–2031.
                if let time { #expect(time > 1_420_000_000_000_000_000 && time < 1_930_000_000_000_000_000, "\(frame) time \(time)") }
                let json = try #require(RawJSON.parse(frame.bytes), "\(frame) is not JSON to the reference reader")
                let expected = try #require(expectedLevels(venue, json), "\(frame)")
                #expect(same(decimals(bids), Array(expected.bids.prefix(BookSide.capacity))), "\(frame) bids")
                #expect(same(decimals(asks), Array(expected.asks.prefix(BookSide.capacity))), "\(frame) asks")
                #expect(!bids.isEmpty || !asks.isEmpty, "\(frame) empty book")
                counts["\(venue) book", default: 0] += 1
            case .depth(let m):
                if m.kind == .snapshot {
                    let json = try #require(RawJSON.parse(frame.bytes), "\(frame) is not JSON to the reference reader")
                    var books = DepthBooks()
                    guard case .book = books.apply(m) else { Issue.record("\(frame): snapshot not applied"); continue }
                    let kept = try #require(books.levels(m.symbol))
                    let expected = try #require(expectedLevels(venue, json), "\(frame)")
                    #expect(same(decimals(kept.bids), expected.bids) && same(decimals(kept.asks), expected.asks), "\(frame)")
                }
                counts["\(venue) depth \(m.kind)", default: 0] += 1
            case .subscribed: counts["\(venue) answer", default: 0] += 1
            case .alive: counts["\(venue) keepalive", default: 0] += 1
            case .error: counts["\(venue) error", default: 0] += 1
            case .serverShutdown: counts["\(venue) shutdown", default: 0] += 1
            }
        }
        print("real frames: " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        // The recorded streams are all there: 412 + 5 bookTicker and 17 + 5 depth frames from Binance, 145 + 7
        // Upbit books, Bithumb's books, OKX books5/bbo-tbt, and the depth snapshots.
        #expect(counts["binance book", default: 0] >= 439)
        #expect(counts["upbit book", default: 0] >= 152)
        #expect(counts["bithumb book", default: 0] >= 5)
        #expect(counts["okx book", default: 0] == 4)
        #expect(counts["okx depth snapshot", default: 0] >= 3 && counts["bybit depth snapshot", default: 0] == 1)
        #expect(counts["binance error", default: 0] == 8 && counts["bithumb error", default: 0] >= 4)
    }

    /// OKX's recorded `books` sequence (a 400-level snapshot and 97 updates): every update applies, the
    /// venue's checksum of the merged book matches on each one, and the kept book is the plain merge.
    @Test func okxBooksSequenceKeepsTheBookWithMatchingChecksums() throws {
        let file = exchangeSamples.appendingPathComponent("okx/ws_books_BTC-USDT_sequence.real-2022-05-13.jsonl")
        let lines = try Data(contentsOf: file).split(separator: 0x0a).map { Array($0) }
        #expect(lines.count == 98)
        var books = DepthBooks()
        var reference = ReferenceBook()
        for (i, line) in lines.enumerated() {
            guard case .depth(let m) = try SampleVenue.okx.parse(line) else { Issue.record("line \(i + 1) not depth"); return }
            #expect(m.checksum != nil && m.checksum != 0)
            guard case .book(_, _, let bids, let asks) = books.apply(m) else { Issue.record("line \(i + 1) not applied"); return }
            reference.apply(try #require(RawJSON.parse(line)), venue: .okx, snapshot: m.kind == .snapshot)
            let expected = reference.sorted
            #expect(same(decimals(bids), Array(expected.bids.prefix(BookSide.capacity))), "line \(i + 1)")
            #expect(same(decimals(asks), Array(expected.asks.prefix(BookSide.capacity))), "line \(i + 1)")
            let kept = try #require(books.levels("BTC-USDT"))
            #expect(same(decimals(kept.bids), expected.bids) && same(decimals(kept.asks), expected.asks), "line \(i + 1)")
        }
    }

    /// Bybit's recorded snapshot and the delta after it (`u` + 1) give the plain merge; the same delta again is
    /// out of sequence.
    @Test func bybitSnapshotThenDelta() throws {
        let dir = exchangeSamples.appendingPathComponent("bybit")
        var frames: [[UInt8]] = []
        for name in ["ws_orderbook50_snapshot.real-2024-11-08.json", "ws_orderbook50_delta.real-2024-11-08.json"] {
            var bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
            if bytes.last == 0x0a { bytes.removeLast() }
            frames.append(bytes)
        }
        var books = DepthBooks()
        var reference = ReferenceBook()
        for (i, frame) in frames.enumerated() {
            guard case .depth(let m) = try SampleVenue.bybit.parse(frame) else { Issue.record("not depth"); return }
            guard case .book(let symbol, let time, _, _) = books.apply(m) else { Issue.record("frame \(i) not applied"); return }
            #expect(symbol == "BTCUSDT" && time == (i == 0 ? 1_731_035_685_323 : 1_731_035_685_342) * 1_000_000)
            reference.apply(try #require(RawJSON.parse(frame)), venue: .bybit, snapshot: i == 0)
        }
        let kept = try #require(books.levels("BTCUSDT"))
        #expect(same(decimals(kept.bids), reference.sorted.bids) && same(decimals(kept.asks), reference.sorted.asks))
        #expect(kept.bids.count == 50 && kept.asks.count == 50)
        guard case .depth(let again) = try SampleVenue.bybit.parse(frames[1]) else { return }
        guard case .gap(_, let reason) = books.apply(again) else { Issue.record("a repeated update applied"); return }
        #expect(reason == "update 2876701 where 2876702 was next")
        #expect(books.levels("BTCUSDT") == nil)
    }
}
