import Synchronization

/// What a recorded source has read, for the campaign's stats (`market_data`): updated by the task that pulls
/// the source, read by anyone.
public final class MarketSourceCounters: Sendable {
    /// Files the source reads.
    public let files: Int
    /// Books replayed into the store.
    public let rows = Atomic<Int>(0)
    /// Rows that could not be read (malformed, out of order); skipped, each logged with its line number.
    public let badRows = Atomic<Int>(0)
    /// Well-formed rows of markets the campaign does not trade; skipped.
    public let skippedRows = Atomic<Int>(0)

    public init(files: Int) { self.files = files }
}
