/// Integers written as decimal digits straight into a byte buffer, without making a `String`: JSON, the JSONL
/// recordings and the Prometheus exposition write millions of them.
public enum DecimalText {
    @inlinable
    public static func append(_ value: UInt64, to out: inout [UInt8]) {
        if value < 10 { out.append(UInt8(ascii: "0") + UInt8(value)); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var rest = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            out.append(contentsOf: buffer[(20 - count)...])
        }
    }

    /// Writes `value`'s digits at `out`, which has room for 20 bytes; returns how many it wrote.
    @inlinable
    public static func write(_ value: UInt64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        if value < 10 { out[0] = UInt8(ascii: "0") + UInt8(value); return 1 }
        var count = 0
        var rest = value
        while rest > 0 { rest /= 10; count += 1 }
        rest = value
        for i in stride(from: count - 1, through: 0, by: -1) {
            out[i] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        return count
    }

    @inlinable
    public static func append(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        append(value.magnitude, to: &out)
    }
}
