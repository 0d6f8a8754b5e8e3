import ArbCore

/// Binance spot combined streams (`/stream`): every event is `{"stream":NAME,"data":PAYLOAD}`. Partial depth
/// (`<symbol>@depth<N>[@100ms]`, no symbol in the payload, so it comes from the stream name) and `<symbol>@bookTicker`;
/// control answers `{"result":null,"id":N}`, errors `{"code":N,"msg":TEXT}`.
public enum BinanceMessages {
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(FeedParseError) -> FeedMessage {
        do { return try parseMessage(bytes) } catch let error as FeedParseError { throw error } catch {
            throw FeedParseError("\(error)")
        }
    }

    private static func parseMessage(_ bytes: UnsafeRawBufferPointer) throws -> FeedMessage {
        var cursor = JSONCursor(bytes)
        var stream: UnsafeRawBufferPointer?
        var data: Range<Int>?
        var parsed: FeedMessage?
        var id: String?
        var hasResult = false
        var code: Int64?
        var msg: String?
        try cursor.forEachMember { (key, c) throws(JSONScanError) in
            if key.equals("stream") {
                stream = try c.string()
            } else if key.equals("data") {
                if let stream, !stream.equals("!serverShutdown") {
                    // The stream name came first, as Binance sends it: read the payload where it stands.
                    do { parsed = try payload(&c, stream: stream) } catch let e as JSONScanError { throw e } catch {
                        throw JSONScanError(offset: c.offset, message: "\(error)")
                    }
                } else {
                    c.skipSpace()
                    let start = c.offset
                    try c.skipValue()
                    data = start..<c.offset
                }
            } else if key.equals("id") {
                if c.consumeNull() { id = "null" } else if c.peek() == 0x22 {
                    id = String(decoding: try c.string(), as: UTF8.self)
                } else { id = String(try c.integer()) }
            } else if key.equals("result") {
                hasResult = true
                try c.skipValue()
            } else if key.equals("code") {
                code = try c.integer()
            } else if key.equals("msg") {
                msg = String(decoding: try c.string(), as: UTF8.self)
            } else {
                try c.skipValue()
            }
        }
        try cursor.expectEnd()
        if let code { return .error("code \(code): \(msg ?? "")") }
        if hasResult, let id { return .subscribed(id: id) }
        if let parsed { return parsed }
        guard let stream, let data else { throw FeedParseError("neither a stream event nor a control answer") }
        if stream.equals("!serverShutdown") { return .serverShutdown }
        var c = JSONCursor(UnsafeRawBufferPointer(rebasing: bytes[data]))
        return try payload(&c, stream: stream)
    }

    /// The payload of stream `stream`, read at the cursor.
    static func payload(_ c: inout JSONCursor, stream: UnsafeRawBufferPointer) throws -> FeedMessage {
        guard let at = stream.firstIndex(of: 0x40), at > 0 else {
            throw FeedParseError("stream name \"\(String(decoding: stream.prefix(40), as: UTF8.self))\" has no symbol")
        }
        let symbol = upperASCII(UnsafeRawBufferPointer(rebasing: stream[..<at]))
        let kind = UnsafeRawBufferPointer(rebasing: stream[(at + 1)...])
        if kind.starts(with: "depth".utf8) { return try depth(&c, symbol: symbol) }
        if kind.equals("bookTicker") { return try bookTicker(&c, symbol: symbol) }
        throw FeedParseError("unexpected stream \"\(String(decoding: stream.prefix(40), as: UTF8.self))\"")
    }

    /// `btcusdt` → `BTCUSDT`, written straight into the string's storage.
    static func upperASCII(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { out in
            for (i, b) in bytes.enumerated() { out[i] = b >= 0x61 && b <= 0x7a ? b - 0x20 : b }
            return bytes.count
        }
    }

