import ArbCore
import ArbEngine
import ArbLive
import ArbMarketData
import ArbMetrics
import ArbTestSupport
import Foundation
import Testing

/// Bithumb, OKX and Bybit played by local servers, with a live source reading BTC, ETH and SOL on
/// bithumb–okx and bithumb–bybit (10 markets: Bithumb's KRW-USDT and three books per venue).
final class NewVenues: @unchecked Sendable {
    let bithumb: FakeExchangeServer
    let okx: FakeExchangeServer
    let bybit: FakeExchangeServer
    let hub = LiveHub()
    var source: any ScheduledMarketSource
    let names: MarketMap
    let store: SnapshotStore

    static let whitelist: [JSONValue] = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]

    func server(_ venue: Venue) -> FakeExchangeServer { venue == .bithumb ? bithumb : venue == .okx ? okx : bybit }

    /// The config of a live campaign on the three servers.
    static func config(bithumb: FakeExchangeServer, okx: FakeExchangeServer, bybit: FakeExchangeServer,
                       okxFeed: String = "books", silence: Double = 15, maxAge: Double = 84_600,
                       extra: [String: JSONValue] = [:]) -> JSONValue {
        var o: [String: JSONValue] = [
            "venues": ["bithumb", "okx", "bybit"],
            "universe": ["mode": "FIXED_LIST", "whitelist": .array(whitelist)],
            "engine": ["mode": "multi", "multi_symbol_enabled": true],
            "session": ["clock": "realtime"],
            "market_data": ["source": "live", "live": [
                "silence_seconds": .double(silence), "reconnect_min_seconds": 0.05, "reconnect_max_seconds": 0.2,
                "connection_max_age_seconds": .double(maxAge),
            ]],
            "venue_config": [
                "bithumb": ["ws_url": .string(bithumb.url + "/websocket/v1")],
                "okx": ["ws_url": .string(okx.url + "/ws/v5/public"), "feed": .string(okxFeed)],
                "bybit": ["ws_url": .string(bybit.url + "/v5/public/spot")],
            ],
        ]
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    init(okxFeed: String = "books", silence: Double = 15) throws {
        bithumb = try FakeExchangeServer(flavor: .bithumb)
        okx = try FakeExchangeServer(flavor: .okx)
        bybit = try FakeExchangeServer(flavor: .bybit)
        let config = try CampaignConfig.parse(Self.config(bithumb: bithumb, okx: okx, bybit: bybit, okxFeed: okxFeed, silence: silence))
        let members = try UniverseResolver.resolve(config.universe, engine: config.engine, listing: SyntheticListing.listing(symbolCount: 0),
                                                   pairs: config.routePairs)
        source = try LiveSourceFactory(hub: hub).makeSource(members: members, config: config, startNs: MonotonicClock.wallNanoseconds())
        names = MarketMap(venues: config.venues, routes: members.map(\.route))
        store = SnapshotStore(marketCount: names.count)
    }

    func pump(seconds: Double, until: () -> Bool = { false }) async -> Int {
        await ArbLiveTests.pump(&source, store, seconds: seconds, until: until)
    }

    /// Every market's sequence now.
    var sequences: [UInt64] { (0..<names.count).map { store.sequence($0) } }

    func allFresherThan(_ before: [UInt64]) -> Bool { (0..<names.count).allSatisfy { store.sequence($0) > before[$0] } }

    func market(_ venue: Venue, _ symbol: String) -> Int { names.keys.firstIndex { $0.venue == venue && $0.symbol == symbol }! }

    func shutdown() {
        hub.shutdown()
        for s in [bithumb, okx, bybit] { s.shutdown() }
    }
}

@Suite(.serialized) struct VenueFeedTests {
    static func started(okxFeed: String = "books", silence: Double = 15) async throws -> NewVenues {
        let v = try NewVenues(okxFeed: okxFeed, silence: silence)
        let zero = [UInt64](repeating: 0, count: v.names.count)
        _ = await v.pump(seconds: 30) { v.allFresherThan(zero) }
        return v
    }

