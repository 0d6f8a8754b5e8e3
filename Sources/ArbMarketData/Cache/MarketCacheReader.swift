#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ArbCore
import Synchronization

/// A market-data cache opened by memory map (read-only, shared: many readers of one file share its pages).
/// Opening checks the header, the markets and the index against their checksums and the file's size; each block
/// of rows is checked when `verify` reads it (or all of them at once). Nothing is read past what was checked:
/// a truncated or altered file is refused naming the byte where it went wrong.
public final class MarketCacheReader: BookDepthSource, @unchecked Sendable {
    // Immutable after init; the mapping is read-only and lives as long as the reader.
    public let path: String
    public let markets: [MarketKey]
    public let rowCount: Int
    public let dataEndNs: Int64?
    public let blocks: [Block]
    /// The file's format version (`MarketCache.readable`): which checksum its sections carry.
    public let version: UInt32
    private let base: UnsafeRawPointer
    private let size: Int
    /// Blocks already found intact: readers sharing this mapping check each block once.
    private let checked: Mutex<[Bool]>

    /// One block of rows as the index describes it.
    public struct Block: Sendable, Equatable {
        public var firstNs: Int64
        public var offset: Int
        public var rows: Int
        public var checksum: UInt64
        /// Where the block's bytes end (the next block's offset, or the index).
        public var end: Int
    }

    public init(path: String) throws(MarketCacheError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MarketCacheError(path: path, offset: nil, String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw MarketCacheError(path: path, offset: nil, String(cString: strerror(errno))) }
        size = Int(st.st_size)
        guard size >= MarketCache.headerSize else {
            throw MarketCacheError(path: path, offset: size, "truncated: \(size) bytes, shorter than the \(MarketCache.headerSize)-byte header")
        }
        guard let map = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else {
            throw MarketCacheError(path: path, offset: nil, "cannot map: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(map)
        do {
            (version, markets, rowCount, dataEndNs, blocks) = try Self.read(path: path, UnsafeRawBufferPointer(start: base, count: size))
            checked = Mutex([Bool](repeating: false, count: blocks.count))
        } catch {
            munmap(UnsafeMutableRawPointer(mutating: base), size)
            throw error
        }
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), size) }

    /// Tells the kernel the pages before `offset` will not be read again (a replay moving on from a block), so
    /// a long replay does not hold the whole file in its resident memory. The file is unchanged; another reader
    /// of it loses nothing but cached pages.
    public func release(before offset: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = offset / page * page
        guard end > 0 else { return }
        madvise(UnsafeMutableRawPointer(mutating: base), end, MADV_DONTNEED)
    }

    /// The file's bytes.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }

    /// Checks block `i`'s rows against the index's checksum and their own sizes.
    public func verify(block i: Int) throws(MarketCacheError) {
        if checked.withLock({ $0[i] }) { return }
        try check(block: i)
        checked.withLock { $0[i] = true }
    }

    private func check(block i: Int) throws(MarketCacheError) {
        let b = blocks[i]
        let span = UnsafeRawBufferPointer(rebasing: bytes[b.offset..<b.end])
        guard MarketCache.checksum(span, version: version) == b.checksum else {
            throw MarketCacheError(path: path, offset: b.offset, "block \(i) of rows does not match its checksum (the file was altered)")
        }
        var at = b.offset
        for _ in 0..<b.rows {
            guard at + MarketCache.rowHeaderSize <= b.end else { throw MarketCacheError(path: path, offset: at, "row runs past its block") }
            let market = self.market(at: at)
            guard market < markets.count else { throw MarketCacheError(path: path, offset: at + 16, "market \(market) of \(markets.count)") }
            guard Int(load(UInt16.self, at + 20)) <= BookSide.capacity, Int(load(UInt16.self, at + 22)) <= BookSide.capacity else {
                throw MarketCacheError(path: path, offset: at + 20, "more than \(BookSide.capacity) levels a side")
            }
            at = nextRow(after: at)
        }
        guard at == b.end else { throw MarketCacheError(path: path, offset: at, "block \(i) ends at byte \(b.end), its rows at \(at)") }
    }

    /// Checks every block.
    public func verify() throws(MarketCacheError) {
        for i in blocks.indices { try verify(block: i) }
    }

