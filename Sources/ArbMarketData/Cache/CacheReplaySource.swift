import ArbCore
import Foundation
import Logging

/// Replay from a market-data cache: its rows are already in replay order, so the source walks them in place,
/// checking each block before its first row is read and skipping the markets the campaign does not trade. The
/// same books at the same instants as replaying the recordings the cache was made from.
///
/// Moves between the tasks that pull it but is never pulled by two at once (as `ReplaySource`).
public struct CacheReplaySource: ScheduledMarketSource, @unchecked Sendable {
    let reader: MarketCacheReader
    let logger: Logger
    /// The campaign's market of each of the cache's markets; nil where the campaign does not trade it.
    private var marketOf: [Int?]
    private var block = 0
    private var offset = 0
    private var rowInBlock = 0
    /// Rows of the cache passed so far (emitted and skipped), the position a checkpoint keeps.
    private var position = 0
    private var lastTimeNs = Int64.min
    private var failed = false
    /// Whether the store books are written into reads their depth from this source's reader.
    private var attached = false
    /// Where the pages behind the replay were last given back (`release`).
    private var releasedTo = 0
    public let counters: MarketSourceCounters?

    struct State: Codable {
        var position: Int
        var rows: Int
        var skippedRows: Int
        var lastTimeNs: Int64
    }

    /// From the first row, or the first received at or after `fromNs` (found through the index; the rows
    /// before it are neither emitted nor counted).
    public init(path: String, names: MarketMap, logger: Logger, fromNs: Int64? = nil) throws(MarketCacheError) {
        try self.init(reader: MarketCacheReader(path: path), names: names, logger: logger, fromNs: fromNs)
    }

    /// Over a reader already open (runs of a sweep share one mapping and its checked blocks).
    public init(reader: MarketCacheReader, names: MarketMap, logger: Logger, fromNs: Int64? = nil) throws(MarketCacheError) {
        self.reader = reader
        self.logger = logger
        marketOf = reader.markets.map { names.index($0.venue, $0.symbol) }
        counters = MarketSourceCounters(files: 1)
        if let fromNs {
            block = reader.block(atOrAfter: fromNs)
            position = reader.blocks[..<block].reduce(0) { $0 + $1.rows }
        }
        offset = block < reader.blocks.count ? reader.blocks[block].offset : 0
        try enterBlock()
        if let fromNs {
            while !failed && block < reader.blocks.count && reader.time(at: offset) < fromNs { step() }
        }
        skipUntraded()
    }

    /// Continues where a checkpoint's `state` left the cache.
    public init(reader: MarketCacheReader, names: MarketMap, logger: Logger, state: [UInt8]) throws {
        let saved = try JSONDecoder().decode(State.self, from: Data(state))
        try self.init(reader: reader, names: names, logger: logger)
        counters?.rows.store(saved.rows, ordering: .relaxed)
        counters?.skippedRows.store(saved.skippedRows, ordering: .relaxed)
        lastTimeNs = saved.lastTimeNs
        while position < saved.position && !failed { step() }
        skipUntraded()
    }

    public var nextTimeNs: Int64? {
        guard !failed, block < reader.blocks.count else { return nil }
        return reader.time(at: offset)
    }

    public var dataEndNs: Int64? {
        guard nextTimeNs == nil else { return nil }
        let end = Swift.max(lastTimeNs, reader.dataEndNs ?? .min)
        return end == .min ? nil : end
    }

    public mutating func emit(into store: SnapshotStore) -> Int {
        let market = marketOf[reader.market(at: offset)]!
        let (reader, offset) = (self.reader, self.offset)
        if !attached {
            store.attach(depthSource: reader)
            attached = true
        }
        // The tops now, the depth from the row where it lies when a reader needs it.
        store.write(market) { book in
            if reader.readTop(at: offset, into: &book) { book.pendingRow = offset }
        }
        lastTimeNs = reader.time(at: offset)
        counters?.rows.add(1, ordering: .relaxed)
        step()
        skipUntraded()
        return market
    }

    public func checkpointState() throws -> [UInt8] {
        Array(try JSONEncoder().encode(State(
            position: position, rows: counters?.rows.load(ordering: .relaxed) ?? 0,
            skippedRows: counters?.skippedRows.load(ordering: .relaxed) ?? 0, lastTimeNs: lastTimeNs)))
    }

    /// Past the current row, into the next block when this one is done.
    private mutating func step() {
        offset = reader.nextRow(after: offset)
        position += 1
        rowInBlock += 1
        guard rowInBlock == reader.blocks[block].rows else { return }
        block += 1
        rowInBlock = 0
        guard block < reader.blocks.count else { return }
        offset = reader.blocks[block].offset
        // Every 4 MB: each call walks the pages of the whole prefix (it must, pages another reader of the mapping
        // faulted back in behind this one are in it), so once a block of 1,024 rows made it a cost.
        if offset - releasedTo >= 4 << 20 {
            reader.release(before: offset)
            releasedTo = offset
        }
        do { try enterBlock() } catch {
            logger.error("replay: \(error); the rest of the cache is skipped")
            failed = true
        }
    }

    /// Checks the block about to be read.
    private mutating func enterBlock() throws(MarketCacheError) {
        guard block < reader.blocks.count else { return }
        try reader.verify(block: block)
    }

    /// Passes rows of markets the campaign does not trade (counted as skipped).
    private mutating func skipUntraded() {
        while !failed && block < reader.blocks.count && marketOf[reader.market(at: offset)] == nil {
            counters?.skippedRows.add(1, ordering: .relaxed)
            lastTimeNs = Swift.max(lastTimeNs, reader.time(at: offset))
            step()
        }
    }
}
