import ArbCore
import ArbMarketData
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The process's live feeds (SPEC §3.2.3): one set of websocket connections per exchange (and per feed
/// settings), shared by every campaign that reads them, because the exchanges limit connections per address.
/// A campaign subscribes the markets it needs with a queue; each book received is put on the queue of every
/// campaign that subscribed its market. Symbols are spread over connections of at most
/// `max_streams_per_connection` each; a connection is opened when a symbol needs it and closed when its last
/// symbol is unsubscribed.
public final class LiveHub: Sendable {
    public let status: FeedStatus
    /// Every REST call of the process, one limiter per venue.
    public let rest: RestClients
    let logger: Logger
    let group: any EventLoopGroup
    private let feeds = Mutex<[FeedKey: FeedGroup]>([:])
    private let nextID = Atomic<Int>(1)
    private let monitor = Mutex<Task<Void, Never>?>(nil)

    struct FeedKey: Hashable {
        var venue: Venue
        var settings: LiveConfig
    }

    public init(status: FeedStatus = FeedStatus(), logger: Logger = Logger(label: "arbitrage.feed"),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, restShare: Double = 0.5,
                restRules: @Sendable (Venue) -> RestRules = RestRules.published) {
        self.status = status
        rest = RestClients(status: status, share: restShare, rules: restRules)
        self.logger = logger
        self.group = group
    }

    /// Subscribes the markets `names` maps (each venue's symbols) for `queue`; the subscription ends when the
    /// returned token is released or cancelled.
    public func subscribe(names: MarketMap, settings: LiveConfig, queue: BookQueue) -> LiveSubscription {
        let id = nextID.add(1, ordering: .relaxed).newValue
        var byVenue: [Venue: [(symbol: String, market: Int)]] = [:]
        for market in names.readMarkets {
            byVenue[names.keys[market].venue, default: []].append((names.keys[market].symbol, market))
        }
        var groups: [FeedGroup] = []
        for venue in Venue.allCases {
            guard let entries = byVenue[venue], !entries.isEmpty else { continue }
            let key = FeedKey(venue: venue, settings: settings.scoped(to: venue))
            let group = feeds.withLock { feeds -> FeedGroup in
                if let g = feeds[key] { return g }
                let g = FeedGroup(venue: venue, settings: key.settings, counters: status[venue], logger: logger, eventLoops: self.group)
                feeds[key] = g
                return g
            }
            group.add(id: id, entries: entries, queue: queue)
            groups.append(group)
        }
        startMonitor()
        return LiveSubscription(id: id, groups: groups, queue: queue)
    }

    /// The groups reading `venue`, whatever their settings.
    func groups(of venue: Venue) -> [FeedGroup] { feeds.withLock { f in f.values.filter { $0.venue == venue } } }

    /// Judges every venue's health four times a second for as long as the hub lives.
    private func startMonitor() {
        monitor.withLock { task in
            guard task == nil else { return }
            let health = VenueHealthMonitor()
            task = Task.detached { [weak self] in
                while !Task.isCancelled, let hub = self {
                    health.update(hub)
                    try? await Task.sleep(for: .milliseconds(250))
                }
            }
        }
    }

    /// Closes every connection (service shutdown).
    public func shutdown() {
        monitor.withLock { $0?.cancel() }
        let all = feeds.withLock { f -> [FeedGroup] in
            defer { f.removeAll() }
            return Array(f.values)
        }
        for g in all { g.stopAll() }
    }
}

/// A campaign's hold on the hub's feeds: unsubscribes when cancelled or released.
public final class LiveSubscription: Sendable {
    let id: Int
    let groups: [FeedGroup]
    public let queue: BookQueue
    private let cancelled = Atomic<Bool>(false)

    init(id: Int, groups: [FeedGroup], queue: BookQueue) {
        self.id = id
        self.groups = groups
        self.queue = queue
    }

    /// Subscribes more markets for the same queue (routes joining the campaign).
    func add(_ markets: [(venue: Venue, symbol: String, market: Int)]) {
        guard !cancelled.load(ordering: .relaxed) else { return }
        for group in groups {
            let entries = markets.filter { $0.venue == group.venue }.map { (symbol: $0.symbol, market: $0.market) }
            if !entries.isEmpty { group.add(id: id, entries: entries, queue: queue) }
        }
    }

