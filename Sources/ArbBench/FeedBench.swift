import ArbCore
import ArbEngine
import ArbMarketData
import Foundation

/// `arbitrage bench --feeds`: how many messages one core parses and stores, per format: each message is
/// parsed from its bytes, routed to its market, queued for the campaign (the live path's conflating queue) and
/// written into the snapshot store, as the service does with what a websocket or a file delivers. The network
/// is not part of it.
struct FeedBench {
    let seconds: Double
    static let symbols = 200

    struct Row {
        var format: String
        var messages: Int
        var bytes: Int
        var seconds: Double
    }

    func run() -> [Row] {
        let bases = (0..<Self.symbols).map { "S\($0)X" }
        let routes = bases.enumerated().map { i, b in
            Route(index: i, key: b + "USDT", base: b, upbit: Instrument(tick: Fixed(1), step: Fixed(raw: 1), minNotional: Fixed(5000)),
                  binance: Instrument(tick: Fixed("0.01")!, step: Fixed("0.001")!, minNotional: Fixed(5)))
        }
        // Each asset also on Bithumb × OKX and Upbit × Bybit, so every venue's messages find their market.
        var all = routes
        for b in bases {
            let krw = Instrument(tick: Fixed(1), step: Fixed(raw: 1), minNotional: Fixed(5000))
            let usdt = Instrument(tick: Fixed("0.01")!, step: Fixed("0.001")!, minNotional: Fixed(5))
            for pair in [PerLeg(a: Venue.bithumb, b: .okx), PerLeg(a: .upbit, b: .bybit)] {
                all.append(Route(index: all.count, key: Route.key(symbol: b + "USDT", venues: pair), base: b,
                                 venues: pair, instruments: PerLeg(a: krw, b: usdt)))
            }
        }
        let names = MarketMap(venues: [.upbit, .binance, .bithumb, .okx, .bybit], routes: all)
        var rows: [Row] = []
        rows.append(measure("Binance depth20@100ms (JSON, 20 levels)", Self.messages(bases) { b, n in Self.binanceDepth(b, n) }) {
            Self.live(.binance, try BinanceMessages.parse($0), names: names, $1, $2)
        })
        rows.append(measure("Binance bookTicker (JSON, best level)", Self.messages(bases) { b, n in Self.binanceTicker(b, n) }) {
            Self.live(.binance, try BinanceMessages.parse($0), names: names, $1, $2)
        })
        rows.append(measure("Upbit orderbook SIMPLE (15 levels)", Self.messages(bases) { b, n in Self.upbit(b, n, simple: true) }) {
            Self.live(.upbit, try UpbitMessages.parse($0), names: names, $1, $2)
        })
        rows.append(measure("Upbit orderbook DEFAULT (15 levels)", Self.messages(bases) { b, n in Self.upbit(b, n, simple: false) }) {
            Self.live(.upbit, try UpbitMessages.parse($0), names: names, $1, $2)
        })
        rows.append(measure("Bithumb orderbook SIMPLE (15 levels)", Self.messages(bases) { b, n in Self.upbit(b, n, simple: true) }) {
            Self.live(.bithumb, try BithumbMessages.parse($0), names: names, $1, $2)
        })
        rows.append(measure("Bithumb orderbook DEFAULT (15 levels)", Self.messages(bases) { b, n in Self.upbit(b, n, simple: false) }) {
            Self.live(.bithumb, try BithumbMessages.parse($0), names: names, $1, $2)
        })
        rows.append(measure("OKX books5 (5 levels)", Self.messages(bases) { b, n in Self.okxBooks5(b, n) }) {
            Self.live(.okx, try OKXMessages.parse($0), names: names, $1, $2)
        })
        var okxBooks = DepthBooks()
        rows.append(measure("OKX books (a 50-level snapshot, then 9 updates of 2 + 2 levels, seqId chain)",
                            Self.messages(bases) { b, n in Self.okxBooks(b, n) }) {
            try Self.depth(.okx, try OKXMessages.parse($0), books: &okxBooks, names: names, $1, $2)
        })
        var bybitBooks = DepthBooks()
        rows.append(measure("Bybit orderbook.50 (a 50-level snapshot, then 9 deltas of 2 + 2 levels, u chain)",
                            Self.messages(bases) { b, n in Self.bybit(b, n) }) {
            try Self.depth(.bybit, try BybitMessages.parse($0), books: &bybitBooks, names: names, $1, $2)
        })
        rows.append(measure("Replay JSONL (20 levels)", Self.messages(bases) { b, n in Self.jsonl(b, n) }) { bytes, _, store in
            guard case .book(let e) = try MarketJSONL.parse(bytes), let m = names.index(e.venue, e.symbol) else { return }
            e.write(into: store, market: m, receiveTimeNs: e.timeNs)
        })
        let kind = TardisCSV.Kind.bookSnapshot(levels: 25)
        rows.append(measure("Replay Tardis book_snapshot_25 (CSV)", Self.messages(bases) { b, n in Self.tardis(b, n) }) { bytes, _, store in
            let e = try TardisCSV.parse(bytes, kind: kind)
            guard let m = names.index(e.venue, e.symbol) else { return }
            e.write(into: store, market: m, receiveTimeNs: e.timeNs)
        })
        return rows
    }

