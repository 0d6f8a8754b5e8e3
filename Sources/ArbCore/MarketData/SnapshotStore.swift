import Synchronization

/// Per-market latest-snapshot store: O(1) read of the newest book of one market, written by feeds and read by
/// route engines.
///
/// Storage is allocated once for every market of the campaign; an update writes into its slot in place.
/// Each slot has its own `Mutex`, held only to copy a snapshot in or out (a few hundred bytes), so a reader
/// never waits for more than one copy and writers of different markets never contend.
public final class SnapshotStore: Sendable {
    @usableFromInline let slots: [Slot]

    /// Creates a store for `marketCount` markets, all empty.
    public init(marketCount: Int) {
        slots = (0..<marketCount).map { _ in Slot() }
    }

    public var marketCount: Int { slots.count }

    /// Updates market `index` in place; the store stamps the next sequence number.
    /// Returns the sequence number written.
    @inlinable @discardableResult
    public func write(_ index: Int, _ update: (inout BookSnapshot) -> Void) -> UInt64 {
        slots[index].state.withLock { snapshot in
            let next = snapshot.sequence &+ 1
            update(&snapshot)
            snapshot.sequence = next
            return next
        }
    }

    /// A copy of the newest snapshot of market `index` (sequence 0 = never written).
    @inlinable
    public func read(_ index: Int) -> BookSnapshot {
        slots[index].state.withLock { $0 }
    }

    /// The newest sequence number of market `index`, without copying the book.
    @inlinable
    public func sequence(_ index: Int) -> UInt64 {
        slots[index].state.withLock { $0.sequence }
    }

    /// Restores a market's snapshot as it was (used when resuming from a checkpoint).
    public func restore(_ index: Int, _ snapshot: BookSnapshot) {
        slots[index].state.withLock { $0 = snapshot }
    }

    @usableFromInline
    final class Slot: Sendable {
        @usableFromInline let state = Mutex(BookSnapshot())
    }
}
