import ArbCore

/// Bybit v5 public spot websocket: `{"topic":"orderbook.50.BTCUSDT","ts":…,"type":"snapshot"|"delta",
/// "data":{"s","b":[["px","sz"]],"a":[…],"u","seq"},"cts":…}` (strings for levels, ms numbers for times, a size
/// of "0" removing a level, `u` up by one per delta); answers `{"success":…,"ret_msg":…,"op":…}` to requests
/// and pings (`{"op":"pong",…}` on other streams).
public enum BybitMessages {
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(FeedParseError) -> FeedMessage {
        do { return try parseMessage(bytes) } catch let error as FeedParseError { throw error } catch {
            throw FeedParseError("\(error)")
        }
    }

    private static func parseMessage(_ bytes: UnsafeRawBufferPointer) throws -> FeedMessage {
        var c = JSONCursor(bytes)
        var topic: String?, type: String?, op: String?, retMsg: String?, reqID: String?
        var success: Bool?
        var tsMs: Int64?, ctsMs: Int64?
        var symbol: String?
        var bids: [DepthLevel] = [], asks: [DepthLevel] = []
        var u: Int64?
        var sawData = false
        try c.forEachMember { (key, v) throws(JSONScanError) in
            if key.equals("topic") { topic = try v.text() } else if key.equals("type") { type = try v.text() } else if key.equals("ts") {
                tsMs = try v.integer()
            } else if key.equals("cts") { ctsMs = try v.integer() } else if key.equals("op") { op = try v.text() } else if key.equals("ret_msg") {
                retMsg = try v.text()
            } else if key.equals("req_id") { reqID = try v.text() } else if key.equals("success") {
                success = try v.boolean()
            } else if key.equals("data") {
                guard v.peek() == 0x7b else { try v.skipValue(); return }
                sawData = true
                try v.forEachMember { (k, d) throws(JSONScanError) in
                    if k.equals("s") { symbol = try d.text() } else if k.equals("b") { bids = try OKXMessages.levels(&d) } else if k.equals("a") {
                        asks = try OKXMessages.levels(&d)
                    } else if k.equals("u") { u = try d.integer() } else { try d.skipValue() }
                }
            } else { try v.skipValue() }
        }
        try c.expectEnd()
        if let op, topic == nil {
            if op == "pong" || (op == "ping" && success != false) { return .alive }
            if success == false { return .error("\(op): \(retMsg ?? "refused")") }
            return .subscribed(id: reqID ?? op)
        }
        guard let topic else { throw FeedParseError("neither a topic push nor an answer") }
        guard topic.hasPrefix("orderbook.") else { throw FeedParseError("topic \(topic) is not read (orderbook.N is)") }
        guard sawData, let symbol, let u else { throw FeedParseError("\(topic) without data, s or u") }
        let kind: DepthMessage.Kind
        switch type {
        case "snapshot": kind = .snapshot
        case "delta": kind = .update
        default: throw FeedParseError("\(topic) of type \(type ?? "missing")")
        }
        let time = (ctsMs ?? tsMs).map { $0 &* 1_000_000 }
        return .depth(DepthMessage(symbol: symbol, kind: kind, exchangeTimeNs: time, sequence: .increment(u), bids: bids, asks: asks))
    }

    /// The topics of `symbols` at `depth` levels (`orderbook.50.BTCUSDT`).
    public static func topics(_ symbols: [String], depth: Int) -> [String] { symbols.map { "orderbook.\(depth).\($0)" } }

    /// `{"req_id":ID,"op":"subscribe","args":[…]}` (or `unsubscribe`); spot takes at most 10 topics a request.
    public static func request(_ op: String, topics: [String], id: Int) -> String {
        "{\"req_id\":\"\(id)\",\"op\":\"\(op)\",\"args\":[" + topics.map { "\"\($0)\"" }.joined(separator: ",") + "]}"
    }

    /// The keepalive Bybit asks for every 20 s.
    public static let ping = "{\"op\":\"ping\"}"
}

extension JSONCursor {
    mutating func boolean() throws(JSONScanError) -> Bool {
        skipSpace()
        if peek() == 0x74 { try skipValue(); return true }
        if peek() == 0x66 { try skipValue(); return false }
        throw JSONScanError(offset: offset, message: "expected true or false")
    }
}
