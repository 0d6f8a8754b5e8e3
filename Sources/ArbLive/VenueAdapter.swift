import ArbCore
import ArbMarketData
import Foundation

/// A control message for the exchange; a replaceable one names the connection's whole subscription, so a newer
/// one waiting to be sent replaces it.
struct ControlMessage: Equatable {
    var text: String
    var replaceable = false
}

/// How a connection keeps itself open.
enum Keepalive: Equatable {
    /// The server pings (Binance); websocket pongs answer it.
    case serverPings
    /// Websocket ping frames every so many seconds (Upbit, Bithumb: an idle socket is closed at 60–120 s).
    case pingFrames(seconds: Int64)
    /// A text message every so many seconds (OKX `ping`, Bybit `{"op":"ping"}`).
    case text(String, seconds: Double)
}

/// One venue's websocket protocol, as a connection uses it: where to connect, how to ask for markets and for a
/// fresh snapshot, how to stay alive, how to read a frame. The socket loop (`FeedConnection`) is the same for
/// every venue; adding one is an adapter here and its pure parser in ArbMarketData.
protocol VenueAdapter: Sendable {
    func url(_ feed: VenueFeedConfig) -> String
    /// The messages that take a connection from its old subscription to `all` (`added` new, `removed` gone).
    func subscription(all: [String], added: [String], removed: [String], feed: VenueFeedConfig,
                      nextID: () -> Int) -> [ControlMessage]
    /// The messages that ask for a new snapshot of `symbol` after a sequence gap.
    func resync(_ symbol: String, feed: VenueFeedConfig, nextID: () -> Int) -> [ControlMessage]
    var keepalive: Keepalive { get }
    func parse(_ bytes: UnsafeRawBufferPointer) throws(FeedParseError) -> FeedMessage
}

extension Venue {
    /// The live adapter of every registered venue.
    var adapter: any VenueAdapter {
        switch self {
        case .binance: return BinanceAdapter()
        case .upbit: return UpbitAdapter()
        case .bithumb: return BithumbAdapter()
        case .okx: return OKXAdapter()
        default: return BybitAdapter()
        }
    }
}

struct BinanceAdapter: VenueAdapter {
    func url(_ feed: VenueFeedConfig) -> String { feed.wsURL.trimmingSuffix("/") + "/stream" }

    func subscription(all: [String], added: [String], removed: [String], feed: VenueFeedConfig,
                      nextID: () -> Int) -> [ControlMessage] {
        var out: [ControlMessage] = []
        if !removed.isEmpty {
            let streams = BinanceMessages.streams(removed, kind: feed.feed).map { "\"\($0)\"" }.joined(separator: ",")
            out.append(ControlMessage(text: "{\"method\":\"UNSUBSCRIBE\",\"params\":[\(streams)],\"id\":\(nextID())}"))
        }
        if !added.isEmpty {
            out.append(ControlMessage(text: BinanceMessages.subscribe(BinanceMessages.streams(added, kind: feed.feed), id: nextID())))
        }
        return out
    }

    /// Every message is a full top book: nothing to resynchronize.
    func resync(_ symbol: String, feed: VenueFeedConfig, nextID: () -> Int) -> [ControlMessage] { [] }
    var keepalive: Keepalive { .serverPings }
    func parse(_ bytes: UnsafeRawBufferPointer) throws(FeedParseError) -> FeedMessage { try BinanceMessages.parse(bytes) }
}

struct UpbitAdapter: VenueAdapter {
    func url(_ feed: VenueFeedConfig) -> String { feed.wsURL }

    /// Upbit's request names the whole subscription of the connection.
    func subscription(all: [String], added: [String], removed: [String], feed: VenueFeedConfig,
                      nextID: () -> Int) -> [ControlMessage] {
        guard !all.isEmpty else { return [] }
        return [ControlMessage(text: UpbitMessages.subscribe(all, depth: Int(feed.feed) ?? 15, format: feed.format,
                                                             ticket: "arbitrage-\(UUID().uuidString.prefix(8))"), replaceable: true)]
    }

    func resync(_ symbol: String, feed: VenueFeedConfig, nextID: () -> Int) -> [ControlMessage] { [] }
    var keepalive: Keepalive { .pingFrames(seconds: 30) }
    func parse(_ bytes: UnsafeRawBufferPointer) throws(FeedParseError) -> FeedMessage { try UpbitMessages.parse(bytes) }
}

