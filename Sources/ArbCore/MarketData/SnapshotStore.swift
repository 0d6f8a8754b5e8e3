import Synchronization

/// Per-market latest-snapshot store: O(1) read of the newest book of one market, written by feeds and read by
/// route engines.
///
/// Storage is allocated once for every market of the campaign; an update writes into its slot in place. Each slot
/// has a version, odd while the book changes, so best prices (`top`, `sequence`) are read from any thread without
/// a lock: copied, then kept if the version did not move meanwhile. The version and the best prices share one
/// cache line per market, apart from the books: an evaluation that looks only at the tops reads one line of each
/// book rather than the five its best levels, counts and times span in a `BookSnapshot`, and 1,000 routes' tops
/// (128 KB) stay in a core's cache where their books (1.5 MB) do not. Whatever changes a book or reads it whole
/// holds the slot's lock, so a reader never waits for more than one copy and writers of different markets never
/// contend; a store that one thread writes and reads whole (a simulated campaign's, `oneThread`) skips the locks,
/// which were a tenth of such a campaign's time, and only its tops are read from other threads (metrics).
public final class SnapshotStore: Sendable {
    // Allocated in init, freed in deinit, never resized; books are reached under their slot's lock (or on the one
    // thread), or copied between two reads of their version.
    @usableFromInline nonisolated(unsafe) let books: UnsafeMutablePointer<BookSnapshot>
    @usableFromInline nonisolated(unsafe) let slots: UnsafeMutablePointer<TopSlot>
    @usableFromInline nonisolated(unsafe) let locks: UnsafeMutablePointer<Mutex<Void>>
    /// Books are changed and read whole on one thread only: no locks.
    @usableFromInline let oneThread: Bool
    public let marketCount: Int
    /// Where books written with a `pendingRow` take their depth from (one source per store, set before its first
    /// such book).
    @usableFromInline let depthSource = Mutex<(any BookDepthSource)?>(nil)

    /// Creates a store for `marketCount` markets, all empty. `oneThread`: one thread writes the books and reads
    /// them whole (`read`, `withSnapshots`), others at most read tops.
    public init(marketCount: Int, oneThread: Bool = false) {
        self.marketCount = marketCount
        self.oneThread = oneThread
        let n = Swift.max(1, marketCount)
        books = .allocate(capacity: n)
        books.initialize(repeating: BookSnapshot(), count: n)
        slots = UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<TopSlot>.stride, alignment: 64)
            .bindMemory(to: TopSlot.self, capacity: n)
        locks = .allocate(capacity: n)
        for i in 0..<n {
            (slots + i).initialize(to: TopSlot())
            (locks + i).initialize(to: Mutex(()))
        }
    }

    deinit {
        let n = Swift.max(1, marketCount)
        books.deinitialize(count: n)
        books.deallocate()
        slots.deinitialize(count: n)
        slots.deallocate()
        locks.deinitialize(count: n)
        locks.deallocate()
    }

    /// Runs `body` holding slot `index` (its lock, or nothing on the one thread).
    @inlinable @inline(__always)
    func holding<R: Sendable, E: Error>(_ index: Int, _ body: () throws(E) -> R) throws(E) -> R {
        if oneThread { return try body() }
        return try locks[index].withLock { (_: inout Void) throws(E) -> R in try body() }
    }

    /// Changes book `index` (its slot held), its version odd meanwhile, and its top after it.
    @inlinable @inline(__always)
    func change<R>(_ index: Int, _ body: (inout BookSnapshot) -> R) -> R {
        let slot = slots + index
        return slot.pointee.version.writing {
            let result = body(&books[index])
            slot.pointee.top = BookTop(at: books + index)
            return result
        }
    }

    /// Updates market `index` in place; the store stamps the next sequence number.
    /// Returns the sequence number written.
    @inlinable @inline(__always) @discardableResult
    public func write(_ index: Int, _ update: (inout BookSnapshot) -> Void) -> UInt64 {
        precondition(index >= 0 && index < marketCount, "market index out of range")
        return holding(index) {
            change(index) { snapshot in
                let next = snapshot.sequence &+ 1
                snapshot.pending = nil
                snapshot.pendingRow = -1
                update(&snapshot)
                snapshot.sequence = next
                return next
            }
        }
    }

    /// A copy of the newest snapshot of market `index` (sequence 0 = never written).
    @inlinable
    public func read(_ index: Int) -> BookSnapshot {
        precondition(index >= 0 && index < marketCount, "market index out of range")
        return holding(index) {
            settle(index)
            return books[index]
        }
    }

    /// Has books written from now on take the levels under their tops from `source` when read whole.
    public func attach(depthSource source: any BookDepthSource) { depthSource.withLock { $0 = source } }

    /// Writes book `index`'s pending levels, generated or recorded, if it has any (its slot held).
    @inlinable @inline(__always)
    func settle(_ index: Int) {
        guard books[index].pending != nil || books[index].pendingRow >= 0 else { return }
        change(index) { snapshot in
            snapshot.materialize()
            if snapshot.pendingRow >= 0 { writeRow(&snapshot) }
        }
    }

    @usableFromInline
    func writeRow(_ snapshot: inout BookSnapshot) {
        let row = snapshot.pendingRow
        snapshot.pendingRow = -1
        guard let source = depthSource.withLock({ $0 }) else { preconditionFailure("a book points into a cache row but no depth source is attached") }
        source.writeDepth(ofRowAt: row, into: &snapshot)
    }

    /// Runs `body` over the newest snapshots of two markets where they lie, without copying their levels; neither
    /// changes meanwhile, and the pointers are good only inside `body`. Locks are taken in index order, so two
    /// callers never wait on each other.
    @inlinable
    public func withSnapshots<R: Sendable, E: Error>(
        _ a: Int, _ b: Int, _ body: (UnsafePointer<BookSnapshot>, UnsafePointer<BookSnapshot>) throws(E) -> R
    ) throws(E) -> R {
        precondition(a >= 0 && a < marketCount && b >= 0 && b < marketCount && a != b, "market index out of range")
        let (first, second) = a < b ? (a, b) : (b, a)
        return try holding(first) { () throws(E) -> R in
            try holding(second) { () throws(E) -> R in
                settle(a)
                settle(b)
                return try body(books + a, books + b)
            }
        }
    }

    /// The newest best prices of market `index`, without a lock (`SequenceLock.reading`).
    @inlinable
    public func top(_ index: Int) -> BookTop {
        precondition(index >= 0 && index < marketCount, "market index out of range")
        let slot = slots + index
        return slot.pointee.version.reading { slot.pointee.top }
    }

    /// The cache line `top(index)` reads, and where book `index` lies (prefetch hints).
    @inlinable @inline(__always)
    public func topLine(_ index: Int) -> UnsafeRawPointer { UnsafeRawPointer(slots + index) }
    @inlinable @inline(__always)
    public func bookAddress(_ index: Int) -> UnsafeRawPointer { UnsafeRawPointer(books + index) }

    /// The newest sequence number of market `index`, without a lock.
    @inlinable
    public func sequence(_ index: Int) -> UInt64 {
        precondition(index >= 0 && index < marketCount, "market index out of range")
        let slot = slots + index
        return slot.pointee.version.reading { slot.pointee.top.sequence }
    }

    /// Restores a market's snapshot as it was (used when resuming from a checkpoint).
    public func restore(_ index: Int, _ snapshot: BookSnapshot) {
        holding(index) { change(index) { $0 = snapshot } }
    }
}

