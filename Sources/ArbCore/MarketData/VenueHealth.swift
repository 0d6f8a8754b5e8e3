import Synchronization

/// How a venue's live feed is doing (SPEC §8): `down` blocks entries on its routes (data tier, `venue_down`);
/// `degraded` is shown and alerted on but trades; `idle` when no campaign reads the venue.
public enum HealthState: String, Sendable, Codable, CaseIterable {
    case healthy, degraded, down, idle

    /// The gauge value of `arbitrage_venue_health` (0 healthy, 1 degraded, 2 down, -1 idle).
    public var gauge: Int {
        switch self {
        case .healthy: return 0
        case .degraded: return 1
        case .down: return 2
        case .idle: return -1
        }
    }
}

/// One venue's feed health, judged every quarter second from the hub's counters.
public struct VenueHealth: Sendable, Equatable {
    public var state: HealthState = .idle
    /// Why the state is not `healthy` (several reasons joined by "; "); nil when healthy.
    public var reason: String?
    public var connectionsWanted = 0
    public var connectionsOpen = 0
    /// Over the last 5 seconds.
    public var messagesPerSecond = 0.0
    public var booksPerSecond = 0.0
    /// Since the last book (or since the venue was first subscribed, before any book); nil when idle.
    public var dataAgeMs: Double?
    /// Over the last 60 seconds.
    public var parseErrors = 0
    public var sequenceGaps = 0
    public var resyncs = 0
    public var reconnects = 0
    public var venueErrors = 0
    public var restRequests = 0
    public var restErrors = 0
    /// Mean REST latency over the last 60 seconds; nil without requests.
    public var restLatencyMs: Double?
    /// Subscribed markets that have sent no book for longer than the silence limit.
    public var marketsWithoutBook: [String] = []

    public init() {}

    /// What the hub measured, for `judge`.
    public struct Inputs: Sendable {
        public var connectionsWanted: Int
        public var connectionsOpen: Int
        /// How long no connection has been open while some are wanted (0 when one is).
        public var allClosedNs: Int64
        public var dataAgeNs: Int64?
        public var silenceNs: Int64

        public init(connectionsWanted: Int, connectionsOpen: Int, allClosedNs: Int64, dataAgeNs: Int64?, silenceNs: Int64) {
            self.connectionsWanted = connectionsWanted
            self.connectionsOpen = connectionsOpen
            self.allClosedNs = allClosedNs
            self.dataAgeNs = dataAgeNs
            self.silenceNs = silenceNs
        }
    }

    /// A connection gone for this long (and no other open) is `down`: reconnects normally take milliseconds.
    public static let closedDownNs: Int64 = 2_000_000_000

    /// Sets `state` and `reason` from the inputs and the windowed counts already in `self`: `down` when no
    /// connection has been open for 2 s or no book came for the silence limit; `degraded` when a connection is
    /// missing, or in the last minute the feed reconnected, lost sequence, sent unreadable messages or errors,
    /// a REST call failed, or a market never sent a book; otherwise `healthy`.
    public mutating func judge(_ i: Inputs) {
        connectionsWanted = i.connectionsWanted
        connectionsOpen = i.connectionsOpen
        dataAgeMs = i.dataAgeNs.map { Double($0) / 1e6 }
        guard i.connectionsWanted > 0 else {
            state = .idle
            reason = nil
            return
        }
        var down: [String] = []
        if i.connectionsOpen == 0 && i.allClosedNs >= Self.closedDownNs {
            down.append("no connection open for \(Self.seconds(i.allClosedNs)) s (\(i.connectionsWanted) wanted)")
        }
        if let age = i.dataAgeNs, age > i.silenceNs {
            down.append("no book for \(Self.seconds(age)) s")
        }
        if !down.isEmpty {
            state = .down
            reason = down.joined(separator: "; ")
            return
        }
        var degraded: [String] = []
        if i.connectionsOpen < i.connectionsWanted { degraded.append("\(i.connectionsOpen) of \(i.connectionsWanted) connections open") }
        if reconnects > 0 { degraded.append("\(reconnects) reconnects in the last minute") }
        if sequenceGaps > 0 { degraded.append("\(sequenceGaps) sequence gaps in the last minute") }
        if parseErrors > 0 { degraded.append("\(parseErrors) unreadable messages in the last minute") }
        if venueErrors > 0 { degraded.append("\(venueErrors) errors from the venue in the last minute") }
        if restErrors > 0 { degraded.append("\(restErrors) failed REST calls in the last minute") }
        if !marketsWithoutBook.isEmpty {
            let names = marketsWithoutBook.prefix(5).joined(separator: ", ")
            degraded.append("no book yet from \(names)\(marketsWithoutBook.count > 5 ? " and \(marketsWithoutBook.count - 5) more" : "")")
        }
        state = degraded.isEmpty ? .healthy : .degraded
        reason = degraded.isEmpty ? nil : degraded.joined(separator: "; ")
    }

    static func seconds(_ ns: Int64) -> String {
        let tenths = (ns + 50_000_000) / 100_000_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// The venues' health as the live hub last judged it, read by the engines (is a venue down?) and by `/venues`
/// and `/metrics`.
public final class VenueHealthBoard: Sendable {
    private let downMask = Atomic<UInt64>(0)
    private let reports = Mutex(PerVenue<VenueHealth>(repeating: VenueHealth()))

    public init() {}

    public func isDown(_ venue: Venue) -> Bool { downMask.load(ordering: .relaxed) & (1 << UInt64(venue.index)) != 0 }

    public func health(_ venue: Venue) -> VenueHealth { reports.withLock { $0[venue] } }

    public var all: PerVenue<VenueHealth> { reports.withLock { $0 } }

    public func publish(_ health: PerVenue<VenueHealth>) {
        var mask: UInt64 = 0
        for (venue, h) in health.pairs where h.state == .down { mask |= 1 << UInt64(venue.index) }
        reports.withLock { $0 = health }
        downMask.store(mask, ordering: .relaxed)
    }
}
