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
        let names = MarketMap(venues: [.upbit, .binance], routes: routes)
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
        let store = SnapshotStore(marketCount: Self.symbols * 2 + 1)
        let queue = BookQueue(marketCount: Self.symbols * 2 + 1)
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