    /// `{"lastUpdateId":N,"bids":[["PX","QTY"],…],"asks":[…]}`: a full top-N book.
    static func depth(_ c: inout JSONCursor, symbol: String) throws -> FeedMessage {
        var bids = BookSide(), asks = BookSide()
        var sawBids = false, sawAsks = false
        try c.forEachMember { (key, v) throws(JSONScanError) in
            if key.equals("bids") { try v.levels(into: &bids); sawBids = true } else if key.equals("asks") {
                try v.levels(into: &asks); sawAsks = true
            } else { try v.skipValue() }
        }
        guard sawBids && sawAsks else { throw FeedParseError("depth payload without bids and asks") }
        guard bids.isOrdered(descending: true), asks.isOrdered(descending: false) else {
            throw FeedParseError("depth levels out of order")
        }
        return .book(symbol: symbol, exchangeTimeNs: nil, bids: bids, asks: asks)
    }

    /// `{"u":N,"s":"BNBUSDT","b":"PX","B":"QTY","a":"PX","A":"QTY"}`: the best level of each side.
    static func bookTicker(_ c: inout JSONCursor, symbol: String) throws -> FeedMessage {
        var b: Fixed?, bq: Fixed?, a: Fixed?, aq: Fixed?
        try c.forEachMember { (key, v) throws(JSONScanError) in
            if key.equals("b") { b = try v.decimal() } else if key.equals("B") { bq = try v.decimal() } else if key.equals("a") {
                a = try v.decimal()
            } else if key.equals("A") { aq = try v.decimal() } else { try v.skipValue() }
        }
        guard let b, let bq, let a, let aq else { throw FeedParseError("bookTicker without b, B, a and A") }
        var bids = BookSide(), asks = BookSide()
        if b.raw > 0 { bids.append(price: b, quantity: bq) }
        if a.raw > 0 { asks.append(price: a, quantity: aq) }
        return .book(symbol: symbol, exchangeTimeNs: nil, bids: bids, asks: asks)
    }

    /// The stream names of `symbols` (`BTCUSDT` → `btcusdt@depth20@100ms`).
    public static func streams(_ symbols: [String], kind: String) -> [String] {
        symbols.map { $0.lowercased() + "@" + kind }
    }

    /// A live SUBSCRIBE request.
    public static func subscribe(_ streams: [String], id: Int) -> String {
        "{\"method\":\"SUBSCRIBE\",\"params\":[" + streams.map { "\"\($0)\"" }.joined(separator: ",") + "],\"id\":\(id)}"
    }
}

/// Upbit quotation websocket, and Bithumb's new one that speaks the same: `orderbook` messages in `DEFAULT` or
/// `SIMPLE` format (numbers as JSON numbers, read from their text; zero-price units pad a short side),
/// `{"status":"UP"}` keepalive answers, `{"error":{"name":…,"message":…}}`.
public enum UpbitMessages {
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(FeedParseError) -> FeedMessage {
        do { return try parseMessage(bytes) } catch let error as FeedParseError { throw error } catch {
            throw FeedParseError("\(error)")
        }
    }