    @Test func everySubscribedBookReachesTheStoreThroughEachVenuesHandshake() async throws {
        let v = try await Self.started()
        defer { v.shutdown() }
        #expect(v.names.count == 10)
        for market in 0..<v.names.count { #expect(v.store.sequence(market) > 0, "no book for \(v.names.keys[market])") }
        // Bithumb: KRW around 1,400 × the fixture price; OKX and Bybit: USDT around it.
        let krwBTC = v.store.read(v.market(.bithumb, "KRW-BTC"))
        #expect(krwBTC.bids.count == 15 && abs(krwBTC.mid - 140_000_000) < 20_000)
        #expect(abs(v.store.read(v.market(.bithumb, "KRW-USDT")).mid - 1_401) < 1)
        let okxETH = v.store.read(v.market(.okx, "ETH-USDT"))
        // Updates take the fifth bid away and bring it back.
        #expect(okxETH.asks.count == 20 && okxETH.bids.count >= 19 && abs(okxETH.mid - 3_000) < 1)
        let bybitSOL = v.store.read(v.market(.bybit, "SOLUSDT"))
        #expect(bybitSOL.asks.count == 20 && bybitSOL.exchangeTimeNs > 0)

        let b = try #require(v.bithumb.connections.first)
        #expect(b.path == "/websocket/v1" && !b.headers.contains { $0.0.lowercased() == "origin" })
        #expect(try #require(b.requests.last).contains(#"{"type":"orderbook","codes":["KRW-USDT","KRW-BTC","KRW-ETH","KRW-SOL"]},{"format":"SIMPLE"}"#))
        let o = try #require(v.okx.connections.first)
        #expect(o.path == "/ws/v5/public" && o.subscribedChannel == "books")
        #expect(o.requests.first == #"{"op":"subscribe","args":[{"channel":"books","instId":"BTC-USDT"},{"channel":"books","instId":"ETH-USDT"},{"channel":"books","instId":"SOL-USDT"}]}"#)
        let y = try #require(v.bybit.connections.first)
        #expect(y.path == "/v5/public/spot")
        #expect(y.requests.first == #"{"req_id":"1","op":"subscribe","args":["orderbook.50.BTCUSDT","orderbook.50.ETHUSDT","orderbook.50.SOLUSDT"]}"#)
        for venue in [Venue.bithumb, .okx, .bybit] {
            #expect(v.hub.status[venue].connected.load(ordering: .relaxed) == 1)
            #expect(v.hub.status[venue].parseErrors.load(ordering: .relaxed) == 0)
            #expect(v.hub.status[venue].sequenceGaps.load(ordering: .relaxed) == 0)
        }
    }

    /// OKX `books5` (a full book per push) reads the same markets.
    @Test func okxBooks5() async throws {
        let v = try await Self.started(okxFeed: "books5")
        defer { v.shutdown() }
        let btc = v.store.read(v.market(.okx, "BTC-USDT"))
        #expect(btc.bids.count == 5 && abs(btc.mid - 100_000) < 1)
        #expect(v.okx.connections.first?.subscribedChannel == "books5")
    }

    /// Keepalives: OKX's text `ping` and Bybit's `{"op":"ping"}` are sent and answered, Bithumb gets websocket
    /// pings; none of the answers is a parse error.
    @Test func heartbeatsGoOutAndTheirAnswersAreRead() async throws {
        // Pings go out once per silence window: 1.5 s makes two of each in about 3 s, and is long enough that
        // a loaded machine's stall in the servers' books does not trip the watchdog and count a reconnect.
        let v = try await Self.started(silence: 1.5)
        defer { v.shutdown() }
        _ = await v.pump(seconds: 30) {
            (v.okx.connections.first?.textPings ?? 0) >= 2 && (v.bybit.connections.first?.textPings ?? 0) >= 2
                && (v.bithumb.connections.first?.framePings ?? 0) >= 2
        }
        #expect((v.okx.connections.first?.textPings ?? 0) >= 2)
        #expect((v.bybit.connections.first?.textPings ?? 0) >= 2)
        #expect((v.bithumb.connections.first?.framePings ?? 0) >= 2)
        for venue in [Venue.bithumb, .okx, .bybit] {
            #expect(v.hub.status[venue].parseErrors.load(ordering: .relaxed) == 0, "\(venue)")
            #expect(v.hub.status[venue].reconnects.load(ordering: .relaxed) == 0, "\(venue)")
        }
    }

    /// A skipped sequence number (OKX `prevSeqId`, Bybit `u`) drops that book and subscribes it again: a new
    /// snapshot comes and books flow on.
    @Test(arguments: [Venue.okx, Venue.bybit])
    func aSequenceGapResyncsTheBook(venue: Venue) async throws {
        let v = try await Self.started()
        defer { v.shutdown() }
        let server = v.server(venue)
        server.skipSequence()
        let counters = v.hub.status[venue]
        #expect(await eventually(30) { counters.resyncs.load(ordering: .relaxed) == 1 })
        #expect(counters.sequenceGaps.load(ordering: .relaxed) == 1)
        // One symbol was subscribed again and got its second snapshot; the connection stayed.
        #expect(await eventually(30) { server.connections.first?.snapshots.values.contains(2) == true })
        #expect(server.connections.count == 1 && counters.reconnects.load(ordering: .relaxed) == 0)
        let before = v.sequences
        _ = await v.pump(seconds: 30) { v.allFresherThan(before) }
        #expect(v.allFresherThan(before))
        #expect(counters.sequenceGaps.load(ordering: .relaxed) == 1, "the new snapshot restarted the chain")
    }

    @Test func aDropReconnectsAndResubscribesEveryVenue() async throws {
        let v = try await Self.started()
        defer { v.shutdown() }
        for s in [v.bithumb, v.okx, v.bybit] { s.dropAll() }
        #expect(await eventually(30) {
            [v.bithumb, v.okx, v.bybit].allSatisfy { $0.connections.count == 2 && $0.openConnections.count == 1 && $0.connections[1].symbols.count >= 3 }
        })
        let before = v.sequences
        _ = await v.pump(seconds: 30) { v.allFresherThan(before) }
        #expect(v.allFresherThan(before))
        for venue in [Venue.bithumb, .okx, .bybit] { #expect(v.hub.status[venue].reconnects.load(ordering: .relaxed) == 1, "\(venue)") }
    }

