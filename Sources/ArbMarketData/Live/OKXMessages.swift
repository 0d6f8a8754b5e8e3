import ArbCore

/// OKX public websocket (`/ws/v5/public`): pushes `{"arg":{"channel","instId"},["action",]"data":[{…}]}`, where
/// `books5` and `bbo-tbt` carry a full top book on every push and `books` a snapshot then updates chained by
/// `seqId`/`prevSeqId`; levels `["px","sz","0","orders"]` as strings, `ts` in ms as a string. Events
/// `{"event":"subscribe"|"unsubscribe"|"error"|"notice",…}` and the text `pong` answer the client.
public enum OKXMessages {
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(FeedParseError) -> FeedMessage {
        if bytes.equals("pong") { return .alive }
        do { return try parseMessage(bytes) } catch let error as FeedParseError { throw error } catch {
            throw FeedParseError("\(error)")
        }
    }

    struct Push {
        var bids: [DepthLevel] = []
        var asks: [DepthLevel] = []
        var tsMs: Int64?
        var seqId: Int64?
        var prevSeqId: Int64?
        var checksum: Int64?
    }

    private static func parseMessage(_ bytes: UnsafeRawBufferPointer) throws -> FeedMessage {
        var c = JSONCursor(bytes)
        var event: String?, code: String?, msg: String?, id: String?
        var channel: String?, instId: String?, action: String?
        var pushes: [Push] = []
        var sawData = false
        try c.forEachMember { (key, v) throws(JSONScanError) in
            if key.equals("event") { event = try v.text() } else if key.equals("code") {
                code = v.peek() == 0x22 ? try v.text() : String(try v.integer())
            } else if key.equals("msg") { msg = try v.text() } else if key.equals("id") { id = try v.text() } else if key.equals("arg") {
                try v.forEachMember { (k, a) throws(JSONScanError) in
                    if k.equals("channel") { channel = try a.text() } else if k.equals("instId") { instId = try a.text() } else {
                        try a.skipValue()
                    }
                }
            } else if key.equals("action") { action = try v.text() } else if key.equals("data") {
                sawData = true
                try v.forEachElement { (element) throws(JSONScanError) in pushes.append(try push(&element)) }
            } else { try v.skipValue() }
        }
        try c.expectEnd()
        if let event {
            switch event {
            case "subscribe", "unsubscribe": return .subscribed(id: id ?? instId ?? "")
            case "notice": return code == "64008" ? .serverShutdown : .error("notice \(code ?? ""): \(msg ?? "")")
            default: return .error("\(event) \(code ?? ""): \(msg ?? "")")
            }
        }
        guard let channel, let instId, sawData else { throw FeedParseError("neither a push nor an event") }
        guard pushes.count == 1, let p = pushes.first else {
            throw FeedParseError("\(channel) push with \(pushes.count) books where one was expected")
        }
        let time = p.tsMs.map { $0 &* 1_000_000 }
        switch channel {
        case "books5", "bbo-tbt":
            guard DepthBooks.ordered(p.bids, descending: true), DepthBooks.ordered(p.asks, descending: false) else {
                throw FeedParseError("\(channel) levels out of order")
            }
            return .book(symbol: instId, exchangeTimeNs: time, bids: side(p.bids), asks: side(p.asks))
        case "books":
            let kind: DepthMessage.Kind
            switch action {
            case "snapshot": kind = .snapshot
            case "update": kind = .update
            default: throw FeedParseError("books push with action \(action ?? "missing")")
            }
            var sequence = DepthMessage.Sequence.none
            if let seq = p.seqId { sequence = .chained(seq: seq, prev: p.prevSeqId ?? -1) }
            return .depth(DepthMessage(symbol: instId, kind: kind, exchangeTimeNs: time, sequence: sequence,
                                       checksum: p.checksum.map { Int32(truncatingIfNeeded: $0) }, bids: p.bids, asks: p.asks))
        default:
            throw FeedParseError("channel \(channel) is not read (books5, bbo-tbt and books are)")
        }
    }

    /// One element of `data`.
    static func push(_ c: inout JSONCursor) throws(JSONScanError) -> Push {
        var p = Push()
        try c.forEachMember { (key, v) throws(JSONScanError) in
            if key.equals("bids") { p.bids = try levels(&v) } else if key.equals("asks") { p.asks = try levels(&v) } else if key.equals("ts") {
                p.tsMs = try v.integer()
            } else if key.equals("seqId") { p.seqId = try v.integer() } else if key.equals("prevSeqId") {
                p.prevSeqId = try v.integer()
            } else if key.equals("checksum") { p.checksum = try v.integer() } else { try v.skipValue() }
        }
        return p
    }

    /// `[["px","sz","0","orders"], …]`: price and size, the rest skipped.
    static func levels(_ c: inout JSONCursor) throws(JSONScanError) -> [DepthLevel] {
        var out: [DepthLevel] = []
        try c.forEachElement { (level) throws(JSONScanError) in
            try level.expect(0x5b)
            let price = try level.decimal()
            try level.expect(0x2c)
            let size = try level.decimal()
            while level.consume(0x2c) { try level.skipValue() }
            try level.expect(0x5d)
            guard price.raw > 0, size.raw >= 0 else {
                throw JSONScanError(offset: level.offset, message: "a level needs a positive price and a size ≥ 0")
            }
            out.append(DepthLevel(price: price, quantity: size))
        }
        return out
    }

    static func side(_ levels: [DepthLevel]) -> BookSide {
        var side = BookSide()
        for level in levels where level.quantity.raw > 0 { side.append(price: level.price, quantity: level.quantity) }
        return side
    }

    /// `{"op":"subscribe","args":[{"channel":"books5","instId":"BTC-USDT"},…]}` (or `unsubscribe`).
    public static func request(_ op: String, channel: String, instIds: [String]) -> String {
        let args = instIds.map { "{\"channel\":\"\(channel)\",\"instId\":\"\($0)\"}" }.joined(separator: ",")
        return "{\"op\":\"\(op)\",\"args\":[\(args)]}"
    }
}

extension JSONCursor {
    /// A JSON string as a Swift string.
    mutating func text() throws(JSONScanError) -> String { String(decoding: try string(), as: UTF8.self) }
}
