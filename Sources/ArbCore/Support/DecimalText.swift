/// Integers written as decimal digits straight into a byte buffer, without making a `String`: JSON, the JSONL
/// recordings and the Prometheus exposition write millions of them.
public enum DecimalText {
    @inlinable
    public static func append(_ value: UInt64, to out: inout [UInt8]) {
        if value < 10 { out.append(UInt8(ascii: "0") + UInt8(value)); return }
        withDigits(of: value) { out.append(contentsOf: $0) }
    }

    /// Writes `value`'s digits at `out`, which has room for 20 bytes; returns how many it wrote.
    @inlinable
    public static func write(_ value: UInt64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        if value < 10 { out[0] = UInt8(ascii: "0") + UInt8(value); return 1 }
        return withDigits(of: value) { digits in
            UnsafeMutableRawPointer(out).copyMemory(from: digits.baseAddress!, byteCount: digits.count)
            return digits.count
        }
    }

    /// `value`'s digits, in a buffer on the stack, handed to `body`.
    @inlinable
    static func withDigits<R>(of value: UInt64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var rest = value
        var count = 0
        return withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            return body(UnsafeRawBufferPointer(rebasing: buffer[(20 - count)...]))
        }
    }

    @inlinable
    public static func append(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        append(value.magnitude, to: &out)
    }
}
