import Synchronization

/// A log-linear histogram of nanosecond durations: 8 buckets per power of two (≤ 12.5 % relative error), from
/// 1 ns to about 137 s; larger values land in the last bucket. One writer records without locks (relaxed atomic
/// adds on its own cache lines); any thread may read quantiles at any time.
///
/// 2 KiB per histogram, so every route of a 1,000-route campaign can own two.
public final class LatencyHistogram: Sendable {
    @usableFromInline static let subBits = 3
    @usableFromInline static let sub = 1 << subBits
    @usableFromInline static let maxExponent = 36
    public static let bucketCount = (maxExponent - subBits + 2) * sub

    // Allocated once and freed in deinit; elements are atomics, so sharing the pointer is safe.
    nonisolated(unsafe) private let buckets: UnsafeMutablePointer<Atomic<UInt64>>
    private let total = Atomic<UInt64>(0)
    private let sumNs = Atomic<UInt64>(0)
    private let maxNs = Atomic<UInt64>(0)

    public init() {
        buckets = .allocate(capacity: Self.bucketCount)
        for i in 0..<Self.bucketCount { (buckets + i).initialize(to: Atomic(0)) }
    }

    deinit {
        buckets.deinitialize(count: Self.bucketCount)
        buckets.deallocate()
    }

    /// Bucket of a value.
    @inlinable
    static func index(_ v: UInt64) -> Int {
        if v < UInt64(sub) { return Int(v) }
        let e = 63 - v.leadingZeroBitCount
        if e > maxExponent { return bucketCount - 1 }
        let m = Int((v >> UInt64(e - subBits)) & UInt64(sub - 1))
        return (e - subBits + 1) * sub + m
    }

    /// Smallest value of a bucket.
    static func lowerBound(_ i: Int) -> UInt64 {
        if i < sub { return UInt64(i) }
        let e = i / sub + subBits - 1
        let m = UInt64(i % sub)
        return (UInt64(sub) + m) << UInt64(e - subBits)
    }

    /// Largest value of a bucket.
    public static func upperBound(_ i: Int) -> UInt64 {
        i + 1 >= bucketCount ? .max : lowerBound(i + 1) - 1
    }

    public func record(nanoseconds: UInt64) {
        buckets[Self.index(nanoseconds)].add(1, ordering: .relaxed)
        total.add(1, ordering: .relaxed)
        sumNs.add(nanoseconds, ordering: .relaxed)
        if nanoseconds > maxNs.load(ordering: .relaxed) { maxNs.store(nanoseconds, ordering: .relaxed) }
    }

    public var count: UInt64 { total.load(ordering: .relaxed) }
    public var sumNanoseconds: UInt64 { sumNs.load(ordering: .relaxed) }
    public var maxNanoseconds: UInt64 { maxNs.load(ordering: .relaxed) }

    /// A consistent-enough copy of the counts (each bucket read once).
    public func counts() -> [UInt64] {
        (0..<Self.bucketCount).map { buckets[$0].load(ordering: .relaxed) }
    }

    /// Cumulative counts at bucket boundaries (`cutoffs[i]` = how many buckets lie under bound i, ascending),
    /// written into `into`, and the total. Reads each bucket once without allocating (the exposition's path).
    public func cumulative(cutoffs: [Int], into: inout [UInt64]) -> UInt64 {
        var running: UInt64 = 0
        var i = 0
        for (b, cutoff) in cutoffs.enumerated() {
            while i < cutoff { running += buckets[i].load(ordering: .relaxed); i += 1 }
            into[b] = running
        }
        while i < Self.bucketCount { running += buckets[i].load(ordering: .relaxed); i += 1 }
        return running
    }

    /// Merges several histograms' counts.
    public static func merged(_ histograms: [LatencyHistogram]) -> [UInt64] {
        var result = [UInt64](repeating: 0, count: bucketCount)
        for h in histograms {
            for i in 0..<bucketCount { result[i] += h.buckets[i].load(ordering: .relaxed) }
        }
        return result
    }

    /// The value at quantile `q` (0…1) of `counts`, as the midpoint of its bucket; 0 when empty.
    public static func quantile(_ q: Double, of counts: [UInt64]) -> UInt64 {
        let n = counts.reduce(0, +)
        guard n > 0 else { return 0 }
        let rank = UInt64((q * Double(n)).rounded(.up))
        var seen: UInt64 = 0
        for (i, c) in counts.enumerated() {
            seen += c
            if seen >= Swift.max(rank, 1) {
                let lo = lowerBound(i), hi = upperBound(i)
                return hi == .max ? lo : lo + (hi - lo) / 2
            }
        }
        return 0
    }

    public func quantile(_ q: Double) -> UInt64 { Self.quantile(q, of: counts()) }
}
