import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A local websocket server speaking one exchange's public protocol (Binance combined streams, Upbit and
/// Bithumb quotation, OKX v5 public, Bybit v5 spot), for feed tests: it answers the subscription handshake and
/// the venue's keepalive, then plays order books for every subscribed symbol at a fixed pace (OKX `books` and
/// Bybit as a snapshot then updates in sequence), and does what a test asks: drop every connection, go silent,
/// send garbage, ping, skip a sequence number.
public final class FakeExchangeServer: @unchecked Sendable {
    public enum Flavor: Sendable { case binance, upbit, bithumb, okx, bybit }

    /// One client connection as the server saw it.
    public final class Connection: @unchecked Sendable {
        let channel: any Channel
        public let path: String
        public let headers: [(String, String)]
        let lock = NSLock()
        var _symbols: [String] = []
        var _requests: [String] = []
        var _requestTimes: [Date] = []
        var _pongs: [[UInt8]] = []
        var _format = "DEFAULT"
        var sent = 0
        /// OKX channel or Bybit depth the client asked for.
        var _channel = ""
        /// Per symbol: the sequence number of the last message, and whether the next one is a snapshot.
        var seq: [String: Int64] = [:]
        var snapshotDue: Set<String> = []
        var _snapshots: [String: Int] = [:]
        var gapNext = false
        var _textPings = 0
        var _framePings = 0

        init(channel: any Channel, path: String, headers: [(String, String)]) {
            self.channel = channel
            self.path = path
            self.headers = headers
        }

        /// Symbols subscribed (exchange spelling: `BTCUSDT`, `KRW-BTC`).
        public var symbols: [String] { lock.withLock { _symbols } }
        /// Every text message the client sent, and when it arrived.
        public var requests: [String] { lock.withLock { _requests } }
        public var requestTimes: [Date] { lock.withLock { _requestTimes } }
        /// Payloads of the pongs the client sent.
        public var pongs: [[UInt8]] { lock.withLock { _pongs } }
        /// Snapshots sent per symbol (OKX `books`, Bybit).
        public var snapshots: [String: Int] { lock.withLock { _snapshots } }
        /// Keepalive text messages the client sent (OKX `ping`, Bybit `{"op":"ping"}`).
        public var textPings: Int { lock.withLock { _textPings } }
        /// Websocket ping frames the client sent (Upbit, Bithumb keepalive).
        public var framePings: Int { lock.withLock { _framePings } }
        /// OKX channel or Bybit depth subscribed.
        public var subscribedChannel: String { lock.withLock { _channel } }
        public var isOpen: Bool { channel.isActive }
    }

    public let flavor: Flavor
    public private(set) var port = 0
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var server: (any Channel)?
    private let lock = NSLock()
    private var _connections: [Connection] = []
    private var _silent = false
    private var timer: RepeatedTask?
    private var _ticks = 0
    private var _muted: Set<String> = []

    /// Every connection ever accepted, oldest first.
    public var connections: [Connection] { lock.withLock { _connections } }
    public var openConnections: [Connection] { connections.filter(\.isOpen) }

