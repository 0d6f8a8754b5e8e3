import ArbCore

/// What is wrong with a JSON text, with the byte offset where it was found.
public struct JSONScanError: Error, CustomStringConvertible, Sendable {
    public let offset: Int
    public let message: String
    public var description: String { "\(message) at byte \(offset)" }
}

/// A forward-only reader over one JSON text in memory, for the hot paths of market data (recorded lines,
/// exchange messages): no tree, no allocation; strings and numbers come back as byte ranges of the input, so a
/// price goes from its text straight into fixed point.
public struct JSONCursor {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var offset = 0

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inline(__always) func fail(_ message: String) -> JSONScanError { JSONScanError(offset: offset, message: message) }

    @inline(__always) public mutating func skipSpace() {
        while offset < bytes.count {
            let c = bytes[offset]
            guard c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09 else { return }
            offset += 1
        }
    }

    /// The next byte that is not white space, not consumed; nil at the end.
    public mutating func peek() -> UInt8? {
        skipSpace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    public mutating func expect(_ byte: UInt8) throws(JSONScanError) {
        skipSpace()
        guard offset < bytes.count, bytes[offset] == byte else {
            throw fail("expected '\(Character(Unicode.Scalar(byte)))'")
        }
        offset += 1
    }

    /// Consumes `byte` if it comes next.
    public mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard offset < bytes.count, bytes[offset] == byte else { return false }
        offset += 1
        return true
    }

    /// The body of a string (between its quotes, escapes left as they are).
    public mutating func string() throws(JSONScanError) -> UnsafeRawBufferPointer {
        try expect(0x22)
        let begin = offset
        while offset < bytes.count {
            let c = bytes[offset]
            if c == 0x22 {
                offset += 1
                return UnsafeRawBufferPointer(rebasing: bytes[begin..<(offset - 1)])
            }
            if c == 0x5c { offset += 1 } else if c < 0x20 { throw fail("control character in a string") }
            offset += 1
        }
        throw fail("unterminated string")
    }

    /// A number's text.
    public mutating func number() throws(JSONScanError) -> UnsafeRawBufferPointer {
        skipSpace()
        let begin = offset
        while offset < bytes.count {
            let c = bytes[offset]
            guard (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2b || c == 0x2e || c == 0x65 || c == 0x45 else { break }
            offset += 1
        }
        guard offset > begin else { throw fail("expected a number") }
        return UnsafeRawBufferPointer(rebasing: bytes[begin..<offset])
    }

    /// A decimal given as a JSON string (`"25.35"`, as Binance and this project's files write them) or as a
    /// JSON number (`25.35`, as Upbit does), parsed from its text into fixed point.
    public mutating func decimal() throws(JSONScanError) -> Fixed {
        let text = peek() == 0x22 ? try string() : try number()
        guard let value = Fixed.parse(text) else { throw fail("not a decimal: \(String(decoding: text.prefix(40), as: UTF8.self))") }
        return value
    }

    /// An integer given as a JSON number or a string of digits.
    public mutating func integer() throws(JSONScanError) -> Int64 {
        let text = peek() == 0x22 ? try string() : try number()
        var value: Int64 = 0
        var negative = false
        var digits = 0
        for (i, c) in text.enumerated() {
            if i == 0 && c == 0x2d { negative = true; continue }
            guard c >= 0x30 && c <= 0x39 else { throw fail("not an integer") }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c - 0x30))
            guard !o1 && !o2 else { throw fail("integer out of range") }
            value = a
            digits += 1
        }
        guard digits > 0 else { throw fail("not an integer") }
        return negative ? -value : value
    }

    /// Skips one value of any kind.
    public mutating func skipValue(depth: Int = 0) throws(JSONScanError) {
        guard depth < 64 else { throw fail("nested too deep") }
        guard let c = peek() else { throw fail("expected a value") }
        switch c {
        case 0x22: _ = try string()
        case 0x7b:
            try forEachMember { (_, cursor) throws(JSONScanError) in try cursor.skipValue(depth: depth + 1) }
        case 0x5b:
            try forEachElement { (cursor) throws(JSONScanError) in try cursor.skipValue(depth: depth + 1) }
        case 0x74: try literal("true")
        case 0x66: try literal("false")
        case 0x6e: try literal("null")
        default: _ = try number()
        }
    }

    /// Consumes `null` if it comes next.
    public mutating func consumeNull() -> Bool {
        guard peek() == 0x6e, offset + 4 <= bytes.count, bytes[offset + 1] == 0x75, bytes[offset + 2] == 0x6c,
              bytes[offset + 3] == 0x6c else { return false }
        offset += 4
        return true
    }

    private mutating func literal(_ word: StaticString) throws(JSONScanError) {
        let n = word.utf8CodeUnitCount
        guard offset + n <= bytes.count else { throw fail("expected \(word)") }
        for i in 0..<n where bytes[offset + i] != word.utf8Start[i] { throw fail("expected \(word)") }
        offset += n
    }

    /// Calls `body` for each member of an object, with the key's bytes and the cursor on its value; `body` must
    /// consume the value.
    public mutating func forEachMember(_ body: (UnsafeRawBufferPointer, inout JSONCursor) throws(JSONScanError) -> Void) throws(JSONScanError) {
        try expect(0x7b)
        if consume(0x7d) { return }
        repeat {
            let key = try string()
            try expect(0x3a)
            try body(key, &self)
        } while consume(0x2c)
        try expect(0x7d)
    }

    /// Calls `body` for each element of an array, with the cursor on it; `body` must consume it.
    public mutating func forEachElement(_ body: (inout JSONCursor) throws(JSONScanError) -> Void) throws(JSONScanError) {
        try expect(0x5b)
        if consume(0x5d) { return }
        repeat { try body(&self) } while consume(0x2c)
        try expect(0x5d)
    }

    /// `[[PRICE, QTY], …]`, best first (each a decimal string or number), into `side`; levels past the book's
    /// capacity are read and dropped.
    public mutating func levels(into side: inout BookSide) throws(JSONScanError) {
        side.removeAll()
        try forEachElement { (level) throws(JSONScanError) in
            try level.expect(0x5b)
            let price = try level.decimal()
            try level.expect(0x2c)
            let quantity = try level.decimal()
            try level.expect(0x5d)
            guard price.raw > 0, quantity.raw >= 0 else {
                throw JSONScanError(offset: level.offset, message: "a level needs a positive price and a quantity ≥ 0")
            }
            side.append(price: price, quantity: quantity)
        }
    }

    /// Fails unless only white space is left.
    public mutating func expectEnd() throws(JSONScanError) {
        skipSpace()
        guard offset == bytes.count else { throw fail("unexpected data after the value") }
    }
}

extension UnsafeRawBufferPointer {
    /// Byte-wise equality with ASCII text, for matching keys without making strings.
    @inline(__always) public func equals(_ text: StaticString) -> Bool {
        guard count == text.utf8CodeUnitCount else { return false }
        let p = text.utf8Start
        for i in 0..<count where self[i] != p[i] { return false }
        return true
    }

    /// The same against a runtime string (venue names from the registry).
    public func equals(_ text: String) -> Bool {
        guard count == text.utf8.count else { return false }
        var i = 0
        for byte in text.utf8 {
            guard self[i] == byte else { return false }
            i += 1
        }
        return true
    }
}