    /// A server that stops sending books but still answers pings is silent all the same: the watchdog closes it.
    @Test(arguments: [Venue.bithumb, Venue.okx, Venue.bybit])
    func silenceTripsTheWatchdog(venue: Venue) async throws {
        let v = try await Self.started(silence: 0.5)
        defer { v.shutdown() }
        let server = v.server(venue)
        server.setSilent(true)
        #expect(await eventually(30) { server.connections.count >= 2 && !server.connections[0].isOpen })
        #expect(v.hub.status[venue].reconnects.load(ordering: .relaxed) >= 1)
        server.setSilent(false)
        let market = v.market(venue, venue == .bithumb ? "KRW-BTC" : venue == .okx ? "BTC-USDT" : "BTCUSDT")
        let before = v.store.sequence(market)
        _ = await v.pump(seconds: 30) { v.store.sequence(market) > before }
        #expect(v.store.sequence(market) > before)
    }

    @Test func garbageIsCountedAndDropped() async throws {
        let v = try await Self.started()
        defer { v.shutdown() }
        for s in [v.bithumb, v.okx, v.bybit] { s.sendGarbage(6) }
        for venue in [Venue.bithumb, .okx, .bybit] {
            #expect(await eventually(15) { v.hub.status[venue].parseErrors.load(ordering: .relaxed) == 6 }, "\(venue)")
        }
        let before = v.sequences
        _ = await v.pump(seconds: 30) { v.allFresherThan(before) }
        #expect(v.allFresherThan(before))
        for venue in [Venue.bithumb, .okx, .bybit] { #expect(v.hub.status[venue].reconnects.load(ordering: .relaxed) == 0) }
    }
}