    /// Starts on a port from the OS; books go out every `intervalMs` per subscribed symbol.
    public init(flavor: Flavor, intervalMs: Int64 = 20) throws {
        self.flavor = flavor
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 20,
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { [weak self] channel, head in
                guard let self else { return channel.eventLoop.makeSucceededVoidFuture() }
                let connection = Connection(channel: channel, path: head.uri, headers: head.headers.map { ($0.name, $0.value) })
                self.lock.withLock { self._connections.append(connection) }
                return channel.pipeline.addHandler(FrameHandler(server: self, connection: connection))
            })
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
            }
        let server = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        self.server = server
        port = server.localAddress?.port ?? 0
        timer = group.next().scheduleRepeatedTask(initialDelay: .milliseconds(intervalMs), delay: .milliseconds(intervalMs)) { [weak self] _ in
            self?.tick()
        }
    }

    public var url: String { "ws://127.0.0.1:\(port)" }

    /// Book rounds played so far (each sends one message per subscribed symbol).
    public var ticks: Int { lock.withLock { _ticks } }

    public func shutdown() {
        timer?.cancel()
        try? server?.close().wait()
        for c in connections { c.channel.close(promise: nil) }
        try? group.syncShutdownGracefully()
    }

    deinit { timer?.cancel() }

    /// Stops (or resumes) sending books; connections stay open and control frames are still answered.
    public func setSilent(_ silent: Bool) { lock.withLock { _silent = silent } }

    /// Never sends books of `symbol` (an asset suspended on the venue) until `unmute`.
    public func mute(_ symbol: String) { lock.withLock { _ = _muted.insert(symbol) } }
    public func unmute(_ symbol: String) { lock.withLock { _ = _muted.remove(symbol) } }

    /// Closes every open connection at the TCP level, without a close frame (a network drop).
    public func dropAll() {
        for c in openConnections { c.channel.close(promise: nil) }
    }

    /// Sends `count` text frames that are no message of the exchange.
    public func sendGarbage(_ count: Int) {
        for c in openConnections {
            for i in 0..<count {
                let text = i % 2 == 0 ? "garbage \(i) {{" : "{\"stream\":\"btcusdt@depth20@100ms\",\"data\":{\"bids\":[[\"x\"]]}}"
                write(c, text: text)
            }
        }
    }

    /// Sends a ping frame with `payload` on every open connection (Binance pings every 20 s).
    public func ping(_ payload: [UInt8]) {
        for c in openConnections {
            var buffer = c.channel.allocator.buffer(capacity: payload.count)
            buffer.writeBytes(payload)
            c.channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .ping, data: buffer), promise: nil)
        }
    }

    /// Tells every open connection the server will shut down (Binance `serverShutdown`).
    public func announceShutdown() {
        for c in openConnections { write(c, text: #"{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1}}"#) }
    }

    /// Makes the next update on every open connection skip a sequence number (OKX `books`, Bybit): the client
    /// must notice and ask for a new snapshot of that symbol.
    public func skipSequence() {
        for c in openConnections { c.lock.withLock { c.gapNext = true } }
    }

    /// Books sent so far on all connections.
    public var booksSent: Int { connections.reduce(0) { total, c in total + c.lock.withLock { c.sent } } }

    func write(_ c: Connection, text: String, binary: Bool = false) {
        var buffer = c.channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        c.channel.writeAndFlush(WebSocketFrame(fin: true, opcode: binary ? .binary : .text, data: buffer), promise: nil)
    }

    private func tick() {
        guard !lock.withLock({ _silent }) else { return }
        let muted = lock.withLock { _muted }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for c in openConnections {
            let (symbols, format, n) = c.lock.withLock { () -> ([String], String, Int) in
                c.sent += c._symbols.count
                return (c._symbols, c._format, c.sent)
            }
            for symbol in symbols where !muted.contains(symbol) {
                switch flavor {
                case .binance: write(c, text: Self.binanceBook(symbol, n: n))
                case .upbit: write(c, text: Self.upbitBook(symbol, n: n, ms: now, simple: format == "SIMPLE"), binary: true)
                case .bithumb:
                    let snapshot = c.lock.withLock { c.snapshotDue.remove(symbol) != nil }
                    write(c, text: Self.bithumbBook(symbol, n: n, us: now * 1000, simple: format == "SIMPLE", snapshot: snapshot), binary: true)
                case .okx, .bybit: write(c, text: sequenced(c, symbol, n: n, ms: now))
                }
            }
        }
        lock.withLock { _ticks += 1 }
    }

    /// Price of a symbol's fixture book: steady with a small wobble (USDT for Binance, KRW at 1,400 for Upbit).
    static func basePrice(_ base: String) -> Double {
        switch base {
        case "BTC": return 100_000
        case "ETH": return 3_000
        case "USDT": return 1
        default: return Double(base.unicodeScalars.reduce(0) { $0 + Int($1.value) } % 90 + 10)
        }
    }

    static func binanceBook(_ symbol: String, n: Int) -> String {
        let mid = basePrice(String(symbol.dropLast(4))) * (1 + Double(n % 7) * 1e-5)
        var bids: [String] = [], asks: [String] = []
        for i in 0..<20 {
            bids.append("[\"\(String(format: "%.2f", mid - 0.01 * Double(i + 1)))\",\"\(String(format: "%.5f", 0.5 + Double(i)))\"]")
            asks.append("[\"\(String(format: "%.2f", mid + 0.01 * Double(i + 1)))\",\"\(String(format: "%.5f", 0.5 + Double(i)))\"]")
        }
        return "{\"stream\":\"\(symbol.lowercased())@depth20@100ms\",\"data\":{\"lastUpdateId\":\(n),\"bids\":[\(bids.joined(separator: ","))],\"asks\":[\(asks.joined(separator: ","))]}}"
    }

    static func upbitBook(_ code: String, n: Int, ms: Int64, simple: Bool) -> String {
        let base = String(code.dropFirst(4))
        let tick = base == "USDT" ? 0.5 : 1000.0
        let mid = base == "USDT" ? 1400.0 : (basePrice(base) * 1400 / tick).rounded() * tick
        var units: [String] = []
        for i in 0..<15 {
            let ap = mid + tick * Double(i + 1), bp = mid - tick * Double(i + 1)
            let size = 0.25 + Double((n + i) % 5)
            units.append(simple ? "{\"ap\":\(ap),\"bp\":\(bp),\"as\":\(size),\"bs\":\(size)}"
                                : "{\"ask_price\":\(ap),\"bid_price\":\(bp),\"ask_size\":\(size),\"bid_size\":\(size)}")
        }
        return simple
            ? "{\"ty\":\"orderbook\",\"cd\":\"\(code)\",\"tms\":\(ms),\"tas\":1,\"tbs\":1,\"obu\":[\(units.joined(separator: ","))],\"st\":\"REALTIME\",\"lv\":0}"
            : "{\"type\":\"orderbook\",\"code\":\"\(code)\",\"timestamp\":\(ms),\"total_ask_size\":1,\"total_bid_size\":1,\"orderbook_units\":[\(units.joined(separator: ","))],\"stream_type\":\"REALTIME\",\"level\":0}"
    }

    /// A client's text message: the subscription handshake, or a keepalive.
    fileprivate func received(_ text: String, on c: Connection) {
        c.lock.withLock {
            c._requests.append(text)
            c._requestTimes.append(Date())
        }
        if flavor == .okx && text == "ping" {
            c.lock.withLock { c._textPings += 1 }
            write(c, text: "pong")
            return
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return }
        switch flavor {
        case .binance:
            guard let request = json as? [String: Any], let method = request["method"] as? String,
                  let params = request["params"] as? [String] else { return }
            let symbols = params.compactMap { $0.split(separator: "@").first.map { $0.uppercased() } }
            c.lock.withLock {
                if method == "SUBSCRIBE" { c._symbols.append(contentsOf: symbols.filter { !c._symbols.contains($0) }) }
                if method == "UNSUBSCRIBE" { c._symbols.removeAll { symbols.contains($0) } }
            }
            let id = request["id"].map { "\($0)" } ?? "null"
            write(c, text: "{\"result\":null,\"id\":\(id)}")
        case .upbit, .bithumb:
            guard let request = json as? [[String: Any]] else { return }
            var codes: [String] = []
            var format = "DEFAULT"
            for part in request {
                if let list = part["codes"] as? [String] { codes += list.map { String($0.split(separator: ".").first ?? "") } }
                if let f = part["format"] as? String { format = f }
            }
            c.lock.withLock {
                c._symbols = codes
                c._format = format
                c.snapshotDue = Set(codes)
            }
        case .okx: okxRequest(json, on: c)
        case .bybit: bybitRequest(json, on: c)
        }
    }

    fileprivate func pong(_ payload: [UInt8], on c: Connection) { c.lock.withLock { c._pongs.append(payload) } }
}

private final class FrameHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let server: FakeExchangeServer
    let connection: FakeExchangeServer.Connection

    init(server: FakeExchangeServer, connection: FakeExchangeServer.Connection) {
        self.server = server
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        var payload = frame.unmaskedData
        switch frame.opcode {
        case .text, .binary:
            let text = payload.readString(length: payload.readableBytes) ?? ""
            server.received(text, on: connection)
        case .ping:
            connection.lock.withLock { connection._framePings += 1 }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: payload)), promise: nil)
        case .pong:
            server.pong(payload.readBytes(length: payload.readableBytes) ?? [], on: connection)
        case .connectionClose:
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: context.channel.allocator.buffer(capacity: 0))
            context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in context.close(promise: nil) }
        default:
            break
        }
    }
}
