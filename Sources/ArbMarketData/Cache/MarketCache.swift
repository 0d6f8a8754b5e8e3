import ArbCore
import Foundation

/// The market-data cache (`arbitrage data import`): recorded books in one binary file, read by memory map.
/// docs/market-data.md documents the layout; all integers little-endian.
///
/// ```
/// header   72 bytes  magic "ARBCACHE", version u32, flags u32, markets u32, reserved u32, rows u64,
///                    markets offset u64, rows offset u64, index offset u64, data end ns i64 (Int64.min: none),
///                    checksum u64 of the 64 bytes before it
/// markets            per market: venue u8, symbol length u8, symbol (ASCII); then checksum u64
/// rows               per book: receive ns i64, exchange ns i64, market u32, bids u16, asks u16,
///                    then (price i64, quantity i64) per level, bids best first, then asks; fixed point 1e-8
/// index              blocks u64; per block of up to 4,096 rows: first receive ns i64, offset u64, rows u32,
///                    reserved u32, checksum u64 of the block's bytes; then checksum u64 of the index
/// ```
/// Rows are in replay order (receive time, then exchange, symbol, line and file, as replaying the sources would
/// play them), so a window of market time is a range of blocks found in the index without reading the rows.
public enum MarketCache {
    public static let magic: [UInt8] = Array("ARBCACHE".utf8)
    /// The version written.
    public static let version: UInt32 = 3
    /// The versions read: 2 differs only in its checksum.
    public static let readable: ClosedRange<UInt32> = 2...3
    /// "versions 2 and 3", for refusals.
    public static var readableText: String { "versions \(readable.lowerBound) and \(readable.upperBound)" }
    public static let headerSize = 72
    public static let rowHeaderSize = 24
    public static let levelSize = 16
    public static let blockRows = 1_024
    public static let indexEntrySize = 32

    /// Whether the file at `path` starts with the cache's magic (a replay file that is a cache, whatever its name).
    public static func isCache(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: magic.count)).map { Array($0) == magic } ?? false
    }

    /// The checksum of `bytes` in a file of `version`.
    @inline(__always)
    public static func checksum(_ bytes: UnsafeRawBufferPointer, version: UInt32 = MarketCache.version) -> UInt64 {
        version >= 3 ? sums(bytes) : multiplyRotate(bytes)
    }

    /// The checksum of version 3: the 8-byte words in four lanes side by side (one vector), each word split into
    /// its 32-bit halves; per lane and half the sum of the halves and the sum of those sums, all mixed at the end.
    /// Additions only, so it runs at the speed memory is read (18-26 GB/s here, against 8 for version 2's
    /// multiplies, which a lone replay spent a sixth of its time in). Halves summed in 64 bits never wrap (below
    /// 2^32 words), so a flipped bit always changes its sum, and a word moved the sum of sums (by its distance).
    static func sums(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        var lo = SIMD4<UInt64>(UInt64(n), 1, 2, 3), hi = SIMD4<UInt64>(repeating: 0)
        var loSums = SIMD4<UInt64>(repeating: 0), hiSums = SIMD4<UInt64>(repeating: 0)
        let mask = SIMD4<UInt64>(repeating: 0xFFFF_FFFF)
        var i = 0
        while i + 32 <= n {
            let w = SIMD4<UInt64>(
                UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)),
                UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)),
                UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)),
                UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)))
            lo &+= w & mask
            hi &+= w &>> 32
            loSums &+= lo
            hiSums &+= hi
            i += 32
        }
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        for lane in 0..<4 { h = fold(fold(fold(fold(h, lo[lane]), hi[lane]), loSums[lane]), hiSums[lane]) }
        // The last 0 to 31 bytes, one at a time.
        while i < n {
            h = fold(h, UInt64(bytes[i]))
            i += 1
        }
        return h
    }

    /// Mixes `value` into `h` (the SplitMix64 finalizer over their xor): a change of either changes the result
    /// but for a chance of one in 2^64.
    @inline(__always)
    static func fold(_ h: UInt64, _ value: UInt64) -> UInt64 {
        var z = (h ^ value) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The checksum of version 2: four lanes of 8-byte words, each multiplied and rotated, folded together at
    /// the end (version 1 ran one lane).
    static func multiplyRotate(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        let p1: UInt64 = 0x9E37_79B9_7F4A_7C15, p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (p1 ^ UInt64(n), p2, p1 &+ p2, p1 &* 3)
        @inline(__always) func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
            let x = (h ^ (w &* p2)) &* p1
            return (x << 31) | (x >> 33)
        }
        @inline(__always) func word(_ at: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        var i = 0
        while i + 32 <= n {
            lanes.0 = mix(lanes.0, word(i))
            lanes.1 = mix(lanes.1, word(i + 8))
            lanes.2 = mix(lanes.2, word(i + 16))
            lanes.3 = mix(lanes.3, word(i + 24))
            i += 32
        }
        var h = mix(mix(mix(lanes.0, lanes.1), lanes.2), lanes.3)
        while i + 8 <= n {
            h = mix(h, word(i))
            i += 8
        }
        while i < n {
            h = (h ^ UInt64(bytes[i])) &* 0x100_0000_01B3
            i += 1
        }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }
}

/// A cache file that cannot be read: what is wrong and at which byte.
public struct MarketCacheError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var offset: Int?
    public var message: String

    public init(path: String, offset: Int?, _ message: String) {
        self.path = path
        self.offset = offset
        self.message = message
    }

    public var description: String {
        "\(path): " + (offset.map { "at byte \($0): " } ?? "") + message
    }
}
