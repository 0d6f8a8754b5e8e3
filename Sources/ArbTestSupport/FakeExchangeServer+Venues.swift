import Foundation

/// The newer venues' messages: Bithumb's Upbit-style books, OKX's and Bybit's handshakes and books in sequence.
extension FakeExchangeServer {
    /// Bithumb: 15 units, JSON numbers, sizes to 4 decimals, microsecond times, `SNAPSHOT` first then `REALTIME`.
    static func bithumbBook(_ code: String, n: Int, us: Int64, simple: Bool, snapshot: Bool) -> String {
        let base = String(code.dropFirst(4))
        let tick = base == "USDT" ? 1.0 : 1000.0
        let mid = base == "USDT" ? 1401.0 : (basePrice(base) * 1400 / tick).rounded() * tick
        var units: [String] = []
        for i in 0..<15 {
            let ap = mid + tick * Double(i + 1), bp = mid - tick * Double(i + 1)
            let size = String(format: "%.4f", 0.25 + Double((n + i) % 5))
            units.append(simple ? "{\"ap\":\(ap),\"bp\":\(bp),\"as\":\(size),\"bs\":\(size)}"
                                : "{\"ask_price\":\(ap),\"bid_price\":\(bp),\"ask_size\":\(size),\"bid_size\":\(size)}")
        }
        let kind = snapshot ? "SNAPSHOT" : "REALTIME"
        return simple
            ? "{\"ty\":\"orderbook\",\"cd\":\"\(code)\",\"tas\":1,\"tbs\":1,\"obu\":[\(units.joined(separator: ","))],\"lv\":1,\"tms\":\(us),\"st\":\"\(kind)\"}"
            : "{\"type\":\"orderbook\",\"code\":\"\(code)\",\"total_ask_size\":1,\"total_bid_size\":1,\"orderbook_units\":[\(units.joined(separator: ","))],\"level\":1,\"timestamp\":\(us),\"stream_type\":\"\(kind)\"}"
    }

