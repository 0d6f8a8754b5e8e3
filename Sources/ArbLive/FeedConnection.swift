import ArbCore
import ArbMarketData
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import WebSocketKit

/// One websocket connection to an exchange and the symbols it carries, speaking the venue's protocol through its
/// adapter. Connects, subscribes, hands every book to its group (books the venue sends as snapshot and updates
/// are kept in sequence here, and a gap asks the venue for a new snapshot), and keeps itself alive: the venue's
/// keepalive, reconnects with exponential backoff and jitter after a close or a failure (resubscribing), closes
/// a connection that has brought no market data for `silence_seconds` (the watchdog), and has itself replaced
/// before `connection_max_age_seconds` (Binance ends connections at 24 h). Never sends an `Origin` header.
final class FeedConnection: Sendable {
    /// Strong: a connection's task may outlive its group's interest in it; the group lets go of a connection
    /// when it stops it.
    let group: FeedGroup
    /// The connection this one takes over from, until it is closed: by this one's first book, or with this one.
    private let replacing: Mutex<FeedConnection?>

    private struct State {
        var symbols: [String]
        var socket: WebSocket?
        var stopped = false
        var task: Task<Void, Never>?
        var requestID = 0
        var lastParseLogNs: Int64 = 0
        /// Control messages waiting for their turn, and whether a task is sending them.
        var outbox: [(socket: WebSocket, text: String, replaceable: Bool)] = []
        var sending = false
        var lastControlNs: Int64 = 0
        /// Books kept from snapshots and updates, for this socket only (a new socket starts from snapshots).
        var depth = DepthBooks()
        var lastGapLogNs: Int64 = 0
    }

    /// Binance and Upbit cut a connection that sends more than 5 messages a second (Binance counts pings and
    /// control messages), OKX allows 480 requests an hour: control messages leave at most one per 250 ms.
    static let controlSpacingNs: Int64 = 250_000_000

    private let state: Mutex<State>
    /// Wall time of the last message that carried data (the watchdog's measure).
    private let lastDataNs = Atomic<Int64>(0)
    private let deliveredBook = Atomic<Bool>(false)
    /// Whether the current connection has delivered data (resets the backoff).
    private let sawData = Atomic<Bool>(false)

    private let adapter: any VenueAdapter

    init(group: FeedGroup, symbols: [String], replacing: FeedConnection? = nil) {
        self.group = group
        adapter = group.venue.adapter
        self.replacing = Mutex(replacing)
        state = Mutex(State(symbols: symbols))
        group.counters.connections.add(1, ordering: .relaxed)
    }

    var venue: Venue { group.venue }
    var settings: LiveConfig { group.settings }
    var feed: VenueFeedConfig { group.settings[group.venue] }
    var logger: Logger { group.logger }
    var symbols: [String] { state.withLock { $0.symbols } }
    var symbolCount: Int { state.withLock { $0.symbols.count } }

    func start() {
        let task = Task.detached { [self] in await self.run() }
        state.withLock { $0.task = task }
    }

    /// Closes the connection for good.
    func stop() {
        let (socket, task, wasStopped) = state.withLock { s -> (WebSocket?, Task<Void, Never>?, Bool) in
            defer { s.stopped = true }
            return (s.socket, s.task, s.stopped)
        }
        guard !wasStopped else { return }
        // A predecessor still open (this one never delivered) would otherwise outlive the group's shutdown.
        replacing.withLock { r in defer { r = nil }; return r }?.stop()
        group.counters.connections.subtract(1, ordering: .relaxed)
        task?.cancel()
        socket?.close(code: .goingAway, promise: nil)
    }

    var isStopped: Bool { state.withLock { $0.stopped } }

    func addSymbols(_ added: [String]) {
        let socket = state.withLock { s -> WebSocket? in
            s.symbols.append(contentsOf: added)
            return s.socket
        }
        if let socket { subscribe(socket, added: added, removed: []) }
    }

    func removeSymbols(_ gone: Set<String>) {
        let (socket, removed) = state.withLock { s -> (WebSocket?, [String]) in
            let removed = s.symbols.filter { gone.contains($0) }
            s.symbols.removeAll { gone.contains($0) }
            for symbol in removed { s.depth.reset(symbol) }
            return (s.symbols.isEmpty ? nil : s.socket, removed)
        }
        if let socket, !removed.isEmpty { subscribe(socket, added: [], removed: removed) }
    }

    // MARK: Lifecycle

    private func run() async {
        var failures = 0
        var first = true
        while !isStopped && !Task.isCancelled {
            if !first { group.counters.reconnects.add(1, ordering: .relaxed) }
            first = false
            let gotData = await connectOnce()
            if isStopped || Task.isCancelled { break }
            failures = gotData ? 1 : failures + 1
            let base = Swift.min(settings.reconnectMaxSeconds,
                                 settings.reconnectMinSeconds * pow(2, Double(Swift.min(failures - 1, 30))))
            let delay = base * Double.random(in: 0.8...1.2)
            logger.info("feed: \(venue.rawValue) connection closed; reconnecting in \(String(format: "%.2f", delay)) s",
                        metadata: ["symbols": "\(symbolCount)"])
            try? await Task.sleep(for: .seconds(delay))
        }
    }