    private static func parseMessage(_ bytes: UnsafeRawBufferPointer) throws -> FeedMessage {
        var c = JSONCursor(bytes)
        var type: String?
        var code: String?
        var timestampMs: Int64?
        var bids = BookSide(), asks = BookSide()
        var sawUnits = false
        var status: String?
        var error: String?
        try c.forEachMember { (key, v) throws(JSONScanError) in
            if key.equals("ty") || key.equals("type") {
                type = String(decoding: try v.string(), as: UTF8.self)
            } else if key.equals("cd") || key.equals("code") {
                code = String(decoding: try v.string(), as: UTF8.self)
            } else if key.equals("tms") || key.equals("timestamp") {
                timestampMs = try v.integer()
            } else if key.equals("obu") || key.equals("orderbook_units") {
                sawUnits = true
                try units(&v, bids: &bids, asks: &asks)
            } else if key.equals("status") {
                status = String(decoding: try v.string(), as: UTF8.self)
            } else if key.equals("error") {
                var name = "", message = ""
                try v.forEachMember { (k, e) throws(JSONScanError) in
                    if k.equals("name") { name = String(decoding: try e.string(), as: UTF8.self) } else if k.equals("message") {
                        message = String(decoding: try e.string(), as: UTF8.self)
                    } else { try e.skipValue() }
                }
                error = name + (message.isEmpty ? "" : ": " + message)
            } else {
                try v.skipValue()
            }
        }
        try c.expectEnd()
        if let error { return .error(error) }
        if status == "UP" { return .alive }
        guard type == "orderbook" else { throw FeedParseError("not an orderbook message (type \(type ?? "missing"))") }
        guard var code, !code.isEmpty else { throw FeedParseError("orderbook without a code") }
        // A depth suffix (`KRW-BTC.15`) names the subscription, not the market.
        if let dot = code.firstIndex(of: ".") { code = String(code[..<dot]) }
        guard sawUnits else { throw FeedParseError("orderbook without units") }
        guard bids.isOrdered(descending: true), asks.isOrdered(descending: false) else {
            throw FeedParseError("orderbook units out of order")
        }
        // Milliseconds (Upbit, Bithumb until 2026), or microseconds (Bithumb's orderbook since): 16 digits.
        let time = timestampMs.map { $0 > 100_000_000_000_000 ? $0 &* 1_000 : $0 &* 1_000_000 }
        return .book(symbol: code, exchangeTimeNs: time, bids: bids, asks: asks)
    }

    /// `[{"ap":PX,"bp":PX,"as":QTY,"bs":QTY}, …]` (or the DEFAULT names), best first; a zero price ends its side.
    static func units(_ c: inout JSONCursor, bids: inout BookSide, asks: inout BookSide) throws(JSONScanError) {
        var asksDone = false, bidsDone = false
        try c.forEachElement { (unit) throws(JSONScanError) in
            var ap = Fixed.zero, bp = Fixed.zero, aq = Fixed.zero, bq = Fixed.zero
            try unit.forEachMember { (k, v) throws(JSONScanError) in
                if k.equals("ap") || k.equals("ask_price") { ap = try v.decimal() } else if k.equals("bp") || k.equals("bid_price") {
                    bp = try v.decimal()
                } else if k.equals("as") || k.equals("ask_size") { aq = try v.decimal() } else if k.equals("bs") || k.equals("bid_size") {
                    bq = try v.decimal()
                } else { try v.skipValue() }
            }
            guard ap.raw >= 0, bp.raw >= 0, aq.raw >= 0, bq.raw >= 0 else {
                throw JSONScanError(offset: unit.offset, message: "negative price or size")
            }
            // Bithumb prints sizes to 4 decimals: dust shows as a zero size at a live price, a level to skip.
            if ap.raw == 0 { asksDone = true } else if !asksDone && aq.raw > 0 { asks.append(price: ap, quantity: aq) }
            if bp.raw == 0 { bidsDone = true } else if !bidsDone && bq.raw > 0 { bids.append(price: bp, quantity: bq) }
        }
    }

    /// The subscription request: one orderbook type for `codes` at `depth` levels (1, 5, 15 or 30), in `format`.
    public static func subscribe(_ codes: [String], depth: Int, format: String, ticket: String) -> String {
        let list = codes.map { "\"\($0).\(depth)\"" }.joined(separator: ",")
        return "[{\"ticket\":\"\(ticket)\"},{\"type\":\"orderbook\",\"codes\":[\(list)]},{\"format\":\"\(format)\"}]"
    }
}

/// Bithumb's new public websocket (`/websocket/v1`) speaks Upbit's protocol; its request has no depth suffix (it
/// sends 15 units whatever `.N` asks) and no acknowledgement, and a new request replaces the set.
public enum BithumbMessages {
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(FeedParseError) -> FeedMessage {
        try UpbitMessages.parse(bytes)
    }

    public static func subscribe(_ codes: [String], format: String, ticket: String) -> String {
        let list = codes.map { "\"\($0)\"" }.joined(separator: ",")
        return "[{\"ticket\":\"\(ticket)\"},{\"type\":\"orderbook\",\"codes\":[\(list)]},{\"format\":\"\(format)\"}]"
    }
}
