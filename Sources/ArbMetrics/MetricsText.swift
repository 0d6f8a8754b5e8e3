import ArbCore

/// Prometheus text exposition (format 0.0.4) written straight into bytes: one HELP and TYPE per family, then
/// its samples. Families must be written whole, one after the other.
///
/// Built for a thousand routes per scrape: label sets are rendered once (`LabelSet`) and reused by every family,
/// integers are written without going through `String`.
public struct MetricsText {
    /// Written through a raw buffer: an array's append checks uniqueness and capacity and goes through its generic
    /// path on every fragment, a fifth of a thousand routes' rendering.
    private let buffer: ByteBuffer

    /// The exposition so far.
    public var bytes: [UInt8] { buffer.array() }
    public var count: Int { buffer.count }

    public init(capacity: Int = 64 * 1024) { buffer = ByteBuffer(capacity: capacity) }

    /// A rendered label set: `{k="v",k2="v2"` without the closing brace, so more labels can follow.
    public struct LabelSet: Sendable {
        var open: [UInt8]

        public init(_ labels: [(String, String)]) {
            open = []
            for (i, (k, v)) in labels.enumerated() {
                open.append(i == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
                open.append(contentsOf: k.utf8)
                open.append(contentsOf: "=\"".utf8)
                for b in v.utf8 {
                    switch b {
                    case UInt8(ascii: "\\"): open.append(contentsOf: [92, 92])
                    case UInt8(ascii: "\""): open.append(contentsOf: [92, 34])
                    case UInt8(ascii: "\n"): open.append(contentsOf: [92, 110])
                    default: open.append(b)
                    }
                }
                open.append(UInt8(ascii: "\""))
            }
        }

        public func adding(_ key: String, _ value: String) -> LabelSet {
            var copy = self
            copy.open.append(copy.open.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            copy.open.append(contentsOf: key.utf8)
            copy.open.append(contentsOf: "=\"".utf8)
            copy.open.append(contentsOf: value.utf8)
            copy.open.append(UInt8(ascii: "\""))
            return copy
        }
    }

    public mutating func family(_ name: String, _ type: String, _ help: String) {
        append("# HELP \(name) \(help)\n# TYPE \(name) \(type)\n")
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        sample(Array(name.utf8), LabelSet(labels), value)
    }

    public mutating func sample(_ name: [UInt8], _ labels: LabelSet, _ value: Double) {
        put(name)
        if !labels.open.isEmpty {
            put(labels.open)
            buffer.put(UInt8(ascii: "}"))
        }
        buffer.put(UInt8(ascii: " "))
        appendNumber(value)
        buffer.put(UInt8(ascii: "\n"))
    }

    /// A histogram's buckets (cumulative counts at each upper bound, `le` labels pre-rendered), sum and count.
    public mutating func histogram(_ name: HistogramName, _ labels: LabelSet, cumulative: [UInt64], sum: Double, count: UInt64) {
        let open = labels.open
        let les = open.isEmpty ? name.firstLe : name.nextLe
        for (i, c) in cumulative.enumerated() {
            put(name.bucket)
            put(open)
            put(les[i])
            buffer.putDecimal(c)
            buffer.put(UInt8(ascii: "\n"))
        }
        put(name.bucket)
        put(open)
        put(open.isEmpty ? name.firstInf : name.nextInf)
        buffer.putDecimal(count)
        buffer.put(UInt8(ascii: "\n"))
        sample(name.sum, labels, sum)
        sample(name.count, labels, Double(count))
    }

    /// A histogram family's names and `le` label fragments, rendered once.
    public struct HistogramName: Sendable {
        let bucket: [UInt8], sum: [UInt8], count: [UInt8]
        let firstLe: [[UInt8]], nextLe: [[UInt8]]
        let firstInf = Array("{le=\"+Inf\"} ".utf8), nextInf = Array(",le=\"+Inf\"} ".utf8)

        public init(_ name: String, bounds: [Double]) {
            bucket = Array((name + "_bucket").utf8)
            sum = Array((name + "_sum").utf8)
            count = Array((name + "_count").utf8)
            firstLe = bounds.map { Array("{le=\"\(MetricsText.format($0))\"} ".utf8) }
            nextLe = bounds.map { Array(",le=\"\(MetricsText.format($0))\"} ".utf8) }
        }
    }

    public mutating func append(raw: [UInt8]) { put(raw) }

    /// Appends a pre-rendered fragment through its buffer: `append(contentsOf:)` with an array argument took the
    /// generic sequence path, a retain and release of the fragment each time (a quarter of a thousand routes'
    /// rendering).
    @inline(__always)
    mutating func put(_ fragment: [UInt8]) {
        fragment.withUnsafeBytes { buffer.put($0) }
    }

    private mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { buffer.put(UnsafeRawBufferPointer($0)) }
    }

    mutating func appendNumber(_ v: Double) {
        if v == v.rounded(), abs(v) < 9e15 {
            let i = Int64(v)
            if i < 0 { buffer.put(UInt8(ascii: "-")) }
            buffer.putDecimal(i.magnitude)
        } else if abs(v) < 9e9, abs(v) >= 1e-6 {
            // Nine decimals, trailing zeros dropped, from integers: a gauge (USD, bps, seconds) needs no more, and
            // the shortest round-trip text of a thousand routes' values went through a `String` each.
            let scaled = (abs(v) * 1e9).rounded()
            let units = UInt64(scaled)
            if v < 0 { buffer.put(UInt8(ascii: "-")) }
            buffer.putDecimal(units / 1_000_000_000)
            var fraction = units % 1_000_000_000
            guard fraction > 0 else { return }
            var digits = 9
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            buffer.put(UInt8(ascii: "."))
            buffer.putDecimal(fraction, width: digits)
        } else {
            append(Self.format(v))
        }
    }

    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}

/// A growable byte buffer written through raw pointers, for one exposition at a time.
/// Not `Sendable`: a `MetricsText` and its buffer belong to the scrape that renders them.
final class ByteBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = Swift.max(capacity, 1024)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always)
    func reserve(_ n: Int) {
        if count + n > capacity { grow(to: count + n) }
    }

    private func grow(to needed: Int) {
        let bigger = Swift.max(needed, capacity * 2)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: bigger)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = bigger
    }

    @inline(__always)
    func put(_ bytes: UnsafeRawBufferPointer) {
        guard let from = bytes.baseAddress else { return }
        reserve(bytes.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: from, byteCount: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    func put(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    func putDecimal(_ value: UInt64) {
        reserve(20)
        count += DecimalText.write(value, to: base + count)
    }

    /// `value` in exactly `width` digits, zeros first (a fraction's digits).
    func putDecimal(_ value: UInt64, width: Int) {
        reserve(width)
        var rest = value
        for i in stride(from: width - 1, through: 0, by: -1) {
            base[count + i] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        count += width
    }

    func array() -> [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
