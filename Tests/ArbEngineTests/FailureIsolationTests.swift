import ArbCore
import ArbEngine
import ArbTesting
import ArbMarketData
import Testing

/// A synthetic market that, from `breakAtNs` on, writes a book with a zero bid for one route's Upbit market.
struct BreakingSource: ScheduledMarketSource {
    var inner: SyntheticMarket
    let brokenMarket: Int
    let breakAtNs: Int64

    var nextTimeNs: Int64? { inner.nextTimeNs }

    mutating func emit(into store: SnapshotStore) -> Int {
        let t = inner.nextTimeNs ?? 0
        let market = inner.emit(into: store)
        if market == brokenMarket && t >= breakAtNs {
            store.write(market) { $0.bids.prices[0] = 0 }
        }
        return market
    }

    func checkpointState() throws -> [UInt8] { try inner.checkpointState() }
}

struct BreakingFactory: MarketSourceFactory {
    let route: Int
    let afterSeconds: Double

    func makeSource(members: [UniverseMember], config: CampaignConfig, startNs: Int64) throws(ConfigError) -> any ScheduledMarketSource {
        let inner = try SyntheticSourceFactory().makeSource(members: members, config: config, startNs: startNs) as! SyntheticMarket
        return BreakingSource(inner: inner, brokenMarket: MarketMap(config: config, routes: members.map(\.route)).routes[route].a,
                              breakAtNs: startNs + Int64(afterSeconds * 1e9))
    }

    func restoreSource(members: [UniverseMember], config: CampaignConfig, startNs: Int64,
                       state: [UInt8]) throws -> any ScheduledMarketSource {
        fatalError("not used")
    }

    func syntheticListing(config: CampaignConfig) throws(ConfigError) -> [ListingEntry] {
        try SyntheticSourceFactory().syntheticListing(config: config)
    }
}

extension CampaignSuites {
@Suite struct FailureIsolationTests {
    @Test func aFailingRouteLeavesTheOthersRunning() async throws {
        let (result, _) = try await runCampaign(multi([
            "universe": ["top_n": 3], "session": ["clock": "simulated", "max_runtime_seconds": 120],
        ]), sources: BreakingFactory(route: 1, afterSeconds: 30))
        let s = result.stats
        #expect(s.status == "completed" && s.stopReason == "runtime")
        let failed = s.failedRoutes
        #expect(failed.count == 1 && failed[0].symbol == "ETHUSDT")
        #expect(failed[0].error.contains("non-positive price"))
        let eth = (s.perSymbol["ETHUSDT"]?.iterations ?? -1), btc = (s.perSymbol["BTCUSDT"]?.iterations ?? -1)
        #expect(eth > 100 && btc > 3 * eth)  // ETH stopped at 30 s, BTC went on to 120 s
    }

    @Test func withoutIsolationTheCampaignFails() async throws {
        let (result, _) = try await runCampaign([
            "engine": ["mode": "multi", "multi_symbol_enabled": true, "per_symbol_isolation": false],
            "universe": ["top_n": 3], "session": ["clock": "simulated", "max_runtime_seconds": 120],
        ], sources: BreakingFactory(route: 1, afterSeconds: 30))
        #expect(result.stats.status == "failed" && result.stats.stopReason == "route_failed")
        #expect(result.stats.runtimeSeconds < 31)
    }

    @Test func realtimeRoutesAreIsolatedToo() async throws {
        let (result, _) = try await runCampaign(multi([
            "universe": ["top_n": 3], "market_data": ["updates_per_second": 50],
            "session": ["clock": "realtime", "max_runtime_seconds": 1.5],
        ]), sources: BreakingFactory(route: 0, afterSeconds: 0.3))
        let s = result.stats
        #expect(s.status == "completed")
        #expect(s.failedRoutes.map(\.symbol) == ["BTCUSDT"])
        #expect((s.perSymbol["ETHUSDT"]?.iterations ?? -1) > (s.perSymbol["BTCUSDT"]?.iterations ?? -1))
    }
}
}
