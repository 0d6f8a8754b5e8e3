/// Prometheus text exposition (format 0.0.4) written straight into bytes: one HELP and TYPE per family, then
/// its samples. Families must be written whole, one after the other.
public struct MetricsText {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 64 * 1024) { bytes.reserveCapacity(capacity) }

    public mutating func family(_ name: String, _ type: String, _ help: String) {
        append("# HELP \(name) \(help)\n# TYPE \(name) \(type)\n")
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        append(name)
        if !labels.isEmpty {
            append("{")
            for (i, (k, v)) in labels.enumerated() {
                if i > 0 { append(",") }
                append(k)
                append("=\"")
                appendEscaped(v)
                append("\"")
            }
            append("}")
        }
        append(" ")
        append(Self.format(value))
        append("\n")
    }

    /// A histogram's buckets (cumulative counts at each upper bound), sum and count.
    public mutating func histogram(_ name: String, _ labels: [(String, String)], buckets: [(Double, UInt64)],
                                   sum: Double, count: UInt64) {
        for (le, cumulative) in buckets {
            sample(name + "_bucket", labels + [("le", Self.format(le))], Double(cumulative))
        }
        sample(name + "_bucket", labels + [("le", "+Inf")], Double(count))
        sample(name + "_sum", labels, sum)
        sample(name + "_count", labels, Double(count))
    }

    public mutating func append(raw: [UInt8]) { bytes.append(contentsOf: raw) }

    private mutating func append(_ s: String) { bytes.append(contentsOf: s.utf8) }

    private mutating func appendEscaped(_ s: String) {
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
            case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [92, 110])
            default: bytes.append(b)
            }
        }
    }

    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