struct BithumbAdapter: VenueAdapter {
    func url(_ feed: VenueFeedConfig) -> String { feed.wsURL }

    /// No acknowledgement; a new request replaces the connection's set, so it always names every market.
    func subscription(all: [String], added: [String], removed: [String], feed: VenueFeedConfig,
                      nextID: () -> Int) -> [ControlMessage] {
        guard !all.isEmpty else { return [] }
        return [ControlMessage(text: BithumbMessages.subscribe(all, format: feed.feed, ticket: "arbitrage-\(UUID().uuidString.prefix(8))"),
                               replaceable: true)]
    }

    func resync(_ symbol: String, feed: VenueFeedConfig, nextID: () -> Int) -> [ControlMessage] { [] }
    /// Bithumb was seen closing idle sockets at 60 s (its documents say 120 s).
    var keepalive: Keepalive { .pingFrames(seconds: 20) }
    func parse(_ bytes: UnsafeRawBufferPointer) throws(FeedParseError) -> FeedMessage { try BithumbMessages.parse(bytes) }
}

struct OKXAdapter: VenueAdapter {
    /// Arguments per request: OKX bounds a request's `args` at 64 KB.
    static let argsPerRequest = 100

    func url(_ feed: VenueFeedConfig) -> String { feed.wsURL }

    func subscription(all: [String], added: [String], removed: [String], feed: VenueFeedConfig,
                      nextID: () -> Int) -> [ControlMessage] {
        var out: [ControlMessage] = []
        for chunk in removed.chunks(of: Self.argsPerRequest) {
            out.append(ControlMessage(text: OKXMessages.request("unsubscribe", channel: feed.feed, instIds: chunk)))
        }
        for chunk in added.chunks(of: Self.argsPerRequest) {
            out.append(ControlMessage(text: OKXMessages.request("subscribe", channel: feed.feed, instIds: chunk)))
        }
        return out
    }

    /// A break in the `books` chain: subscribing again brings a new snapshot.
    func resync(_ symbol: String, feed: VenueFeedConfig, nextID: () -> Int) -> [ControlMessage] {
        [ControlMessage(text: OKXMessages.request("unsubscribe", channel: feed.feed, instIds: [symbol])),
         ControlMessage(text: OKXMessages.request("subscribe", channel: feed.feed, instIds: [symbol]))]
    }

    /// OKX drops a connection that has been quiet for 30 s; `ping` well inside it.
    var keepalive: Keepalive { .text("ping", seconds: 20) }
    func parse(_ bytes: UnsafeRawBufferPointer) throws(FeedParseError) -> FeedMessage { try OKXMessages.parse(bytes) }
}

struct BybitAdapter: VenueAdapter {
    /// Bybit's spot streams take at most 10 topics a request.
    static let topicsPerRequest = 10

    func url(_ feed: VenueFeedConfig) -> String { feed.wsURL }

    func subscription(all: [String], added: [String], removed: [String], feed: VenueFeedConfig,
                      nextID: () -> Int) -> [ControlMessage] {
        let depth = Int(feed.feed) ?? 50
        var out: [ControlMessage] = []
        for chunk in BybitMessages.topics(removed, depth: depth).chunks(of: Self.topicsPerRequest) {
            out.append(ControlMessage(text: BybitMessages.request("unsubscribe", topics: chunk, id: nextID())))
        }
        for chunk in BybitMessages.topics(added, depth: depth).chunks(of: Self.topicsPerRequest) {
            out.append(ControlMessage(text: BybitMessages.request("subscribe", topics: chunk, id: nextID())))
        }
        return out
    }

    func resync(_ symbol: String, feed: VenueFeedConfig, nextID: () -> Int) -> [ControlMessage] {
        let topics = BybitMessages.topics([symbol], depth: Int(feed.feed) ?? 50)
        return [ControlMessage(text: BybitMessages.request("unsubscribe", topics: topics, id: nextID())),
                ControlMessage(text: BybitMessages.request("subscribe", topics: topics, id: nextID()))]
    }

    /// Bybit asks for a ping every 20 s.
    var keepalive: Keepalive { .text(BybitMessages.ping, seconds: 20) }
    func parse(_ bytes: UnsafeRawBufferPointer) throws(FeedParseError) -> FeedMessage { try BybitMessages.parse(bytes) }
}

extension Array {
    func chunks(of size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
