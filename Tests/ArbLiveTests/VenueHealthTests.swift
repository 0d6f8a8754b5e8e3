import ArbCore
import ArbEngine
import ArbHTTP
import ArbLive
import ArbMarketData
import ArbTestSupport
import ArbTesting
import Foundation
import MicroHTTPD
import Testing

/// The five venues played by local servers, and the service over them: real libmicrohttpd on a port from the
/// OS, the campaign manager on the live hub, `/venues` showing the hub's health.
final class LiveService: @unchecked Sendable {
    let servers: [Venue: FakeExchangeServer]
    let hub = LiveHub()
    let manager: CampaignManager
    let server: HTTPServer

    init() throws {
        var servers: [Venue: FakeExchangeServer] = [:]
        for (venue, flavor) in [(Venue.upbit, FakeExchangeServer.Flavor.upbit), (.binance, .binance), (.bithumb, .bithumb),
                                (.okx, .okx), (.bybit, .bybit)] {
            servers[venue] = try FakeExchangeServer(flavor: flavor)
        }
        self.servers = servers
        manager = CampaignManager(store: InMemoryCampaignStore(), sources: StandardSourceFactory(live: LiveSourceFactory(hub: hub)))
        var options = ControlAPI.Options(version: "test")
        options.feeds = hub.status
        let api = ControlAPI(manager: manager, options: options)
        var c = HTTPServer.Configuration()
        c.port = 0
        server = HTTPServer(configuration: c) { api.handle($0) }
        try server.start()
    }

    func shutdown() {
        server.stop()
        hub.shutdown()
        for s in servers.values { s.shutdown() }
    }

    /// `venue_config` pointing every venue at its server.
    var venueConfig: JSONValue {
        .object(Dictionary(uniqueKeysWithValues: servers.map { venue, s in (venue.rawValue, ["ws_url": .string(s.url + "/ws")] as JSONValue) }))
    }

    /// Answers wait up to a minute: a live campaign's creation has taken over ten seconds while the heaviest suites start.
    func call(_ method: String, _ target: String, json: String? = nil) async throws -> (status: Int, json: JSONValue) {
        let port = server.port
        let r = try await offPool {
            try RawClient.request(port: port, method, target, headers: json == nil ? [:] : ["Content-Type": "application/json"],
                                  body: Array((json ?? "").utf8), receiveTimeout: 60)
        }
        return (r.status, (try? JSONDecoder().decode(JSONValue.self, from: Data(r.body.utf8))) ?? .null)
    }

    func venue(_ name: String) async throws -> JSONValue { try await call("GET", "/venues/\(name)").json }
}

extension JSONValue {
    var rendered: String { (try? String(decoding: JSONEncoder().encode(self), as: UTF8.self)) ?? "" }
}

