/// A signed decimal with exactly eight fractional digits, stored as an `Int64` count of 1e-8 units.
///
/// Rounding rules, used throughout the ledger:
/// - Parsing text with more than eight fractional digits rounds half to even.
/// - `multiplied(by:rounding:)` and `divided(by:rounding:)` compute the exact result in 128 bits and round once.
/// - Quantities round *down* to a market's step; fees round *up* (never undercharged); notionals and
///   currency conversions round half to even.
/// - Arithmetic overflow traps: config ranges keep every balance and notional far below the ±9.2e10 limit.
///   Conversions from `Double` clamp instead (to ±4e10; NaN becomes 0), so no input can trap on its way in.
public struct Fixed: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Count of 1e-8 units.
    public var raw: Int64

    public static let scale: Int64 = 100_000_000
    public static let fractionDigits = 8
    public static let zero = Fixed(raw: 0)

    @inlinable public init(raw: Int64) { self.raw = raw }
    @inlinable public init(_ units: Int) { self.raw = Int64(units) * Fixed.scale }

    /// Converts a `Double`, rounding to the nearest 1e-8 (used for generated prices and config values).
    public init(_ value: Double, rounding: RoundingRule = .halfEven) {
        let scaled = value * Double(Fixed.scale)
        let rounded: Double
        switch rounding {
        case .down: rounded = scaled.rounded(.down)
        case .up: rounded = scaled.rounded(.up)
        case .towardZero: rounded = scaled.rounded(.towardZero)
        case .halfEven: rounded = scaled.rounded(.toNearestOrEven)
        }
        self.raw = rounded.isNaN ? 0 : Int64(Swift.min(Swift.max(rounded, -Fixed.conversionLimit), Fixed.conversionLimit))
    }

    /// The largest raw value a `Double` converts to.
    static let conversionLimit = 4e18

    @inlinable public var double: Double { Double(raw) / Double(Fixed.scale) }
    @inlinable public var isZero: Bool { raw == 0 }
    @inlinable public var isPositive: Bool { raw > 0 }

    @inlinable public static func < (a: Fixed, b: Fixed) -> Bool { a.raw < b.raw }
    @inlinable public static func + (a: Fixed, b: Fixed) -> Fixed { Fixed(raw: a.raw + b.raw) }
    @inlinable public static func - (a: Fixed, b: Fixed) -> Fixed { Fixed(raw: a.raw - b.raw) }
    @inlinable public static prefix func - (a: Fixed) -> Fixed { Fixed(raw: -a.raw) }
    @inlinable public static func += (a: inout Fixed, b: Fixed) { a.raw += b.raw }
    @inlinable public static func -= (a: inout Fixed, b: Fixed) { a.raw -= b.raw }

    /// `self × other`, exact in 128 bits, rounded once.
    public func multiplied(by other: Fixed, rounding: RoundingRule = .halfEven) -> Fixed {
        let product = Int128(raw) * Int128(other.raw)
        return Fixed(raw: Int64(Fixed.divide(product, Int128(Fixed.scale), rounding)))
    }

    /// `self ÷ other`, exact in 128 bits, rounded once. `other` must not be zero.
    public func divided(by other: Fixed, rounding: RoundingRule = .halfEven) -> Fixed {
        precondition(other.raw != 0, "division by zero")
        let numerator = Int128(raw) * Int128(Fixed.scale)
        return Fixed(raw: Int64(Fixed.divide(numerator, Int128(other.raw), rounding)))
    }

    /// `self × bps / 10⁴` (fees), rounded once.
    public func basisPoints(_ bps: Fixed, rounding: RoundingRule) -> Fixed {
        let product = Int128(raw) * Int128(bps.raw)
        return Fixed(raw: Int64(Fixed.divide(product, Int128(Fixed.scale) * 10_000, rounding)))
    }

    /// The nearest multiple of `step` by `rounding`; a zero step leaves the value unchanged.
    public func rounded(toMultipleOf step: Fixed, _ rounding: RoundingRule) -> Fixed {
        guard step.raw > 0 else { return self }
        let units = Fixed.divide(Int128(raw), Int128(step.raw), rounding)
        return Fixed(raw: Int64(units) * step.raw)
    }

    /// Rounded integer division of 128-bit values.
    @usableFromInline
    static func divide(_ a: Int128, _ b: Int128, _ rounding: RoundingRule) -> Int128 {
        var q = a / b
        let r = a % b
        if r == 0 { return q }
        let positive = (r < 0) == (b < 0)  // the exact quotient is above q
        switch rounding {
        case .towardZero:
            break
        case .down:
            if !positive { q -= 1 }
        case .up:
            if positive { q += 1 }
        case .halfEven:
            let twice = (r < 0 ? -r : r) * 2
            let divisor = b < 0 ? -b : b
            if twice > divisor || (twice == divisor && q % 2 != 0) {
                q += positive ? 1 : -1
            }
        }
        return q
    }

    /// Decimal text with trailing zeros trimmed: `"25.3519"`, `"-0.5"`, `"1400"`.
    public var description: String {
        // Written backwards into one buffer (sign, 19 digits, point: at most 29 bytes): a report writes thousands
        // of balances, and a string built from pieces was a dozen allocations each.
        String(unsafeUninitializedCapacity: 32) { buffer in
            var end = buffer.count
            func put(_ byte: UInt8) {
                end -= 1
                buffer[end] = byte
            }
            let magnitude = raw.magnitude
            var whole = magnitude / UInt64(Fixed.scale)
            var fraction = magnitude % UInt64(Fixed.scale)
            if fraction != 0 {
                var digits = Fixed.fractionDigits
                while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
                for _ in 0..<digits {
                    put(UInt8(ascii: "0") + UInt8(fraction % 10))
                    fraction /= 10
                }
                put(UInt8(ascii: "."))
            }
            repeat {
                put(UInt8(ascii: "0") + UInt8(whole % 10))
                whole /= 10
            } while whole > 0
            if raw < 0 { put(UInt8(ascii: "-")) }
            let length = buffer.count - end
            for i in 0..<length { buffer[i] = buffer[end + i] }
            return length
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Fixed(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a decimal: \(text)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// How a value that falls between two representable ones is rounded.
public enum RoundingRule: Sendable {
    /// Toward −∞.
    case down
    /// Toward +∞.
    case up
    case towardZero
    /// To the nearest, ties to even.
    case halfEven
}
