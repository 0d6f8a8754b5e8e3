import ArbCore
import ArbMarketData
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import WebSocketKit

/// One websocket connection to an exchange and the symbols it carries. Connects, subscribes, hands every book
/// to its group, and keeps itself alive: reconnects with exponential backoff and jitter after a close or a
/// failure (resubscribing), closes a connection that has brought nothing for `silence_seconds` (the watchdog),
/// and has itself replaced before `connection_max_age_seconds` (Binance ends connections at 24 h). Never sends
/// an `Origin` header.
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
    }

    /// Both exchanges cut a connection that sends more than 5 messages a second (Binance counts pings and
    /// control messages): control messages leave at most one per 250 ms.
    static let controlSpacingNs: Int64 = 250_000_000

    private let state: Mutex<State>
    /// Wall time of the last message that carried data (the watchdog's measure).
    private let lastDataNs = Atomic<Int64>(0)
    private let deliveredBook = Atomic<Bool>(false)
    /// Whether the current connection has delivered data (resets the backoff).
    private let sawData = Atomic<Bool>(false)

    init(group: FeedGroup, symbols: [String], replacing: FeedConnection? = nil) {
        self.group = group
        self.replacing = Mutex(replacing)
        state = Mutex(State(symbols: symbols))
        group.counters.connections.add(1, ordering: .relaxed)
    }

    var venue: Venue { group.venue }
    var settings: LiveConfig { group.settings }
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
        let url = venue == .binance ? settings.binanceWSURL.trimmingSuffix("/") + "/stream" : settings.upbitWSURL
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
            return s.symbols
        }
        guard let symbols else {
            ws.close(code: .goingAway, promise: nil)
            return false
        }
        group.counters.connected.add(1, ordering: .relaxed)
        logger.info("feed: \(venue.rawValue) connected", metadata: ["url": "\(url)", "symbols": "\(symbols.count)"])
        if venue == .upbit {
            // Upbit closes a connection idle for about two minutes; pings keep it open (and a peer that stops
            // answering them is closed).
            ws.pingInterval = .seconds(30)
        }
        subscribe(ws, added: symbols, removed: [])
        let watchdog = Task.detached { [self] in await self.watch(ws, openedNs: openedNs) }
        try? await ws.onClose.get()
        watchdog.cancel()
        state.withLock { s in if s.socket === ws { s.socket = nil } }
        group.counters.connected.subtract(1, ordering: .relaxed)
        return sawData.load(ordering: .relaxed)
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
                ws.pingInterval = .milliseconds(Int64(Swift.max(100, silenceNs / 4_000_000)))
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
        switch venue {
        case .binance:
            if !removed.isEmpty {
                let id = state.withLock { s -> Int in s.requestID += 1; return s.requestID }
                let streams = BinanceMessages.streams(removed, kind: settings.binanceStream)
                send(ws, "{\"method\":\"UNSUBSCRIBE\",\"params\":[" + streams.map { "\"\($0)\"" }.joined(separator: ",") + "],\"id\":\(id)}")
            }
            if !added.isEmpty {
                let id = state.withLock { s -> Int in s.requestID += 1; return s.requestID }
                send(ws, BinanceMessages.subscribe(BinanceMessages.streams(added, kind: settings.binanceStream), id: id))
            }
        case .upbit:
            // Upbit's request names the whole subscription of the connection: a newer one replaces a waiting one.
            let all = symbols
            guard !all.isEmpty else { return }
            send(ws, UpbitMessages.subscribe(all, depth: settings.upbitDepth, format: settings.upbitFormat,
                                             ticket: "arbitrage-\(UUID().uuidString.prefix(8))"), replaceable: true)
        default:
            // The hub opens connections only for venues with a live adapter.
            logger.error("feed: no live adapter for \(venue.rawValue)")
        }
    }

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
            message = venue == .binance ? try BinanceMessages.parse(bytes) : try UpbitMessages.parse(bytes)
        } catch {
            counters.parseErrors.add(1, ordering: .relaxed)
            // At most one line a second per connection: a feed gone wrong must not flood the log.
            let log = state.withLock { s -> Bool in
                guard now - s.lastParseLogNs > 1_000_000_000 else { return false }
                s.lastParseLogNs = now
                return true
            }
            if log {
                logger.warning("feed: \(venue.rawValue) message dropped: \(error.message)",
                               metadata: ["message": "\(String(decoding: bytes.prefix(120), as: UTF8.self))"])
            }
            return
        }
        switch message {
        case .book(let symbol, let exchangeTime, let bids, let asks):
            lastDataNs.store(now, ordering: .relaxed)
            sawData.store(true, ordering: .relaxed)
            group.dispatch(MarketEvent(venue: venue, symbol: symbol, timeNs: now, exchangeTimeNs: exchangeTime ?? now,
                                       bids: bids, asks: asks))
            if !deliveredBook.exchange(true, ordering: .relaxed), let old = replacing.withLock({ r in defer { r = nil }; return r }) {
                logger.info("feed: \(venue.rawValue) replacement connection delivering; closing the old one")
                old.stop()
            }
        case .depth:
            break
        case .alive, .subscribed:
            lastDataNs.store(now, ordering: .relaxed)
        case .serverShutdown:
            logger.info("feed: \(venue.rawValue) server announced a shutdown; replacing the connection")
            group.rollOver(self)
        case .error(let text):
            logger.warning("feed: \(venue.rawValue) error from the exchange: \(text)")
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
