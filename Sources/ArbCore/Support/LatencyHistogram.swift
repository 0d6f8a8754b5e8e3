import Synchronization

/// A log-linear histogram of nanosecond durations: 8 buckets per power of two (≤ 12.5 % relative error), from
/// 1 ns to about 137 s; larger values land in the last bucket. Beside them, the coarse buckets the metrics
/// exposition shows (`coarseBoundsNs`), kept as values are recorded so a scrape reads 13 counters, not 280.
///
/// One writer at a time (a route's evaluations never overlap, and each owner hands over with release/acquire),
/// so a record is relaxed loads and stores, no read-modify-write; any thread may read at any time.
///
/// 2.3 KiB per histogram, so every route of a 1,000-route campaign can own two. The count, sum, maximum and coarse
/// counters lie in the first two cache lines of one allocation, the fine buckets after them: a record writes three
/// lines of one block, not lines of three (the object, the fine and the coarse buckets).
public final class LatencyHistogram: Sendable {
    @usableFromInline static let subBits = 3
    @usableFromInline static let sub = 1 << subBits
    @usableFromInline static let maxExponent = 36
    public static let bucketCount = (maxExponent - subBits + 2) * sub

    /// Upper bounds of the coarse buckets (1 µs … 1 s); a last one counts everything above.
    public static let coarseBoundsNs: [UInt64] = [1_000, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000,
                                                  5_000_000, 25_000_000, 100_000_000, 1_000_000_000]
    /// For each fine bucket, the first coarse bound its whole range lies under (the exposition's `le` semantics).
    @usableFromInline static let coarseIndex: [Int] = (0..<bucketCount).map { i in
        coarseBoundsNs.firstIndex { upperBound(i) <= $0 } ?? coarseBoundsNs.count
    }

    // Counters by position in the one allocation: total, sum, maximum, the coarse buckets, then the fine ones
    // from the third cache line on.
    static let totalSlot = 0, sumSlot = 1, maxSlot = 2, coarseStart = 3
    static let bucketStart = 16
    static let slotCount = bucketStart + bucketCount

    // Allocated once, 64-byte aligned, freed in deinit; elements are atomics, so sharing the pointer is safe.
    nonisolated(unsafe) private let counters: UnsafeMutablePointer<Atomic<UInt64>>

    public init() {
        precondition(Self.coarseStart + Self.coarseBoundsNs.count + 1 <= Self.bucketStart)
        counters = UnsafeMutableRawPointer.allocate(byteCount: Self.slotCount * MemoryLayout<Atomic<UInt64>>.stride, alignment: 64)
            .bindMemory(to: Atomic<UInt64>.self, capacity: Self.slotCount)
        for i in 0..<Self.slotCount { (counters + i).initialize(to: Atomic(0)) }
    }

    /// The first of the two cache lines every record writes (a prefetch hint).
    public var headLine: UnsafeRawPointer { UnsafeRawPointer(counters) }

    deinit {
        counters.deinitialize(count: Self.slotCount)
        counters.deallocate()
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
        let i = Self.index(nanoseconds)
        Self.bump(counters[Self.bucketStart + i], by: 1)
        Self.bump(counters[Self.coarseStart + Self.coarseIndex[i]], by: 1)
        Self.bump(counters[Self.totalSlot], by: 1)
        Self.bump(counters[Self.sumSlot], by: nanoseconds)
        let max = counters + Self.maxSlot
        if nanoseconds > max.pointee.load(ordering: .relaxed) { max.pointee.store(nanoseconds, ordering: .relaxed) }
    }

    /// Adds without a read-modify-write: there is one writer.
    @inline(__always)
    static func bump(_ counter: borrowing Atomic<UInt64>, by n: UInt64) {
        counter.store(counter.load(ordering: .relaxed) &+ n, ordering: .relaxed)
    }

    /// Cumulative counts of the coarse buckets at each of `coarseBoundsNs`, written into `into`, and the count of
    /// everything (the `+Inf` bucket): 13 reads, what a scrape needs.
    public func coarseCumulative(into: inout [UInt64]) -> UInt64 {
        var running: UInt64 = 0
        for b in 0..<Self.coarseBoundsNs.count {
            running &+= counters[Self.coarseStart + b].load(ordering: .relaxed)
            into[b] = running
        }
        return running &+ counters[Self.coarseStart + Self.coarseBoundsNs.count].load(ordering: .relaxed)
    }

    public var count: UInt64 { counters[Self.totalSlot].load(ordering: .relaxed) }
    public var sumNanoseconds: UInt64 { counters[Self.sumSlot].load(ordering: .relaxed) }
    public var maxNanoseconds: UInt64 { counters[Self.maxSlot].load(ordering: .relaxed) }

    /// A consistent-enough copy of the counts (each bucket read once).
    public func counts() -> [UInt64] {
        (0..<Self.bucketCount).map { counters[Self.bucketStart + $0].load(ordering: .relaxed) }
    }

    /// Merges several histograms' counts.
    public static func merged(_ histograms: [LatencyHistogram]) -> [UInt64] {
        var result = [UInt64](repeating: 0, count: bucketCount)
        for h in histograms {
            for i in 0..<bucketCount { result[i] += h.counters[bucketStart + i].load(ordering: .relaxed) }
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

    /// The values at quantiles `low` ≤ `high` of one copy of the counts, as `quantile` gives each, in two passes
    /// over a copy on the stack: a report of 1,000 routes asks this of every route's histogram.
    public func quantiles(_ low: Double, _ high: Double) -> (low: UInt64, high: UInt64) {
        precondition(low <= high, "quantiles in order")
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Self.bucketCount) { counts in
            var n: UInt64 = 0
            for i in 0..<Self.bucketCount {
                let c = counters[Self.bucketStart + i].load(ordering: .relaxed)
                counts.initializeElement(at: i, to: c)
                n += c
            }
            guard n > 0 else { return (0, 0) }
            let ranks = (Swift.max(UInt64((low * Double(n)).rounded(.up)), 1), Swift.max(UInt64((high * Double(n)).rounded(.up)), 1))
            var found: (low: UInt64?, high: UInt64?) = (nil, nil)
            var seen: UInt64 = 0
            for i in 0..<Self.bucketCount where counts[i] > 0 {
                seen += counts[i]
                let lo = Self.lowerBound(i), hi = Self.upperBound(i)
                let value = hi == .max ? lo : lo + (hi - lo) / 2
                if found.low == nil && seen >= ranks.0 { found.low = value }
                if seen >= ranks.1 {
                    found.high = value
                    break
                }
            }
            return (found.low ?? 0, found.high ?? 0)
        }
    }
}
