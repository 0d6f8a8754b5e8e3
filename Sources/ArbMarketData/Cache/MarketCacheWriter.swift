#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ArbCore

/// Writes a market-data cache (`MarketCache`): books appended in replay order, a block at a time, then the index
/// and, last, the header, so a file cut short by a crash has no valid header and is refused, never half read.
public final class MarketCacheWriter {
    public let path: String
    private let fd: Int32
    private var offset = 0
    private var block: [UInt8] = []
    private var blockRows = 0
    private var blockFirstNs: Int64 = 0
    private var index: [(firstNs: Int64, offset: UInt64, rows: UInt32, checksum: UInt64)] = []
    private let rowsOffset: Int
    private let marketCount: Int
    /// The format written: the current one, or an older readable one (a test of reading what earlier builds wrote).
    public let version: UInt32
    public private(set) var rows = 0
    /// The file's size so far (its whole size once finished: the header is written over its placeholder).
    public var bytes: Int { offset }
    private var lastNs = Int64.min
    private var finished = false

    /// Creates (or replaces) `path` for books of `markets`, whose indexes the rows name.
    public init(path: String, markets: [MarketKey], version: UInt32 = MarketCache.version) throws(MarketCacheError) {
        precondition(MarketCache.readable.contains(version), "cache version \(version) is not one this build reads")
        self.path = path
        self.version = version
        guard markets.count <= Int(UInt32.max), markets.allSatisfy({ $0.symbol.utf8.count <= 255 }) else {
            throw MarketCacheError(path: path, offset: nil, "a market's symbol is longer than 255 bytes")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MarketCacheError(path: path, offset: nil, String(cString: strerror(errno))) }
        self.fd = fd
        marketCount = markets.count
        var head = [UInt8](repeating: 0, count: MarketCache.headerSize)
        var section: [UInt8] = []
        for m in markets {
            section.append(UInt8(m.venue.index))
            section.append(UInt8(m.symbol.utf8.count))
            section.append(contentsOf: m.symbol.utf8)
        }
        Self.put(section.withUnsafeBytes { MarketCache.checksum($0, version: version) }, into: &section)
        head.append(contentsOf: section)
        rowsOffset = head.count
        block.reserveCapacity(1 << 20)
        try write(head)
    }

    deinit { close(fd) }

    /// Appends one book of market `market` (an index of the markets given at creation). Books must come in
    /// replay order: receive times never go back.
    public func append(_ event: MarketEvent, market: Int) throws(MarketCacheError) {
        precondition(market >= 0 && market < marketCount, "market index out of range")
        guard event.timeNs >= lastNs else {
            throw MarketCacheError(path: path, offset: nil, "books out of time order at row \(rows + 1)")
        }
        lastNs = event.timeNs
        if blockRows == 0 { blockFirstNs = event.timeNs }
        Self.put(UInt64(bitPattern: event.timeNs), into: &block)
        Self.put(UInt64(bitPattern: event.exchangeTimeNs), into: &block)
        Self.put(UInt32(market), into: &block)
        Self.put(UInt16(event.bids.count), into: &block)
        Self.put(UInt16(event.asks.count), into: &block)
        for side in [event.bids, event.asks] {
            for i in 0..<side.count {
                Self.put(UInt64(bitPattern: side.prices[i]), into: &block)
                Self.put(UInt64(bitPattern: side.quantities[i]), into: &block)
            }
        }
        rows += 1
        blockRows += 1
        if blockRows == MarketCache.blockRows { try flushBlock() }
    }

    /// Writes the last block, the index and the header (with `dataEndNs`, the recording's end mark), and syncs.
    public func finish(dataEndNs: Int64?) throws(MarketCacheError) {
        guard !finished else { return }
        finished = true
        try flushBlock()
        let indexOffset = offset
        var section: [UInt8] = []
        Self.put(UInt64(index.count), into: &section)
        for entry in index {
            Self.put(UInt64(bitPattern: entry.firstNs), into: &section)
            Self.put(entry.offset, into: &section)
            Self.put(entry.rows, into: &section)
            Self.put(UInt32(0), into: &section)
            Self.put(entry.checksum, into: &section)
        }
        Self.put(section.withUnsafeBytes { MarketCache.checksum($0, version: version) }, into: &section)
        try write(section)
        var head: [UInt8] = MarketCache.magic
        Self.put(version, into: &head)
        Self.put(UInt32(0), into: &head)
        Self.put(UInt32(marketCount), into: &head)
        Self.put(UInt32(0), into: &head)
        Self.put(UInt64(rows), into: &head)
        Self.put(UInt64(MarketCache.headerSize), into: &head)
        Self.put(UInt64(rowsOffset), into: &head)
        Self.put(UInt64(indexOffset), into: &head)
        Self.put(UInt64(bitPattern: dataEndNs ?? .min), into: &head)
        Self.put(head.withUnsafeBytes { MarketCache.checksum($0, version: version) }, into: &head)
        let written = head.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard written == head.count, fsync(fd) == 0 else {
            throw MarketCacheError(path: path, offset: 0, String(cString: strerror(errno)))
        }
    }

    private func flushBlock() throws(MarketCacheError) {
        guard blockRows > 0 else { return }
        let checksum = block.withUnsafeBytes { MarketCache.checksum($0, version: version) }
        index.append((blockFirstNs, UInt64(offset), UInt32(blockRows), checksum))
        try write(block)
        block.removeAll(keepingCapacity: true)
        blockRows = 0
    }

    private func write(_ bytes: [UInt8]) throws(MarketCacheError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw MarketCacheError(path: path, offset: offset, String(cString: strerror(errno))) }
            done += n
        }
        offset += bytes.count
    }

    static func put<T: FixedWidthInteger>(_ value: T, into bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
