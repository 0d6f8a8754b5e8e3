import Synchronization

/// What one exchange's live feed has done since the process started: for the metrics and logs.
public final class FeedCounters: Sendable {
    /// Messages received (books, keepalive and control answers).
    public let messages = Atomic<Int>(0)
    /// Messages that could not be read; counted and dropped.
    public let parseErrors = Atomic<Int>(0)
    /// Connections opened again after one closed, failed or went silent.
    public let reconnects = Atomic<Int>(0)
    /// Connections currently open.
    public let connected = Atomic<Int>(0)
    /// Connections wanted (open or being opened).
    public let connections = Atomic<Int>(0)

    public init() {}
}

/// The process's live feeds, per exchange.
public final class FeedStatus: Sendable {
    private let counters = PerVenue { _ in FeedCounters() }

    public init() {}

    public subscript(venue: Venue) -> FeedCounters { counters[venue] }
}