@Suite(.serialized) struct VenueHealthTests {
    /// Five venues live, routes on every KRW × USDT pair and two same-quote pairs. Every pair trades; OKX goes
    /// silent: `/venues` turns it `down` with its reason and entries on its routes are refused `venue_down`
    /// (the others trade on); its books come back and so do its entries.
    @Test func aSilentVenueGoesDownBlocksItsRoutesEntriesAndRecovers() async throws {
        let s = try LiveService()
        defer { s.shutdown() }
        let config: JSONValue = [
            "venues": ["upbit", "bithumb", "binance", "okx", "bybit"],
            "routes": ["pairs": ["upbit-binance", "upbit-okx", "upbit-bybit", "bithumb-binance", "bithumb-okx", "bithumb-bybit",
                                 "upbit-bithumb", "okx-bybit"]],
            "universe": ["mode": "FIXED_LIST", "whitelist": ["BTCUSDT", "ETHUSDT"]],
            "engine": ["mode": "multi", "multi_symbol_enabled": true],
            "session": ["clock": "realtime", "max_runtime_seconds": 120],
            "market_data": ["source": "live", "max_data_age_ms": 3000, "live": [
                "silence_seconds": 1, "reconnect_min_seconds": 0.05, "reconnect_max_seconds": 0.2,
            ]],
            "venue_config": s.venueConfig,
            "strategy": ["entry_threshold_bps": -500, "exit_threshold_bps": 10_000],
            "multi_symbol_risk_guard": ["cooldown_seconds": 0, "circuit_breaker_consecutive_losses": 1_000, "max_position_count": 100,
                                        "max_total_exposure_usd": 1_000_000, "total_capital_usd": 1_000_000],
        ]
        let id = try #require(try await s.call("POST", "/campaigns", json: config.rendered).json["id"]?.stringValue)
        func routes() async throws -> [String: Int] {
            let items = try await s.call("GET", "/campaigns/\(id)/routes").json["items"]?.arrayValue ?? []
            return Dictionary(uniqueKeysWithValues: items.compactMap { r in r["route"]?.stringValue.map { ($0, Int(r["trades"]?.intValue ?? 0)) } })
        }
        var trades: [String: Int] = [:]
        for _ in 0..<200 where trades.count != 16 || trades.values.contains(0) {
            trades = try await routes()
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(trades.count == 16 && !trades.values.contains(0), "every pair trades: \(trades)")
        // Up (healthy, or degraded when a loaded machine made a connection reconnect within the minute).
        let up = try await s.venue("okx")["health"]
        #expect(up?["state"] == "healthy" || up?["state"] == "degraded", "\(up ?? .null)")

        s.servers[.okx]!.setSilent(true)
        var okx = JSONValue.null
        for _ in 0..<100 {
            okx = try await s.venue("okx")
            if okx["health"]?["state"] == "down" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(okx["health"]?["state"] == "down")
        #expect(okx["health"]?["reason"]?.stringValue?.hasPrefix("no book for ") == true, "\(okx)")
        #expect(try await s.venue("bybit")["health"]?["state"] != "down")
        // Entries on OKX's routes are refused with the venue's reason while it is down.
        // (On a loaded machine another venue may also be judged down for a moment: only OKX's refusals are read.)
        var refused: [JSONValue] = []
        for _ in 0..<50 where refused.isEmpty {
            let decisions = try await s.call("GET", "/campaigns/\(id)/decisions?limit=1000&outcome=rejected").json["items"]?.arrayValue ?? []
            refused = decisions.filter { $0["reason"] == "venue_down" && $0["detail"]?.stringValue?.hasPrefix("okx feed down") == true }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!refused.isEmpty)
        #expect(refused.allSatisfy { $0["tier"] == "data" && ($0["route"]?.stringValue?.contains("okx") == true) })
        #expect(refused.first?["detail"]?.stringValue?.hasPrefix("okx feed down: no book for") == true, "\(refused.first ?? .null)")
        let before = try await routes()

        s.servers[.okx]!.setSilent(false)
        for _ in 0..<100 {
            okx = try await s.venue("okx")
            if okx["health"]?["state"] != "down" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        // Back, and degraded for a minute by the reconnects the silence caused.
        #expect(okx["health"]?["state"] == "degraded" && okx["health"]?["reconnects_1m"]?.intValue ?? 0 > 0, "\(okx)")
        var after = before
        for _ in 0..<100 where (after["BTCUSDT@bithumb-okx"] ?? 0) <= (before["BTCUSDT@bithumb-okx"] ?? 0) {
            after = try await routes()
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect((after["BTCUSDT@bithumb-okx"] ?? 0) > (before["BTCUSDT@bithumb-okx"] ?? 0), "OKX routes trade again")
        #expect(try await s.call("POST", "/campaigns/\(id)/stop").status == 200)
    }

    /// A market that never sends (KRW-SOL suspended on Bithumb): the campaign starts with the routes whose books
    /// came, `/stats` answers at once and names the market and its route as waiting, `/venues` says why Bithumb is
    /// degraded; when SOL's book comes its route trades; `POST /stop` answers within a second.
    @Test func aMarketThatNeverSendsLeavesItsRouteWaitingAndTheRestRuns() async throws {
        let s = try LiveService()
        defer { s.shutdown() }
        s.servers[.bithumb]!.mute("KRW-SOL")
        let config: JSONValue = [
            "venues": ["bithumb", "okx"],
            "universe": ["mode": "FIXED_LIST", "whitelist": ["BTCUSDT", "SOLUSDT"]],
            "engine": ["mode": "multi", "multi_symbol_enabled": true],
            "session": ["clock": "realtime", "max_runtime_seconds": 120],
            "market_data": ["source": "live", "live": ["silence_seconds": 1, "reconnect_min_seconds": 0.05, "reconnect_max_seconds": 0.2]],
            "venue_config": s.venueConfig,
            "strategy": ["entry_threshold_bps": -500, "exit_threshold_bps": 10_000],
            "multi_symbol_risk_guard": ["cooldown_seconds": 0, "circuit_breaker_consecutive_losses": 1_000],
        ]
        let posted = Date()
        let id = try #require(try await s.call("POST", "/campaigns", json: config.rendered).json["id"]?.stringValue)
        var stats = try await s.call("GET", "/campaigns/\(id)/stats")
        while stats.status != 200 && Date().timeIntervalSince(posted) < 5 {
            try await Task.sleep(for: .milliseconds(20))
            stats = try await s.call("GET", "/campaigns/\(id)/stats")
        }
        #expect(stats.status == 200 && Date().timeIntervalSince(posted) < 2, "stats within the first seconds")
        #expect(stats.json.at("market_data.waiting_markets") == ["bithumb:KRW-SOL"])
        #expect(stats.json.at("market_data.waiting_routes") == ["SOLUSDT@bithumb-okx"])
        // Bithumb is degraded once the market has been silent past the limit, and says which.
        var bithumb = JSONValue.null
        for _ in 0..<50 {
            bithumb = try await s.venue("bithumb")
            if bithumb["health"]?["state"] == "degraded" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(bithumb["health"]?["markets_without_book"] == ["KRW-SOL"], "\(bithumb)")
        #expect(bithumb["health"]?["reason"]?.stringValue?.contains("no book yet from KRW-SOL") == true)
        var trades: [String: Int] = [:]
        for _ in 0..<100 where (trades["BTCUSDT@bithumb-okx"] ?? 0) == 0 {
            let items = try await s.call("GET", "/campaigns/\(id)/routes").json["items"]?.arrayValue ?? []
            for r in items { if let k = r["route"]?.stringValue { trades[k] = Int(r["trades"]?.intValue ?? 0) } }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect((trades["BTCUSDT@bithumb-okx"] ?? 0) > 0 && trades["SOLUSDT@bithumb-okx"] == 0)

        s.servers[.bithumb]!.unmute("KRW-SOL")
        for _ in 0..<100 where (trades["SOLUSDT@bithumb-okx"] ?? 0) == 0 {
            let items = try await s.call("GET", "/campaigns/\(id)/routes").json["items"]?.arrayValue ?? []
            for r in items { if let k = r["route"]?.stringValue { trades[k] = Int(r["trades"]?.intValue ?? 0) } }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect((trades["SOLUSDT@bithumb-okx"] ?? 0) > 0, "SOL joins when its book comes")
        #expect(try await s.call("GET", "/campaigns/\(id)/stats").json.at("market_data.waiting_markets") == [])

        let stopAt = Date()
        let stopped = try await s.call("POST", "/campaigns/\(id)/stop")
        #expect(stopped.status == 200 && stopped.json["status"] == "stopped")
        #expect(Date().timeIntervalSince(stopAt) < 1, "POST /stop answers within a second")
    }

    /// A campaign whose books never come at all still starts, answers and stops at once.
    @Test func stopAnswersAtOnceWhenNoBookEverCame() async throws {
        let s = try LiveService()
        defer { s.shutdown() }
        s.servers[.okx]!.setSilent(true)
        let config: JSONValue = [
            "venues": ["bithumb", "okx"], "universe": ["mode": "FIXED_LIST", "whitelist": ["BTCUSDT"]],
            "session": ["clock": "realtime", "max_runtime_seconds": 120],
            "market_data": ["source": "live"], "venue_config": s.venueConfig,
        ]
        // Stopped the moment it was posted, still within its start.
        let first = try #require(try await s.call("POST", "/campaigns", json: config.rendered).json["id"]?.stringValue)
        var stopAt = Date()
        var stopped = try await s.call("POST", "/campaigns/\(first)/stop")
        #expect(stopped.status == 200 && stopped.json["status"] == "stopped", "\(stopped.json)")
        #expect(Date().timeIntervalSince(stopAt) < 1.5, "stop during the start answers at once")
        // Running with its only route waiting for a book that never comes.
        let id = try #require(try await s.call("POST", "/campaigns", json: config.rendered).json["id"]?.stringValue)
        var waiting = JSONValue.null
        for _ in 0..<200 {
            waiting = try await s.call("GET", "/campaigns/\(id)/stats").json.at("market_data.waiting_markets") ?? .null
            if waiting == ["okx:BTC-USDT"] { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(waiting == ["okx:BTC-USDT"], "Bithumb's book came, OKX's never does")
        stopAt = Date()
        stopped = try await s.call("POST", "/campaigns/\(id)/stop")
        #expect(stopped.status == 200 && stopped.json["status"] == "stopped", "\(stopped.json)")
        #expect(Date().timeIntervalSince(stopAt) < 1.5, "stop while waiting answers at once")
        let stats = try await s.call("GET", "/campaigns/\(id)/stats").json
        #expect(stats.at("market_data.waiting_markets") == ["okx:BTC-USDT"] && stats["status"] == "stopped", "\(stats)")
    }
}
