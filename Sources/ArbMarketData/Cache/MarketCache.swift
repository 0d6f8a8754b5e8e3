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
    public static let version: UInt32 = 1
    public static let headerSize = 72
    public static let rowHeaderSize = 24
    public static let levelSize = 16
    public static let blockRows = 4_096
    public static let indexEntrySize = 32

    /// Whether the file at `path` starts with the cache's magic (a replay file that is a cache, whatever its name).
    public static func isCache(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: magic.count)).map { Array($0) == magic } ?? false
    }

    /// A 64-bit checksum of `bytes`: eight bytes at a time, multiplied and rotated, about as fast as memory is
    /// read (a byte flipped anywhere changes it).
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ (w &* 0xC2B2_AE3D_27D4_EB4F)) &* 0x9E37_79B9_7F4A_7C15
            h = (h << 31) | (h >> 33)
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