    static func messages(_ bases: [String], _ make: (String, Int) -> String) -> [[UInt8]] {
        (0..<2_000).map { Array(make(bases[$0 % bases.count], $0).utf8) }
    }

    /// Parses, routes, queues and stores `messages` round and round for `seconds` on this thread.
    func measure(_ format: String, _ messages: [[UInt8]],
                 _ handle: (UnsafeRawBufferPointer, BookQueue, SnapshotStore) throws -> Void) -> Row {
        // Every venue's market of every symbol, and the two KRW venues' fx books.
        let store = SnapshotStore(marketCount: Self.symbols * 5 + 2)
        let queue = BookQueue(marketCount: Self.symbols * 5 + 2)
        var count = 0, bytes = 0
        let start = MonotonicClock.nanoseconds()
        let end = start + UInt64(seconds * 1e9)
        var failures = 0
        while MonotonicClock.nanoseconds() < end {
            for m in messages {
                m.withUnsafeBytes { raw in
                    do { try handle(raw, queue, store) } catch { failures += 1 }
                }
                bytes += m.count
            }
            count += messages.count
        }
        precondition(failures == 0, "\(format): \(failures) messages failed to parse")
        return Row(format: format, messages: count, bytes: bytes, seconds: Double(MonotonicClock.nanoseconds() - start) / 1e9)
    }

    static func live(_ venue: Venue, _ message: FeedMessage, names: MarketMap, _ queue: BookQueue, _ store: SnapshotStore) {
        guard case .book(let symbol, let time, let bids, let asks) = message, let m = names.index(venue, symbol) else { return }
        queue.push(market: m, MarketEvent(venue: venue, symbol: symbol, timeNs: 1, exchangeTimeNs: time ?? 1, bids: bids, asks: asks))
        if let p = queue.pop() { p.event.write(into: store, market: p.market, receiveTimeNs: p.event.timeNs) }
    }

    struct BookGap: Error {}

    /// A depth message kept in its symbol's book (as the connection does), the book's top then queued and stored.
    static func depth(_ venue: Venue, _ message: FeedMessage, books: inout DepthBooks, names: MarketMap,
                      _ queue: BookQueue, _ store: SnapshotStore) throws {
        guard case .depth(let update) = message else { return }
        switch books.apply(update) {
        case .book(let symbol, let time, let bids, let asks):
            live(venue, .book(symbol: symbol, exchangeTimeNs: time, bids: bids, asks: asks), names: names, queue, store)
        case .waiting: break
        case .gap: throw BookGap()
        }
    }

    /// Message `n` of a depth stream: the first round of symbols gets snapshots, the next nine updates.
    static func depthLevels(_ n: Int) -> (snapshot: Bool, round: Int, bids: [(String, String)], asks: [(String, String)]) {
        let round = n / symbols
        if round == 0 {
            return (true, 0, (0..<50).map { (price(0, $0, up: false), String(format: "%.3f", 1.5 + Double($0))) },
                    (0..<50).map { (price(0, $0, up: true), String(format: "%.3f", 2.25 + Double($0))) })
        }
        let levels = [round % 7, round % 7 + 3]
        return (false, round, levels.map { (price(0, $0, up: false), String(format: "%.3f", 1.5 + Double(n % 11))) },
                levels.map { (price(0, $0, up: true), String(format: "%.3f", 2.25 + Double(n % 13))) })
    }

    static func okxBooks5(_ base: String, _ n: Int) -> String {
        func side(_ up: Bool) -> String {
            (0..<5).map { "[\"\(price(n, $0, up: up))\",\"\(String(format: "%.3f", 1.5 + Double($0)))\",\"0\",\"2\"]" }.joined(separator: ",")
        }
        return "{\"arg\":{\"channel\":\"books5\",\"instId\":\"\(base)-USDT\"},\"data\":[{\"asks\":[\(side(true))],\"bids\":[\(side(false))],\"instId\":\"\(base)-USDT\",\"ts\":\"1652685780045\",\"seqId\":\(n)}]}"
    }

    static func okxBooks(_ base: String, _ n: Int) -> String {
        let (snapshot, round, bids, asks) = depthLevels(n)
        func side(_ levels: [(String, String)]) -> String { levels.map { "[\"\($0.0)\",\"\($0.1)\",\"0\",\"1\"]" }.joined(separator: ",") }
        return "{\"arg\":{\"channel\":\"books\",\"instId\":\"\(base)-USDT\"},\"action\":\"\(snapshot ? "snapshot" : "update")\",\"data\":[{\"asks\":[\(side(asks))],\"bids\":[\(side(bids))],\"ts\":\"1652685780045\",\"checksum\":0,\"prevSeqId\":\(snapshot ? -1 : 100 + round - 1),\"seqId\":\(100 + round)}]}"
    }