    public func cancel() {
        guard !cancelled.exchange(true, ordering: .relaxed) else { return }
        queue.close()
        for g in groups { g.remove(id: id) }
    }

    deinit { cancel() }
}

/// One exchange's connections for one set of feed settings, and who wants which symbol.
final class FeedGroup: Sendable {
    let venue: Venue
    let settings: LiveConfig
    let counters: FeedCounters
    let logger: Logger
    let eventLoops: any EventLoopGroup

    struct Sink {
        var id: Int
        var market: Int
        var queue: BookQueue
    }

    private struct State {
        var sinks: [String: [Sink]] = [:]
        var connections: [FeedConnection] = []
        /// Subscribed symbols that have not sent a book yet, with when they were first wanted.
        var waiting: [String: Int64] = [:]
    }

    private let state = Mutex(State())

    init(venue: Venue, settings: LiveConfig, counters: FeedCounters, logger: Logger, eventLoops: any EventLoopGroup) {
        self.venue = venue
        self.settings = settings
        self.counters = counters
        self.logger = logger
        self.eventLoops = eventLoops
    }

    func add(id: Int, entries: [(symbol: String, market: Int)], queue: BookQueue) {
        var toStart: [FeedConnection] = []
        state.withLock { s in
            var fresh: [String] = []
            let now = MonotonicClock.wallNanoseconds()
            for e in entries {
                if s.sinks[e.symbol] == nil {
                    fresh.append(e.symbol)
                    s.waiting[e.symbol] = now
                }
                s.sinks[e.symbol, default: []].append(Sink(id: id, market: e.market, queue: queue))
            }
            // Fill connections with room first, then open new ones.
            var remaining = fresh[...]
            for connection in s.connections where !remaining.isEmpty {
                let room = settings.maxStreamsPerConnection - connection.symbolCount
                guard room > 0 else { continue }
                connection.addSymbols(Array(remaining.prefix(room)))
                remaining = remaining.dropFirst(room)
            }
            while !remaining.isEmpty {
                let chunk = Array(remaining.prefix(settings.maxStreamsPerConnection))
                remaining = remaining.dropFirst(chunk.count)
                let connection = FeedConnection(group: self, symbols: chunk)
                s.connections.append(connection)
                toStart.append(connection)
            }
        }
        for c in toStart { c.start() }
    }

    func remove(id: Int) {
        var toStop: [FeedConnection] = []
        state.withLock { s in
            var gone: Set<String> = []
            for (symbol, sinks) in s.sinks {
                let kept = sinks.filter { $0.id != id }
                if kept.isEmpty {
                    gone.insert(symbol)
                    s.waiting[symbol] = nil
                }
                s.sinks[symbol] = kept.isEmpty ? nil : kept
            }
            guard !gone.isEmpty else { return }
            s.connections.removeAll { c in
                c.removeSymbols(gone)
                if c.symbolCount == 0 { toStop.append(c); return true }
                return false
            }
        }
        for c in toStop { c.stop() }
    }

    /// Replaces an aging connection by a new one with the same symbols; the old one closes once the new one has
    /// delivered its first book, so the feed has no gap.
    func rollOver(_ old: FeedConnection) {
        let replacement = state.withLock { s -> FeedConnection? in
            guard let i = s.connections.firstIndex(where: { $0 === old }) else { return nil }
            let new = FeedConnection(group: self, symbols: old.symbols, replacing: old)
            s.connections[i] = new
            return new
        }
        replacement?.start()
    }

    func stopAll() {
        let all = state.withLock { s -> [FeedConnection] in
            defer { s.connections.removeAll(); s.sinks.removeAll() }
            return s.connections
        }
        for c in all { c.stop() }
    }

    /// Subscribed markets that have sent no book for longer than `ns`.
    func waitingMarkets(longerThan ns: Int64, now: Int64) -> [String] {
        state.withLock { s in s.waiting.filter { now - $0.value > ns }.keys.sorted() }
    }

    /// Hands a book to every campaign that subscribed its symbol.
    func dispatch(_ event: MarketEvent) {
        state.withLock { s in
            if !s.waiting.isEmpty { s.waiting[event.symbol] = nil }
            guard let sinks = s.sinks[event.symbol] else { return }
            for sink in sinks { sink.queue.push(market: sink.market, event) }
        }
    }
}
