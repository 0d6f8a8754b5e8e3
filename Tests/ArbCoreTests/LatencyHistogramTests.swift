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

    /// Two quantiles from one pass give what `quantile` gives each, empty histograms and one-value ones included.
    @Test func quantilesInOnePassAgreeWithQuantile() {
        var rng = SystemRandomNumberGenerator()
        for n in [0, 1, 2, 7, 100, 5_000] {
            let h = LatencyHistogram()
            for _ in 0..<n { h.record(nanoseconds: UInt64.random(in: 0...2_000_000, using: &rng) >> UInt64.random(in: 0...12, using: &rng)) }
            for (low, high) in [(0.5, 0.99), (0.0, 1.0), (0.25, 0.25), (0.9, 0.999)] {
                let both = h.quantiles(low, high)
                #expect(both.low == h.quantile(low) && both.high == h.quantile(high), "n \(n), \(low) and \(high)")
            }
        }
        let huge = LatencyHistogram()
        huge.record(nanoseconds: .max)
        #expect(huge.quantiles(0.5, 0.99).high == huge.quantile(0.99) && huge.quantile(0.99) > 0)
    }
}