    static func bybit(_ base: String, _ n: Int) -> String {
        let (snapshot, round, bids, asks) = depthLevels(n)
        func side(_ levels: [(String, String)]) -> String { levels.map { "[\"\($0.0)\",\"\($0.1)\"]" }.joined(separator: ",") }
        return "{\"topic\":\"orderbook.50.\(base)USDT\",\"ts\":1731055100112,\"type\":\"\(snapshot ? "snapshot" : "delta")\",\"data\":{\"s\":\"\(base)USDT\",\"b\":[\(side(bids))],\"a\":[\(side(asks))],\"u\":\(100 + round),\"seq\":\(7000 + round)},\"cts\":1731055100110}"
    }

    static func price(_ n: Int, _ i: Int, up: Bool) -> String {
        String(format: "%.2f", 100 + Double(n % 97) * 0.01 + (up ? 1 : -1) * 0.01 * Double(i + 1))
    }

    static func binanceDepth(_ base: String, _ n: Int) -> String {
        let bids = (0..<20).map { "[\"\(price(n, $0, up: false))\",\"\(String(format: "%.3f", 1.5 + Double($0)))\"]" }
        let asks = (0..<20).map { "[\"\(price(n, $0, up: true))\",\"\(String(format: "%.3f", 2.25 + Double($0)))\"]" }
        return "{\"stream\":\"\(base.lowercased())usdt@depth20@100ms\",\"data\":{\"lastUpdateId\":\(n),\"bids\":[\(bids.joined(separator: ","))],\"asks\":[\(asks.joined(separator: ","))]}}"
    }

    static func binanceTicker(_ base: String, _ n: Int) -> String {
        "{\"stream\":\"\(base.lowercased())usdt@bookTicker\",\"data\":{\"u\":\(n),\"s\":\"\(base)USDT\",\"b\":\"\(price(n, 0, up: false))\",\"B\":\"31.21000000\",\"a\":\"\(price(n, 0, up: true))\",\"A\":\"40.66000000\"}}"
    }

    static func upbit(_ base: String, _ n: Int, simple: Bool) -> String {
        let units = (0..<15).map { i -> String in
            let ap = 140_000 + (n % 50) + i + 1, bp = 140_000 + (n % 50) - i - 1
            let size = String(format: "%.8f", 0.12345678 + Double(i))
            return simple ? "{\"ap\":\(ap).0,\"bp\":\(bp).0,\"as\":\(size),\"bs\":\(size)}"
                          : "{\"ask_price\":\(ap).0,\"bid_price\":\(bp).0,\"ask_size\":\(size),\"bid_size\":\(size)}"
        }.joined(separator: ",")
        return simple
            ? "{\"ty\":\"orderbook\",\"cd\":\"KRW-\(base)\",\"tms\":1704867306396,\"tas\":4.79,\"tbs\":2.65,\"obu\":[\(units)],\"st\":\"REALTIME\",\"lv\":0}"
            : "{\"type\":\"orderbook\",\"code\":\"KRW-\(base)\",\"timestamp\":1704867306396,\"total_ask_size\":4.79,\"total_bid_size\":2.65,\"orderbook_units\":[\(units)],\"stream_type\":\"REALTIME\",\"level\":0}"
    }

    static func jsonl(_ base: String, _ n: Int) -> String {
        var e = MarketEvent(venue: .binance, symbol: base + "USDT", timeNs: 1_767_225_600_000_000_000 + Int64(n), exchangeTimeNs: 1,
                            bids: BookSide(), asks: BookSide())
        for i in 0..<20 {
            e.bids.append(price: Fixed(price(n, i, up: false))!, quantity: Fixed(1.5 + Double(i)))
            e.asks.append(price: Fixed(price(n, i, up: true))!, quantity: Fixed(2.25 + Double(i)))
        }
        var out: [UInt8] = []
        MarketJSONL.appendBook(e, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func tardis(_ base: String, _ n: Int) -> String {
        var row = "binance,\(base)USDT,\(1_767_225_600_000_000 + n),\(1_767_225_600_000_100 + n)"
        for i in 0..<25 {
            row += i < 20 ? ",\(price(n, i, up: true)),\(2.25 + Double(i)),\(price(n, i, up: false)),\(1.5 + Double(i))" : ",,,,"
        }
        return row
    }

    static func table(_ rows: [Row]) -> String {
        var out = "| format | messages/s (one core) | µs/message | MB/s |\n|---|---:|---:|---:|\n"
        for r in rows {
            let rate = Double(r.messages) / r.seconds
            out += "| \(r.format) | \(Int(rate.rounded())) | \(String(format: "%.2f", 1e6 / rate)) | \(String(format: "%.0f", Double(r.bytes) / r.seconds / 1e6)) |\n"
        }
        return out
    }

    static func json(_ rows: [Row]) -> JSONValue {
        .array(rows.map { r in
            ["format": .string(r.format), "messages": .int(Int64(r.messages)), "seconds": .double(r.seconds),
             "messages_per_second": .double(Double(r.messages) / r.seconds), "bytes_per_second": .double(Double(r.bytes) / r.seconds)]
        })
    }
}
