#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Testing
@testable import ArbCore

/// The ziggurat's normal draws follow the standard normal law, strips, wedges and tail alike.
@Suite struct NormalDrawTests {
    /// Every strip has the same area, and the top one ends at zero: the table closes on itself.
    @Test func theStripsHaveEqualAreas() {
        let t = NormalZiggurat.shared
        #expect(abs(t.x[1] - NormalZiggurat.r) < 1e-15)
        for i in 1..<128 {
            let area = t.x[i] * (t.f[i + 1] - t.f[i])
            #expect(abs(area - NormalZiggurat.v) < 1e-6 * NormalZiggurat.v, "strip \(i): \(area)")
        }
        #expect(t.f[128] == 1)
    }

    /// A million draws: mean, variance, kurtosis, the share past the tail's start, and the largest gap between
    /// the sample's distribution and the normal's (Kolmogorov–Smirnov at the 0.1 % level).
    @Test func aMillionDrawsAreStandardNormal() {
        var rng = Xoshiro256(seed: 42)
        let n = 1_000_000
        var draws = [Double](repeating: 0, count: n)
        for i in 0..<n { draws[i] = rng.normal() }
        let mean = draws.reduce(0, +) / Double(n)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        let kurtosis = draws.reduce(0) { $0 + pow($1 - mean, 4) } / Double(n) / (variance * variance)
        #expect(abs(mean) < 0.005)
        #expect(abs(variance - 1) < 0.006)
        #expect(abs(kurtosis - 3) < 0.05)
        // P(|x| > r) = 5.76e-4: 576 expected, standard deviation 24.
        let tail = draws.count { abs($0) > NormalZiggurat.r }
        #expect((460...700).contains(tail), "\(tail) past r")
        #expect(draws.contains { $0 > 4.5 } && draws.contains { $0 < -4.5 })
        draws.sort()
        var gap = 0.0
        for (i, x) in draws.enumerated() {
            let cdf = 0.5 * erfc(-x / 2.0.squareRoot())
            gap = max(gap, abs(cdf - Double(i) / Double(n)), abs(cdf - Double(i + 1) / Double(n)))
        }
        #expect(gap < 1.95 / Double(n).squareRoot(), "KS distance \(gap)")
    }

    /// The wedges carry their share: values between two strips' edges come out as often as the law says.
    @Test func wedgeValuesComeAsOftenAsTheLawSays() {
        var rng = Xoshiro256(seed: 7)
        let t = NormalZiggurat.shared
        // The wedge of strip 64 lies between x[65] and x[64]; compare its count with the normal's probability.
        let lo = t.x[65], hi = t.x[64]
        let n = 2_000_000
        var hits = 0
        for _ in 0..<n {
            let x = abs(rng.normal())
            if x >= lo && x < hi { hits += 1 }
        }
        let p = erfc(lo / 2.0.squareRoot()) - erfc(hi / 2.0.squareRoot())
        let expected = p * Double(n), sd = (expected * (1 - p)).squareRoot()
        #expect(abs(Double(hits) - expected) < 5 * sd, "\(hits) vs \(expected)")
    }
}
