import ArbCore

/// The project's market-data format (docs/market-data.md): one JSON object per line.
///
/// - `{"type":"header","format":"arbitrage-market-data","version":1,"source":…,"markets":[{"exchange":…,"symbol":…}],…}`
///   first, optional when replaying: lists the markets so a replay need not scan the file for them.
/// - `{"type":"book","ts":NS,"exchange_ts":NS,"exchange":"upbit","symbol":"KRW-BTC","bids":[["PRICE","QTY"],…],"asks":[…]}`
///   a full book, best level first; `ts` is the receive time (the replay clock), prices and quantities are
///   decimal strings, exact to the 8 fractional digits the service keeps.
/// - `{"type":"end","ts":NS}` last: where the recorded span ends (a replay stops there, not at the last book).
public enum MarketJSONL {
    public static let formatName = "arbitrage-market-data"
    public static let version = 1

    /// One parsed line.
    public enum Line {
        case header(markets: [(venue: Venue, symbol: String)])
        case book(MarketEvent)
        case end(timeNs: Int64)
    }

    public struct LineError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Parses one line; throws naming what is wrong.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(LineError) -> Line {
        do {
            return try parseLine(bytes)
        } catch let error as JSONScanError {
            throw LineError(message: error.description)
        } catch let error as LineError {
            throw error
        } catch {
            throw LineError(message: "\(error)")
        }
    }

    private static func parseLine(_ bytes: UnsafeRawBufferPointer) throws -> Line {
        var cursor = JSONCursor(bytes)
        enum Kind { case header, book, end }
        var kind: Kind?
        var ts: Int64?
        var exchangeTs: Int64?
        var venue: Venue?
        var symbol: String?
        var bids = BookSide(), asks = BookSide()
        var markets: [(venue: Venue, symbol: String)] = []
        var format: String?
        try cursor.forEachMember { (key, c) throws(JSONScanError) in
            if key.equals("type") {
                let t = try c.string()
                kind = t.equals("book") ? .book : t.equals("header") ? .header : t.equals("end") ? .end : nil
                if kind == nil { throw JSONScanError(offset: c.offset, message: "unknown type \"\(String(decoding: t.prefix(20), as: UTF8.self))\"") }
            } else if key.equals("ts") {
                ts = try c.integer()
            } else if key.equals("exchange_ts") {
                exchangeTs = try c.integer()
            } else if key.equals("exchange") {
                venue = try exchange(&c)
            } else if key.equals("symbol") {
                symbol = String(decoding: try c.string(), as: UTF8.self)
            } else if key.equals("bids") {
                try c.levels(into: &bids)
            } else if key.equals("asks") {
                try c.levels(into: &asks)
            } else if key.equals("format") {
                format = String(decoding: try c.string(), as: UTF8.self)
            } else if key.equals("markets") {
                try c.forEachElement { (m) throws(JSONScanError) in
                    var v: Venue?, s: String?
                    try m.forEachMember { (k, mc) throws(JSONScanError) in
                        if k.equals("exchange") { v = try exchange(&mc) } else if k.equals("symbol") {
                            s = String(decoding: try mc.string(), as: UTF8.self)
                        } else { try mc.skipValue() }
                    }
                    guard let v, let s else { throw JSONScanError(offset: m.offset, message: "a market needs exchange and symbol") }
                    markets.append((v, s))
                }
            } else {
                try c.skipValue()
            }
        }
        try cursor.expectEnd()
        switch kind {
        case .header:
            if let format, format != formatName { throw LineError(message: "format is \"\(format)\", not \(formatName)") }
            return .header(markets: markets)
        case .end:
            guard let ts else { throw LineError(message: "end needs ts") }
            return .end(timeNs: ts)
        case .book, nil:
            guard let ts else { throw LineError(message: "missing ts") }
            guard let venue else { throw LineError(message: "missing exchange") }
            guard let symbol, !symbol.isEmpty else { throw LineError(message: "missing symbol") }
            return .book(MarketEvent(venue: venue, symbol: symbol, timeNs: ts, exchangeTimeNs: exchangeTs ?? ts,
                                     bids: bids, asks: asks))
        }
    }

    static func exchange(_ c: inout JSONCursor) throws(JSONScanError) -> Venue {
        let text = try c.string()
        if let venue = Venue.allCases.first(where: { text.equals($0.rawValue) }) { return venue }
        throw JSONScanError(offset: c.offset, message: "unknown exchange \"\(String(decoding: text.prefix(20), as: UTF8.self))\" (\(Venue.allCases.map(\.rawValue).joined(separator: ", ")))")
    }

    // MARK: Writing

    /// The header line (without its newline).
    public static func header(source: String, markets: [(venue: Venue, symbol: String)], extra: [(String, String)] = []) -> String {
        var line = "{\"type\":\"header\",\"format\":\"\(formatName)\",\"version\":\(version),\"source\":\(quoted(source))"
        for (key, json) in extra { line += ",\(quoted(key)):\(json)" }
        line += ",\"markets\":["
        for (i, m) in markets.enumerated() {
            if i > 0 { line += "," }
            line += "{\"exchange\":\"\(m.venue.rawValue)\",\"symbol\":\(quoted(m.symbol))}"
        }
        return line + "]}"
    }

    /// A book line (without its newline), appended to `out`.
    public static func appendBook(_ e: MarketEvent, to out: inout [UInt8]) {
        out.append(contentsOf: "{\"type\":\"book\",\"ts\":".utf8)
        DecimalText.append(e.timeNs, to: &out)
        out.append(contentsOf: ",\"exchange_ts\":".utf8)
        DecimalText.append(e.exchangeTimeNs, to: &out)
        out.append(contentsOf: ",\"exchange\":\"".utf8)
        out.append(contentsOf: e.venue.rawValue.utf8)
        out.append(contentsOf: "\",\"symbol\":".utf8)
        out.append(contentsOf: quoted(e.symbol).utf8)
        out.append(contentsOf: ",\"bids\":".utf8)
        appendLevels(e.bids, to: &out)
        out.append(contentsOf: ",\"asks\":".utf8)
        appendLevels(e.asks, to: &out)
        out.append(0x7d)
    }

    public static func end(timeNs: Int64) -> String { "{\"type\":\"end\",\"ts\":\(timeNs)}" }

    static func appendLevels(_ side: BookSide, to out: inout [UInt8]) {
        out.append(0x5b)
        for i in 0..<side.count {
            if i > 0 { out.append(0x2c) }
            out.append(contentsOf: "[\"".utf8)
            appendDecimal(side.prices[i], to: &out)
            out.append(contentsOf: "\",\"".utf8)
            appendDecimal(side.quantities[i], to: &out)
            out.append(contentsOf: "\"]".utf8)
        }
        out.append(0x5d)
    }

    static func appendDecimal(_ raw: Int64, to out: inout [UInt8]) {
        if raw < 0 { out.append(0x2d) }
        let magnitude = raw.magnitude
        DecimalText.append(magnitude / 100_000_000, to: &out)
        var fraction = magnitude % 100_000_000
        guard fraction > 0 else { return }
        out.append(0x2e)
        var width = 8
        while fraction % 10 == 0 { fraction /= 10; width -= 1 }
        var divisor: UInt64 = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(fraction / divisor % 10) + 0x30)
            divisor /= 10
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