/// A market's version and its book's best prices: 64 bytes, one cache line (the store aligns them).
@usableFromInline
struct TopSlot: ~Copyable {
    @usableFromInline let version = SequenceLock()
    @usableFromInline var top = BookTop(BookSnapshot())

    @usableFromInline init() {}
}

/// The best prices of a book: all most evaluations need.
public struct BookTop: Sendable, Equatable {
    /// Raw fixed-point best bid and ask (meaningful when the side has levels).
    public var bid: Int64
    public var ask: Int64
    public var hasBids: Bool
    public var hasAsks: Bool
    /// Raw quantities at the best bid and ask.
    public var bidQuantity: Int64
    public var askQuantity: Int64
    public var receiveTimeNs: Int64
    public var sequence: UInt64

    /// The top of `book` (read in place through `init(at:)`, the one mapping of a book to its top).
    @inlinable
    public init(_ book: BookSnapshot) {
        self = withUnsafePointer(to: book) { BookTop(at: $0) }
    }

    /// The top of the book at `book`, read where it lies: a `BookSnapshot` argument is a copy of its 760 bytes.
    @inlinable @inline(__always)
    init(at book: UnsafePointer<BookSnapshot>) {
        let raw = UnsafeRawPointer(book)
        @inline(__always) func load<T>(_ offset: Int, _: T.Type) -> T { raw.load(fromByteOffset: offset, as: T.self) }
        let bids = MemoryLayout<BookSnapshot>.offset(of: \.bids)!, asks = MemoryLayout<BookSnapshot>.offset(of: \.asks)!
        let prices = MemoryLayout<BookSide>.offset(of: \.prices)!, quantities = MemoryLayout<BookSide>.offset(of: \.quantities)!
        let count = MemoryLayout<BookSide>.offset(of: \.count)!
        hasBids = load(bids + count, Int.self) > 0
        hasAsks = load(asks + count, Int.self) > 0
        bid = hasBids ? load(bids + prices, Int64.self) : 0
        ask = hasAsks ? load(asks + prices, Int64.self) : 0
        bidQuantity = hasBids ? load(bids + quantities, Int64.self) : 0
        askQuantity = hasAsks ? load(asks + quantities, Int64.self) : 0
        receiveTimeNs = load(MemoryLayout<BookSnapshot>.offset(of: \.receiveTimeNs)!, Int64.self)
        sequence = load(MemoryLayout<BookSnapshot>.offset(of: \.sequence)!, UInt64.self)
    }

    /// True until both sides hold at least one level (as `BookSnapshot.isEmpty`).
    @inlinable public var isEmpty: Bool { !hasBids || !hasAsks }
    @inlinable public var bestBid: Double { Double(bid) / 1e8 }
    @inlinable public var bestAsk: Double { Double(ask) / 1e8 }
    @inlinable public var mid: Double { (bestBid + bestAsk) / 2 }
}
