import Foundation

/// A JSON reader for tests that keeps every number as the text the frame wrote, so a parsed book can be compared
/// with the frame's levels digit for digit (Foundation's reader turns numbers into doubles).
indirect enum RawJSON {
    case object([(String, RawJSON)])
    case array([RawJSON])
    case string(String)
    case number(String)
    case literal(String)

    subscript(key: String) -> RawJSON? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    var array: [RawJSON]? { if case .array(let a) = self { return a }; return nil }

    /// A number or a string's text (exchanges write decimals either way).
    var text: String? {
        switch self {
        case .number(let t), .string(let t): return t
        default: return nil
        }
    }

    var decimal: Decimal? { text.flatMap { Decimal(string: $0) } }

    static func parse(_ bytes: [UInt8]) -> RawJSON? {
        var i = 0
        guard let value = read(bytes, &i) else { return nil }
        skip(bytes, &i)
        return i == bytes.count ? value : nil
    }

    private static func skip(_ b: [UInt8], _ i: inout Int) {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0a || b[i] == 0x0d || b[i] == 0x09 { i += 1 }
    }

    private static func read(_ b: [UInt8], _ i: inout Int) -> RawJSON? {
        skip(b, &i)
        guard i < b.count else { return nil }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [(String, RawJSON)] = []
            skip(b, &i)
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                guard case .string(let key)? = read(b, &i) else { return nil }
                skip(b, &i)
                guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                guard let value = read(b, &i) else { return nil }
                members.append((key, value))
                skip(b, &i)
                guard i < b.count else { return nil }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                return nil
            }
        case UInt8(ascii: "["):
            i += 1
            var elements: [RawJSON] = []
            skip(b, &i)
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
            while true {
                guard let value = read(b, &i) else { return nil }
                elements.append(value)
                skip(b, &i)
                guard i < b.count else { return nil }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
                return nil
            }
        case UInt8(ascii: "\""):
            i += 1
            let start = i
            while i < b.count, b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
            guard i < b.count else { return nil }
            i += 1
            return .string(String(decoding: b[start..<(i - 1)], as: UTF8.self))
        default:
            let start = i
            while i < b.count, !",]} \n\r\t".utf8.contains(b[i]) { i += 1 }
            let word = String(decoding: b[start..<i], as: UTF8.self)
            if ["true", "false", "null"].contains(word) { return .literal(word) }
            return Decimal(string: word) != nil && !word.isEmpty ? .number(word) : nil
        }
    }
}
