import Synchronization

/// Per-market latest-snapshot store: O(1) read of the newest book of one market, written by feeds and read by
/// route engines.
///
/// Storage is allocated once for every market of the campaign; an update writes into its slot in place. Each
/// slot has its own `Mutex`, held only to copy a snapshot (or just its best prices) in or out, so a reader never
/// waits for more than one copy and writers of different markets never contend.
public final class SnapshotStore: Sendable {
    // Allocated in init, freed in deinit, never resized: elements are mutexes, so sharing the pointer is safe.
    @usableFromInline nonisolated(unsafe) let slots: UnsafeMutablePointer<Mutex<BookSnapshot>>
    public let marketCount: Int
    /// Where books written with a `pendingRow` take their depth from (one source per store, set before its first
    /// such book).
    @usableFromInline let depthSource = Mutex<(any BookDepthSource)?>(nil)

    /// Creates a store for `marketCount` markets, all empty.
    public init(marketCount: Int) {
        self.marketCount = marketCount
        slots = .allocate(capacity: Swift.max(1, marketCount))
        for i in 0..<marketCount { (slots + i).initialize(to: Mutex(BookSnapshot())) }
    }

    deinit {
        slots.deinitialize(count: marketCount)
        slots.deallocate()
    }

    /// Updates market `index` in place; the store stamps the next sequence number.
    /// Returns the sequence number written.
    @inlinable @discardableResult
    public func write(_ index: Int, _ update: (inout BookSnapshot) -> Void) -> UInt64 {
        precondition(index >= 0 && index < marketCount, "market index out of range")
        return slots[index].withLock { snapshot in
            let next = snapshot.sequence &+ 1
            snapshot.pending = nil
            snapshot.pendingRow = -1
            update(&snapshot)
            snapshot.sequence = next
            return next
        }
    }

    /// A copy of the newest snapshot of market `index` (sequence 0 = never written).
    @inlinable
    public func read(_ index: Int) -> BookSnapshot {
        precondition(index >= 0 && index < marketCount, "market index out of range")
        return slots[index].withLock { snapshot in
            materialize(&snapshot)
            return snapshot
        }
    }

    /// Has books written from now on take the levels under their tops from `source` when read whole.
    public func attach(depthSource source: any BookDepthSource) { depthSource.withLock { $0 = source } }

    /// Writes a book's pending levels, generated or recorded.
    @inlinable @inline(__always)
    func materialize(_ snapshot: inout BookSnapshot) {
        snapshot.materialize()
        if snapshot.pendingRow >= 0 { writeRow(&snapshot) }
    }

    @usableFromInline
    func writeRow(_ snapshot: inout BookSnapshot) {
        let row = snapshot.pendingRow
        snapshot.pendingRow = -1
        guard let source = depthSource.withLock({ $0 }) else { preconditionFailure("a book points into a cache row but no depth source is attached") }
        source.writeDepth(ofRowAt: row, into: &snapshot)
    }

    /// Runs `body` over the newest snapshots of two markets where they lie, without copying their levels; neither
    /// changes meanwhile. Locks are taken in index order, so two callers never wait on each other.
    @inlinable
    public func withSnapshots<R: Sendable, E: Error>(_ a: Int, _ b: Int,
                                                     _ body: (borrowing BookSnapshot, borrowing BookSnapshot) throws(E) -> R) throws(E) -> R {
        precondition(a >= 0 && a < marketCount && b >= 0 && b < marketCount && a != b, "market index out of range")
        let (first, second) = a < b ? (a, b) : (b, a)
        return try slots[first].withLock { (x: inout BookSnapshot) throws(E) -> R in
            try slots[second].withLock { (y: inout BookSnapshot) throws(E) -> R in
                materialize(&x)
                materialize(&y)
                return a < b ? try body(x, y) : try body(y, x)
            }
        }
    }

    /// The newest best prices of market `index`, without copying the levels.
    @inlinable
    public func top(_ index: Int) -> BookTop {
        precondition(index >= 0 && index < marketCount, "market index out of range")
        return slots[index].withLock { BookTop($0) }
    }

    /// The newest sequence number of market `index`, without copying the book.
    @inlinable
    public func sequence(_ index: Int) -> UInt64 {
        precondition(index >= 0 && index < marketCount, "market index out of range")
        return slots[index].withLock { $0.sequence }
    }

    /// Restores a market's snapshot as it was (used when resuming from a checkpoint).
    public func restore(_ index: Int, _ snapshot: BookSnapshot) {
        slots[index].withLock { $0 = snapshot }
    }
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

    @inlinable
    public init(_ s: BookSnapshot) {
        hasBids = s.bids.count > 0
        hasAsks = s.asks.count > 0
        bid = hasBids ? s.bids.prices[0] : 0
        ask = hasAsks ? s.asks.prices[0] : 0
        bidQuantity = hasBids ? s.bids.quantities[0] : 0
        askQuantity = hasAsks ? s.asks.quantities[0] : 0
        receiveTimeNs = s.receiveTimeNs
        sequence = s.sequence
    }

    /// True until both sides hold at least one level (as `BookSnapshot.isEmpty`).
    @inlinable public var isEmpty: Bool { !hasBids || !hasAsks }
    @inlinable public var bestBid: Double { Double(bid) / 1e8 }
    @inlinable public var bestAsk: Double { Double(ask) / 1e8 }
    @inlinable public var mid: Double { (bestBid + bestAsk) / 2 }
}