    /// The first block that may hold books received at or after `timeNs` (a window's start).
    public func block(atOrAfter timeNs: Int64) -> Int {
        var lo = 0, hi = blocks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            // A block whose successor starts before `timeNs` holds nothing at or after it (one whose successor
            // starts at `timeNs` may end with books of that instant).
            let nextStart = mid + 1 < blocks.count ? blocks[mid + 1].firstNs : .max
            if nextStart < timeNs { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The row at byte `offset` (of a verified block) written whole into `book` (levels past each side's count
    /// are left as they were: nothing reads them); returns its market and where the next row starts.
    public func read(at offset: Int, into book: inout BookSnapshot) -> (market: Int, next: Int) {
        if readTop(at: offset, into: &book) { writeDepth(ofRowAt: offset, into: &book) }
        return (market(at: offset), nextRow(after: offset))
    }

    /// The row at byte `offset` (of a verified block) with only each side's best level written into `book`, the
    /// rest left to `writeDepth` when a reader needs the whole book (most evaluations read the tops alone).
    /// Returns whether levels are left.
    @inline(__always)
    public func readTop(at offset: Int, into book: inout BookSnapshot) -> Bool {
        book.receiveTimeNs = Int64(bitPattern: load(UInt64.self, offset))
        book.exchangeTimeNs = Int64(bitPattern: load(UInt64.self, offset + 8))
        let nb = Int(load(UInt16.self, offset + 20)), na = Int(load(UInt16.self, offset + 22))
        let bids = offset + MarketCache.rowHeaderSize, asks = bids + nb * MarketCache.levelSize
        if nb > 0 {
            book.bids.prices[0] = Int64(bitPattern: load(UInt64.self, bids))
            book.bids.quantities[0] = Int64(bitPattern: load(UInt64.self, bids + 8))
        }
        if na > 0 {
            book.asks.prices[0] = Int64(bitPattern: load(UInt64.self, asks))
            book.asks.quantities[0] = Int64(bitPattern: load(UInt64.self, asks + 8))
        }
        book.bids.count = Swift.min(nb, 1)
        book.asks.count = Swift.min(na, 1)
        return nb > 1 || na > 1
    }

    public func writeDepth(ofRowAt offset: Int, into book: inout BookSnapshot) {
        let nb = Int(load(UInt16.self, offset + 20)), na = Int(load(UInt16.self, offset + 22))
        let bids = offset + MarketCache.rowHeaderSize, asks = bids + nb * MarketCache.levelSize
        for i in Swift.min(nb, 1)..<nb {
            book.bids.prices[i] = Int64(bitPattern: load(UInt64.self, bids + i * MarketCache.levelSize))
            book.bids.quantities[i] = Int64(bitPattern: load(UInt64.self, bids + i * MarketCache.levelSize + 8))
        }
        for i in Swift.min(na, 1)..<na {
            book.asks.prices[i] = Int64(bitPattern: load(UInt64.self, asks + i * MarketCache.levelSize))
            book.asks.quantities[i] = Int64(bitPattern: load(UInt64.self, asks + i * MarketCache.levelSize + 8))
        }
        book.bids.count = nb
        book.asks.count = na
    }

    /// The receive time of the row at `offset`.
    @inline(__always) public func time(at offset: Int) -> Int64 { Int64(bitPattern: load(UInt64.self, offset)) }

    /// The market of the row at `offset`.
    @inline(__always) public func market(at offset: Int) -> Int { Int(load(UInt32.self, offset + 16)) }

    /// Where the row after the one at `offset` starts.
    @inline(__always) public func nextRow(after offset: Int) -> Int {
        let levels = Int(load(UInt16.self, offset + 20)) + Int(load(UInt16.self, offset + 22))
        return offset + MarketCache.rowHeaderSize + levels * MarketCache.levelSize
    }

    /// Every book, in order, each block verified first (for tests and conversions; a replay reads rows in place).
    public func events() throws(MarketCacheError) -> [MarketEvent] {
        var out: [MarketEvent] = []
        out.reserveCapacity(rowCount)
        for (i, b) in blocks.enumerated() {
            try verify(block: i)
            var at = b.offset
            for _ in 0..<b.rows {
                var book = BookSnapshot()
                let (market, next) = read(at: at, into: &book)
                let key = markets[market]
                out.append(MarketEvent(venue: key.venue, symbol: key.symbol, timeNs: book.receiveTimeNs, exchangeTimeNs: book.exchangeTimeNs,
                                       bids: book.bids, asks: book.asks))
                at = next
            }
        }
        return out
    }

    @inline(__always)
    private func load<T: FixedWidthInteger>(_ type: T.Type, _ offset: Int) -> T {
        T(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// Reads and checks the header, the markets and the index.
    private static func read(path: String, _ file: UnsafeRawBufferPointer) throws(MarketCacheError)
        -> (UInt32, [MarketKey], Int, Int64?, [Block]) {
        func fail(_ offset: Int, _ message: String) -> MarketCacheError { MarketCacheError(path: path, offset: offset, message) }
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: file.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: file.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        guard Array(file[0..<8]) == MarketCache.magic else { throw fail(0, "not a market-data cache (no ARBCACHE magic)") }
        let version = u32(8)
        guard MarketCache.readable.contains(version) else {
            throw fail(8, "cache version \(version); this build reads \(MarketCache.readableText) (convert the recordings again with `arbitrage data import`)")
        }
        func checksum(_ range: Range<Int>) -> UInt64 { MarketCache.checksum(UnsafeRawBufferPointer(rebasing: file[range]), version: version) }
        let headEnd = MarketCache.headerSize - 8
        guard checksum(0..<headEnd) == u64(headEnd) else {
            throw fail(0, "the header does not match its checksum (the file was altered, or its writing never finished)")
        }
        let marketCount = Int(u32(16)), rows = Int(u64(24))
        let marketsAt = Int(u64(32)), rowsAt = Int(u64(40)), indexAt = Int(u64(48))
        let end = Int64(bitPattern: u64(56))
        guard marketsAt == MarketCache.headerSize, rowsAt >= marketsAt + 8, indexAt >= rowsAt else {
            throw fail(32, "section offsets out of order")
        }
        guard indexAt + 16 <= file.count else { throw fail(file.count, "truncated: the index starts at byte \(indexAt), the file has \(file.count) bytes") }
        // Markets.
        var markets: [MarketKey] = []
        var at = marketsAt
        for _ in 0..<marketCount {
            guard at + 2 <= rowsAt - 8 else { throw fail(at, "markets run past their section") }
            let venueIndex = Int(file[at]), length = Int(file[at + 1])
            guard venueIndex < Venue.allCases.count else { throw fail(at, "unknown venue \(venueIndex)") }
            guard at + 2 + length <= rowsAt - 8 else { throw fail(at, "markets run past their section") }
            markets.append(MarketKey(Venue.allCases[venueIndex], String(decoding: file[(at + 2)..<(at + 2 + length)], as: UTF8.self)))
            at += 2 + length
        }
        guard at == rowsAt - 8, checksum(marketsAt..<at) == u64(at) else {
            throw fail(marketsAt, "the markets do not match their checksum")
        }
        // Index.
        let count = Int(u64(indexAt))
        let indexEnd = indexAt + 8 + count * MarketCache.indexEntrySize
        guard count <= (file.count - indexAt) / MarketCache.indexEntrySize, indexEnd + 8 <= file.count else {
            throw fail(file.count, "truncated: the index of \(count) blocks needs \(indexEnd + 8) bytes, the file has \(file.count)")
        }
        guard indexEnd + 8 == file.count else { throw fail(indexEnd + 8, "\(file.count - indexEnd - 8) bytes after the index") }
        guard checksum(indexAt..<indexEnd) == u64(indexEnd) else {
            throw fail(indexAt, "the index does not match its checksum (the file was altered)")
        }
        var blocks: [Block] = []
        var total = 0, expected = rowsAt
        for i in 0..<count {
            let e = indexAt + 8 + i * MarketCache.indexEntrySize
            let offset = Int(u64(e + 8)), n = Int(u32(e + 16))
            guard offset == expected else { throw fail(e + 8, "block \(i) starts at byte \(offset), expected \(expected)") }
            let next = i + 1 < count ? Int(u64(e + MarketCache.indexEntrySize + 8)) : indexAt
            guard next > offset, next <= indexAt else { throw fail(e + 8, "block \(i) has no bytes") }
            blocks.append(Block(firstNs: Int64(bitPattern: u64(e)), offset: offset, rows: n, checksum: u64(e + 24), end: next))
            total += n
            expected = next
        }
        guard expected == indexAt, total == rows else { throw fail(24, "\(rows) rows in the header, \(total) in the index") }
        return (version, markets, rows, end == .min ? nil : end, blocks)
    }
}

/// Readers opened once and shared, by path: the runs of a sweep replay one mapping of each cache (its pages, and
/// each block checked once). Scoped to the work that shares them, so a file imported again later is read anew.
public final class MarketCacheReaders: Sendable {
    private let open = Mutex<[String: MarketCacheReader]>([:])

    public init() {}

    public func reader(path: String) throws(MarketCacheError) -> MarketCacheReader {
        if let reader = open.withLock({ $0[path] }) { return reader }
        let reader = try MarketCacheReader(path: path)
        return open.withLock { readers in
            if let first = readers[path] { return first }
            readers[path] = reader
            return reader
        }
    }
}
