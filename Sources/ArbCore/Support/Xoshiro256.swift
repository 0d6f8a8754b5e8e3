#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// xoshiro256** pseudo-random generator: fast, small state (32 bytes) that checkpoints as four integers.
public struct Xoshiro256: RandomNumberGenerator, Sendable, Codable, Equatable {
    public var s0, s1, s2, s3: UInt64
    /// Box–Muller makes normals in pairs: the second waits here for the next call.
    public var spare: Double?

    /// Seeds through SplitMix64 so nearby seeds give unrelated streams.
    public init(seed: UInt64) {
        s0 = Self.splitMix(seed, 0); s1 = Self.splitMix(seed, 1); s2 = Self.splitMix(seed, 2); s3 = Self.splitMix(seed, 3)
    }

    /// SplitMix64's output number `k` (from 0) from `seed`: any of them without the ones before.
    @inlinable @inline(__always)
    public static func splitMix(_ seed: UInt64, _ k: Int) -> UInt64 {
        var z = seed &+ UInt64(k &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1).
    @inlinable
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal by the ziggurat (Marsaglia and Tsang, in Doornik's form): one 64-bit draw, a table look-up
    /// and a multiplication for 98.8 % of values, the strips' wedges and the tail past 3.44 from a few more draws.
    /// About a third of `gaussian`'s cost; the synthetic market's draw.
    @inlinable
    public mutating func normal() -> Double {
        let table = NormalZiggurat.shared
        while true {
            let bits = next()
            // The low 7 bits pick a strip, the high 53 (signed) place the value across it: disjoint bits of one draw.
            let i = Int(bits & 0x7F)
            let u = Double(Int64(bitPattern: bits) >> 11) * 0x1.0p-52
            let x = u * table.x[i]
            if abs(u) < table.inner[i] { return x }
            if i == 0 { return table.tail(negative: u < 0, &self) }
            // A wedge: under the curve between the strip's two heights?
            let y = table.f[i] + unit() * (table.f[i + 1] - table.f[i])
            if y < exp(-0.5 * x * x) { return x }
        }
    }

    /// Standard normal (Marsaglia's polar method: a logarithm and a square root per pair, no sine or cosine;
    /// every other call returns the pair's second value).
    @inlinable
    public mutating func gaussian() -> Double {
        if let value = spare {
            spare = nil
            return value
        }
        while true {
            let u = 2 * unit() - 1, v = 2 * unit() - 1
            let s = u * u + v * v
            guard s > 0 && s < 1 else { continue }
            let scale = (-2 * log(s) / s).squareRoot()
            spare = v * scale
            return u * scale
        }
    }
}


/// The 128 strips of equal area `v` under the standard normal's curve (`normal()`): strip `i` spans
/// [0, x[i]] × [f(x[i]), f(x[i + 1])], strip 0 is the base with the tail past `r` folded in, x[128] = 0.
@usableFromInline
final class NormalZiggurat: @unchecked Sendable {
    @usableFromInline static let shared = NormalZiggurat()
    static let r = 3.442619855899
    static let v = 9.91256303526217e-3
    /// Right edges (129), f at them, and the share of each strip that lies under the curve whatever the height.
    @usableFromInline let x: UnsafeMutablePointer<Double>
    @usableFromInline let f: UnsafeMutablePointer<Double>
    @usableFromInline let inner: UnsafeMutablePointer<Double>

    init() {
        x = .allocate(capacity: 129)
        f = .allocate(capacity: 129)
        inner = .allocate(capacity: 128)
        let r = Self.r, v = Self.v
        var height = exp(-0.5 * r * r)
        x[0] = v / height
        x[1] = r
        for i in 2..<128 {
            x[i] = (-2 * log(v / x[i - 1] + height)).squareRoot()
            height = exp(-0.5 * x[i] * x[i])
        }
        x[128] = 0
        for i in 0...128 { f[i] = exp(-0.5 * x[i] * x[i]) }
        for i in 0..<128 { inner[i] = x[i + 1] / x[i] }
    }

    /// A value past `r` (Marsaglia's tail method).
    @usableFromInline
    func tail(negative: Bool, _ rng: inout Xoshiro256) -> Double {
        let r = Self.r
        while true {
            let a = -log(1 - rng.unit()) / r
            let b = -log(1 - rng.unit())
            if b + b >= a * a { return negative ? -(r + a) : r + a }
        }
    }
}
