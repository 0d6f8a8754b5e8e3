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
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
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