    /// A book's mid on the USDT venues: the symbol's base price (`BTC-USDT` and `BTCUSDT` alike).
    static func usdtMid(_ symbol: String) -> Double {
        basePrice(symbol.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "USDT", with: ""))
    }

    /// 20 levels a side one cent apart around the mid.
    static func levels(_ mid: Double, bids: Bool) -> [(String, String)] {
        (0..<20).map { i in
            (String(format: "%.2f", bids ? mid - 0.01 * Double(i + 1) : mid + 0.01 * Double(i + 1)), String(format: "%.4f", 0.5 + Double(i)))
        }
    }

    /// The changes of round `n`: the best levels' sizes move, and the fifth bid leaves and comes back.
    static func changes(_ mid: Double, n: Int) -> (bids: [(String, String)], asks: [(String, String)]) {
        let b = levels(mid, bids: true), a = levels(mid, bids: false)
        var bids = [(b[0].0, String(format: "%.4f", 0.5 + Double(n % 5)))]
        if n % 3 == 0 { bids.append((b[4].0, "0")) } else if n % 3 == 1 { bids.append(b[4]) }
        return (bids, [(a[0].0, String(format: "%.4f", 1 + Double(n % 3)))])
    }

    /// OKX (`books5`: a full top 5; `books`: a snapshot then updates chained by seqId) or Bybit (`orderbook.N`:
    /// a snapshot then deltas counting `u` up by one) for `symbol`.
    func sequenced(_ c: Connection, _ symbol: String, n: Int, ms: Int64) -> String {
        let mid = Self.usdtMid(symbol)
        let (channel, snapshot, prev, seq) = c.lock.withLock { () -> (String, Bool, Int64, Int64) in
            let snapshot = c.snapshotDue.remove(symbol) != nil
            let prev = c.seq[symbol] ?? 100
            // A skipped number: the message claims to follow one the client never saw.
            let skip: Int64 = !snapshot && c.gapNext ? 1 : 0
            c.gapNext = c.gapNext && snapshot
            let seq = prev + 1 + skip
            c.seq[symbol] = seq
            if snapshot { c._snapshots[symbol, default: 0] += 1 }
            return (c._channel, snapshot, prev + skip, seq)
        }
        func side(_ levels: [(String, String)], okx: Bool) -> String {
            levels.map { okx ? "[\"\($0.0)\",\"\($0.1)\",\"0\",\"1\"]" : "[\"\($0.0)\",\"\($0.1)\"]" }.joined(separator: ",")
        }
        if flavor == .okx {
            if channel == "books5" {
                let b = Self.levels(mid, bids: true).prefix(5), a = Self.levels(mid, bids: false).prefix(5)
                return "{\"arg\":{\"channel\":\"books5\",\"instId\":\"\(symbol)\"},\"data\":[{\"asks\":[\(side(Array(a), okx: true))],\"bids\":[\(side(Array(b), okx: true))],\"instId\":\"\(symbol)\",\"ts\":\"\(ms)\",\"seqId\":\(seq)}]}"
            }
            let (b, a) = snapshot ? (Self.levels(mid, bids: true), Self.levels(mid, bids: false)) : Self.changes(mid, n: n)
            return "{\"arg\":{\"channel\":\"books\",\"instId\":\"\(symbol)\"},\"action\":\"\(snapshot ? "snapshot" : "update")\",\"data\":[{\"asks\":[\(side(a, okx: true))],\"bids\":[\(side(b, okx: true))],\"ts\":\"\(ms)\",\"checksum\":0,\"prevSeqId\":\(snapshot ? -1 : prev),\"seqId\":\(seq)}]}"
        }
        let (b, a) = snapshot ? (Self.levels(mid, bids: true), Self.levels(mid, bids: false)) : Self.changes(mid, n: n)
        return "{\"topic\":\"orderbook.\(channel).\(symbol)\",\"ts\":\(ms + 2),\"type\":\"\(snapshot ? "snapshot" : "delta")\",\"data\":{\"s\":\"\(symbol)\",\"b\":[\(side(b, okx: false))],\"a\":[\(side(a, okx: false))],\"u\":\(seq),\"seq\":\(seq * 7)},\"cts\":\(ms)}"
    }

    /// `{"op":"subscribe"|"unsubscribe","args":[{"channel","instId"}…]}`: one acknowledgement per argument.
    func okxRequest(_ json: Any, on c: Connection) {
        guard let request = json as? [String: Any], let op = request["op"] as? String,
              let args = request["args"] as? [[String: String]] else {
            write(c, text: #"{"event":"error","code":"60012","msg":"Invalid request","connId":"fake"}"#)
            return
        }
        for arg in args {
            guard let channel = arg["channel"], let inst = arg["instId"] else { continue }
            c.lock.withLock {
                c._channel = channel
                if op == "subscribe" {
                    if !c._symbols.contains(inst) { c._symbols.append(inst) }
                    c.snapshotDue.insert(inst)
                } else {
                    c._symbols.removeAll { $0 == inst }
                }
            }
            write(c, text: "{\"event\":\"\(op)\",\"arg\":{\"channel\":\"\(channel)\",\"instId\":\"\(inst)\"},\"connId\":\"fake\"}")
        }
    }

    /// `{"op":"subscribe","args":["orderbook.50.BTCUSDT",…]}` (at most 10 topics, as spot allows) and
    /// `{"op":"ping"}`.
    func bybitRequest(_ json: Any, on c: Connection) {
        guard let request = json as? [String: Any], let op = request["op"] as? String else { return }
        let reqID = (request["req_id"] as? String).map { ",\"req_id\":\"\($0)\"" } ?? ""
        if op == "ping" {
            c.lock.withLock { c._textPings += 1 }
            write(c, text: "{\"success\":true,\"ret_msg\":\"pong\",\"conn_id\":\"fake\"\(reqID),\"op\":\"ping\"}")
            return
        }
        let topics = request["args"] as? [String] ?? []
        guard topics.count <= 10 else {
            write(c, text: "{\"success\":false,\"ret_msg\":\"args size >10\",\"conn_id\":\"fake\"\(reqID),\"op\":\"\(op)\"}")
            return
        }
        for topic in topics {
            let parts = topic.split(separator: ".")
            guard parts.count == 3, parts[0] == "orderbook" else { continue }
            let symbol = String(parts[2])
            c.lock.withLock {
                c._channel = String(parts[1])
                if op == "subscribe" {
                    if !c._symbols.contains(symbol) { c._symbols.append(symbol) }
                    c.snapshotDue.insert(symbol)
                } else {
                    c._symbols.removeAll { $0 == symbol }
                }
            }
        }
        write(c, text: "{\"success\":true,\"ret_msg\":\"\(op)\",\"conn_id\":\"fake\"\(reqID),\"op\":\"\(op)\"}")
    }
}