    /// One connection from connect to close; true when it delivered data.
    private func connectOnce() async -> Bool {
        let url = adapter.url(feed)
        let openedNs = MonotonicClock.wallNanoseconds()
        lastDataNs.store(openedNs, ordering: .relaxed)
        sawData.store(false, ordering: .relaxed)
        let ws: WebSocket
        do {
            // The connect future completes with the TCP connection; the socket exists once the upgrade is done.
            let resumed = Atomic<Bool>(false)
            ws = try await withCheckedThrowingContinuation { (done: CheckedContinuation<WebSocket, any Error>) in
                WebSocket.connect(
                    to: url, headers: HTTPHeaders(), configuration: .init(maxFrameSize: 1 << 22), on: group.eventLoops
                ) { [self] ws in
                    ws.onText { [self] _, text in
                        var text = text
                        text.withUTF8 { handle(UnsafeRawBufferPointer($0)) }
                    }
                    ws.onBinary { [self] _, buffer in
                        buffer.withUnsafeReadableBytes { handle($0) }
                    }
                    if !resumed.exchange(true, ordering: .relaxed) { done.resume(returning: ws) }
                }.whenFailure { error in
                    if !resumed.exchange(true, ordering: .relaxed) { done.resume(throwing: error) }
                }
            }
        } catch {
            logger.warning("feed: \(venue.rawValue) cannot connect to \(url): \(error)")
            return false
        }
        let symbols = state.withLock { s -> [String]? in
            if s.stopped { return nil }
            s.socket = ws
            s.depth = DepthBooks()
            return s.symbols
        }
        guard let symbols else {
            ws.close(code: .goingAway, promise: nil)
            return false
        }
        group.counters.connected.add(1, ordering: .relaxed)
        logger.info("feed: \(venue.rawValue) connected", metadata: ["url": "\(url)", "symbols": "\(symbols.count)"])
        var pinger: Task<Void, Never>?
        switch adapter.keepalive {
        case .serverPings:
            break
        case .pingFrames(let seconds):
            // A peer that stops answering the pings is closed. Never less often than the watchdog's silence:
            // a connection quiet for that long is closed anyway.
            setPingInterval(ws, .milliseconds(Int64(Swift.min(Double(seconds), settings.silenceSeconds) * 1000)))
        case .text(let text, let seconds):
            let interval = Swift.min(seconds, settings.silenceSeconds)
            pinger = Task.detached { [self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(interval))
                    if Task.isCancelled || ws.isClosed { return }
                    send(ws, text)
                }
            }
        }
        subscribe(ws, added: symbols, removed: [])
        let watchdog = Task.detached { [self] in await self.watch(ws, openedNs: openedNs) }
        try? await ws.onClose.get()
        watchdog.cancel()
        pinger?.cancel()
        state.withLock { s in if s.socket === ws { s.socket = nil } }
        group.counters.connected.subtract(1, ordering: .relaxed)
        return sawData.load(ordering: .relaxed)
    }

    /// Starts `ws`'s pings on its event loop. Set from another thread, the socket sends its first ping there and
    /// only then marks it unanswered: a pong that came back in between was forgotten, and the next ping closed a
    /// healthy connection for want of it.
    private func setPingInterval(_ ws: WebSocket, _ interval: TimeAmount) {
        ws.eventLoop.execute { ws.pingInterval = interval }
    }

    /// Closes a connection that has gone silent, and has an aging one replaced.
    private func watch(_ ws: WebSocket, openedNs: Int64) async {
        let silenceNs = Int64(settings.silenceSeconds * 1e9)
        let maxAgeNs = Int64(settings.connectionMaxAgeSeconds * 1e9)
        var rolledOver = false
        while !Task.isCancelled {
            try? await Task.sleep(for: .nanoseconds(Swift.max(10_000_000, silenceNs / 4)))
            if Task.isCancelled { return }
            let now = MonotonicClock.wallNanoseconds()
            if now - lastDataNs.load(ordering: .relaxed) > silenceNs {
                logger.warning("feed: \(venue.rawValue) connection silent for \(settings.silenceSeconds) s; closing it")
                ws.close(code: .goingAway, promise: nil)
                // A peer that never answers the close is cut when its pings go unanswered.
                setPingInterval(ws, .milliseconds(Int64(Swift.max(100, silenceNs / 4_000_000))))
                return
            }
            if !rolledOver && now - openedNs > maxAgeNs {
                rolledOver = true
                logger.info("feed: \(venue.rawValue) connection is \(Int((now - openedNs) / 1_000_000_000)) s old; replacing it")
                group.rollOver(self)
            }
        }
    }

    private func subscribe(_ ws: WebSocket, added: [String], removed: [String]) {
        let all = symbols
        let messages = adapter.subscription(all: all, added: added, removed: removed, feed: feed, nextID: nextRequestID)
        for m in messages { send(ws, m.text, replaceable: m.replaceable) }
    }

    private func nextRequestID() -> Int { state.withLock { s in s.requestID += 1; return s.requestID } }

    /// Sends a control message in its turn (see `controlSpacingNs`).
    private func send(_ ws: WebSocket, _ text: String, replaceable: Bool = false) {
        let startSender = state.withLock { s -> Bool in
            if replaceable { s.outbox.removeAll { $0.replaceable && $0.socket === ws } }
            s.outbox.append((ws, text, replaceable))
            guard !s.sending else { return false }
            s.sending = true
            return true
        }
        guard startSender else { return }
        Task.detached { [self] in
            while true {
                let wait = state.withLock { s in s.lastControlNs + Self.controlSpacingNs - MonotonicClock.wallNanoseconds() }
                if wait > 0 { try? await Task.sleep(for: .nanoseconds(wait)) }
                let next = state.withLock { s -> (socket: WebSocket, text: String, replaceable: Bool)? in
                    guard !s.outbox.isEmpty else { s.sending = false; return nil }
                    s.lastControlNs = MonotonicClock.wallNanoseconds()
                    return s.outbox.removeFirst()
                }
                guard let next else { return }
                if !next.socket.isClosed { next.socket.send(next.text, promise: nil) }
            }
        }
    }

    // MARK: Messages

    private func handle(_ bytes: UnsafeRawBufferPointer) {
        let counters = group.counters
        counters.messages.add(1, ordering: .relaxed)
        let now = MonotonicClock.wallNanoseconds()
        let message: FeedMessage
        do {
            message = try adapter.parse(bytes)
        } catch {
            counters.parseErrors.add(1, ordering: .relaxed)
            // At most one line a second per connection: a feed gone wrong must not flood the log.
            if logTurn(\.lastParseLogNs, now: now) {
                logger.warning("feed: \(venue.rawValue) message dropped: \(error.message)",
                               metadata: ["message": "\(String(decoding: bytes.prefix(120), as: UTF8.self))"])
            }
            return
        }
        switch message {
        case .book(let symbol, let exchangeTime, let bids, let asks):
            deliver(symbol: symbol, exchangeTime: exchangeTime, bids: bids, asks: asks, now: now)
        case .depth(let update):
            lastDataNs.store(now, ordering: .relaxed)
            switch state.withLock({ $0.depth.apply(update) }) {
            case .book(let symbol, let exchangeTime, let bids, let asks):
                deliver(symbol: symbol, exchangeTime: exchangeTime, bids: bids, asks: asks, now: now)
            case .waiting:
                break
            case .gap(let symbol, let reason):
                resync(symbol, reason: reason, now: now)
            }
        case .alive, .subscribed:
            break
        case .serverShutdown:
            logger.info("feed: \(venue.rawValue) server announced a shutdown; replacing the connection")
            group.rollOver(self)
        case .error(let text):
            counters.venueErrors.add(1, ordering: .relaxed)
            logger.warning("feed: \(venue.rawValue) error from the exchange: \(text)")
        }
    }

    private func deliver(symbol: String, exchangeTime: Int64?, bids: BookSide, asks: BookSide, now: Int64) {
        lastDataNs.store(now, ordering: .relaxed)
        sawData.store(true, ordering: .relaxed)
        group.counters.books.add(1, ordering: .relaxed)
        group.counters.lastBookNs.store(now, ordering: .relaxed)
        group.dispatch(MarketEvent(venue: venue, symbol: symbol, timeNs: now, exchangeTimeNs: exchangeTime ?? now,
                                   bids: bids, asks: asks))
        if !deliveredBook.exchange(true, ordering: .relaxed), let old = replacing.withLock({ r in defer { r = nil }; return r }) {
            logger.info("feed: \(venue.rawValue) replacement connection delivering; closing the old one")
            old.stop()
        }
    }

    /// A book out of sequence: dropped until the venue sends a new snapshot, which subscribing again brings.
    private func resync(_ symbol: String, reason: String, now: Int64) {
        let counters = group.counters
        counters.sequenceGaps.add(1, ordering: .relaxed)
        if logTurn(\.lastGapLogNs, now: now) {
            logger.warning("feed: \(venue.rawValue) \(symbol) out of sequence (\(reason)); asking for a new snapshot")
        }
        let socket = state.withLock { s in s.symbols.contains(symbol) ? s.socket : nil }
        guard let socket else { return }
        let messages = adapter.resync(symbol, feed: feed, nextID: nextRequestID)
        if !messages.isEmpty { counters.resyncs.add(1, ordering: .relaxed) }
        for m in messages { send(socket, m.text) }
    }

    /// Whether a log line of this kind may be written now (one a second per connection).
    private func logTurn(_ last: WritableKeyPath<State, Int64>, now: Int64) -> Bool {
        state.withLock { s in
            guard now - s[keyPath: last] > 1_000_000_000 else { return false }
            s[keyPath: last] = now
            return true
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
