import ArbCore
import Synchronization

/// Turns the hub's counters into each venue's health (`VenueHealth.judge`) and publishes it on the hub's board:
/// rates over the last 5 seconds and counts over the last minute come from one sample of the counters a second.
final class VenueHealthMonitor: Sendable {
    struct Sample {
        var timeNs: Int64
        var messages = 0, books = 0, parseErrors = 0, gaps = 0, resyncs = 0, reconnects = 0, venueErrors = 0
        var restRequests = 0, restErrors = 0
        var restLatencyNs: Int64 = 0

        init(_ c: FeedCounters, timeNs: Int64) {
            self.timeNs = timeNs
            messages = c.messages.load(ordering: .relaxed)
            books = c.books.load(ordering: .relaxed)
            parseErrors = c.parseErrors.load(ordering: .relaxed)
            gaps = c.sequenceGaps.load(ordering: .relaxed)
            resyncs = c.resyncs.load(ordering: .relaxed)
            reconnects = c.reconnects.load(ordering: .relaxed)
            venueErrors = c.venueErrors.load(ordering: .relaxed)
            restRequests = c.restRequests.load(ordering: .relaxed)
            restErrors = c.restErrors.load(ordering: .relaxed)
            restLatencyNs = c.restLatencyNs.load(ordering: .relaxed)
        }
    }

    struct Track {
        /// One sample a second, the last 61.
        var samples: [Sample] = []
        var closedSinceNs: Int64?
        var wantedSinceNs: Int64?
    }

    private let tracks = Mutex(PerVenue<Track>(repeating: Track()))

    func update(_ hub: LiveHub, now: Int64 = MonotonicClock.wallNanoseconds()) {
        let health = PerVenue<VenueHealth> { venue in
            let groups = hub.groups(of: venue)
            let silenceNs = Int64((groups.map(\.settings.silenceSeconds).min() ?? 15) * 1e9)
            let waiting = groups.flatMap { $0.waitingMarkets(longerThan: silenceNs, now: now) }
            return tracks.withLock { t in Self.judge(venue, &t[venue], hub.status[venue], silenceNs: silenceNs, waiting: waiting, now: now) }
        }
        hub.status.health.publish(health)
    }

    static func judge(_ venue: Venue, _ track: inout Track, _ c: FeedCounters, silenceNs: Int64, waiting: [String],
                      now: Int64) -> VenueHealth {
        let current = Sample(c, timeNs: now)
        if track.samples.last.map({ now - $0.timeNs >= 1_000_000_000 }) ?? true {
            track.samples.append(current)
            if track.samples.count > 61 { track.samples.removeFirst(track.samples.count - 61) }
        }
        let wanted = c.connections.load(ordering: .relaxed), open = c.connected.load(ordering: .relaxed)
        track.wantedSinceNs = wanted > 0 ? (track.wantedSinceNs ?? now) : nil
        track.closedSinceNs = wanted > 0 && open == 0 ? (track.closedSinceNs ?? now) : nil
        let minute = track.samples.first { now - $0.timeNs <= 61_000_000_000 } ?? current
        let recent = track.samples.last { now - $0.timeNs >= 5_000_000_000 } ?? track.samples.first ?? current
        var h = VenueHealth()
        let seconds = Double(now - recent.timeNs) / 1e9
        if seconds > 0.5 {
            h.messagesPerSecond = Double(current.messages - recent.messages) / seconds
            h.booksPerSecond = Double(current.books - recent.books) / seconds
        }
        h.parseErrors = current.parseErrors - minute.parseErrors
        h.sequenceGaps = current.gaps - minute.gaps
        h.resyncs = current.resyncs - minute.resyncs
        h.reconnects = current.reconnects - minute.reconnects
        h.venueErrors = current.venueErrors - minute.venueErrors
        h.restRequests = current.restRequests - minute.restRequests
        h.restErrors = current.restErrors - minute.restErrors
        if h.restRequests > 0 { h.restLatencyMs = Double(current.restLatencyNs - minute.restLatencyNs) / Double(h.restRequests) / 1e6 }
        h.marketsWithoutBook = waiting
        let lastBook = c.lastBookNs.load(ordering: .relaxed)
        let dataAge = track.wantedSinceNs.map { now - Swift.max($0, lastBook) }
        h.judge(VenueHealth.Inputs(connectionsWanted: wanted, connectionsOpen: open,
                                   allClosedNs: track.closedSinceNs.map { now - $0 } ?? 0, dataAgeNs: dataAge, silenceNs: silenceNs))
        return h
    }
}
