import Testing
@testable import ArbCore

@Suite struct LatencyHistogramTests {
    @Test func coarseBucketsAgreeWithTheFineOnes() {
        let h = LatencyHistogram()
        var rng = SystemRandomNumberGenerator()
        var values: [UInt64] = [0, 1, 999, 1_000, 1_001, 999_999_999, 1_000_000_000, 1_000_000_001, 200_000_000_000]
        for _ in 0..<20_000 { values.append(UInt64.random(in: 0...3_000_000_000, using: &rng) >> UInt64.random(in: 0...20, using: &rng)) }
        for v in values { h.record(nanoseconds: v) }
        var coarse = [UInt64](repeating: 0, count: LatencyHistogram.coarseBoundsNs.count)
        let total = h.coarseCumulative(into: &coarse)
        #expect(total == UInt64(values.count) && h.count == total)
        #expect(h.sumNanoseconds == values.reduce(0, &+) && h.maxNanoseconds == values.max())
        // Each bound counts the fine buckets wholly under it, as a scrape of the fine buckets would.
        let fine = h.counts()
        for (b, bound) in LatencyHistogram.coarseBoundsNs.enumerated() {
            let under = fine.indices.filter { LatencyHistogram.upperBound($0) <= bound }.reduce(UInt64(0)) { $0 + fine[$1] }
            #expect(coarse[b] == under, "bound \(bound) ns")
            // And within the histogram's resolution of the exact count (a bucket straddling the bound counts above it).
            let exact = UInt64(values.filter { $0 <= bound }.count)
            #expect(coarse[b] <= exact)
        }
        #expect(coarse == coarse.sorted())
    }
}
