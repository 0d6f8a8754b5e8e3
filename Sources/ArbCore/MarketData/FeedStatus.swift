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
    /// Books handed to campaigns (full books, and books kept from updates).
    public let books = Atomic<Int>(0)
    /// Wall time of the last book (0 = none yet).
    public let lastBookNs = Atomic<Int64>(0)
    /// Messages out of sequence (a lost update, a failed checksum): the book waits for a new snapshot.
    public let sequenceGaps = Atomic<Int>(0)
    /// New snapshots asked for after a gap.
    public let resyncs = Atomic<Int>(0)
    /// Errors the exchange sent (a refused subscription, too many requests).
    public let venueErrors = Atomic<Int>(0)
    /// REST calls made (answered or not), those that failed, and their summed latency.
    public let restRequests = Atomic<Int>(0)
    public let restErrors = Atomic<Int>(0)
    public let restLatencyNs = Atomic<Int64>(0)
    /// REST calls the venue's limiter held back, the time they waited, and those it refused (a ban or a wait
    /// longer than the call could take).
    public let restWaits = Atomic<Int>(0)
    public let restWaitNs = Atomic<Int64>(0)
    public let restRefusals = Atomic<Int>(0)
    /// Answers 429 (too many requests), 418 (banned) and 403 (Bybit's limit) the venue gave.
    public let restLimited = Atomic<Int>(0)

    public init() {}
}

/// The process's live feeds, per exchange, and their health.
public final class FeedStatus: Sendable {
    private let counters = PerVenue { _ in FeedCounters() }
    public let health = VenueHealthBoard()

    public init() {}

    public subscript(venue: Venue) -> FeedCounters { counters[venue] }
}
