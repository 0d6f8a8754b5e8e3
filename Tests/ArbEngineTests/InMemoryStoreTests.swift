import ArbCore
import ArbEngine
import ArbTesting
import Testing

extension CampaignSuites {
@Suite struct InMemoryStoreTests {
    func record(_ id: String, _ status: CampaignStatus) -> CampaignRecord {
        CampaignRecord(id: id, name: nil, status: status, config: [:], createdAtNs: 0)
    }

    @Test func campaignsPageNewestFirstWithStatusFilter() async throws {
        let store = InMemoryCampaignStore()
        for i in 1...5 { try store.createCampaign(record("c\(i)", i % 2 == 0 ? .completed : .running)) }
        let first = try store.listCampaigns(status: nil, limit: 2, cursor: nil)
        #expect(first.items.map(\.id) == ["c5", "c4"])
        let second = try store.listCampaigns(status: nil, limit: 2, cursor: first.nextCursor)
        #expect(second.items.map(\.id) == ["c3", "c2"])
        let last = try store.listCampaigns(status: nil, limit: 2, cursor: second.nextCursor)
        #expect(last.items.map(\.id) == ["c1"] && last.nextCursor == nil)
        let running = try store.listCampaigns(status: .running, limit: 10, cursor: nil)
        #expect(running.items.map(\.id) == ["c5", "c3", "c1"] && running.nextCursor == nil)
        #expect(throws: StoreError.self) { try store.listCampaigns(status: nil, limit: 2, cursor: "garbage!") }
        try store.deleteCampaign(id: "c3")
        #expect(try store.listCampaigns(status: .running, limit: 10, cursor: nil).items.map(\.id) == ["c5", "c1"])
    }

    @Test func eventsFromARealCampaignListInOrderWithNewestVersions() async throws {
        let (result, recorder) = try await runCampaign(multi([
            "universe": ["top_n": 3], "strategy": ["entry_threshold_bps": -10],
            "session": ["clock": "simulated", "max_runtime_seconds": 300],
        ]))
        let store = InMemoryCampaignStore()
        try store.createCampaign(record("c", .completed))
        let c = recorder.snapshot
        try store.append(campaignId: "c", events: c.fills.map { .fill($0) } + c.trades.map { .trade($0) } + c.decisions.map { .decision($0) })
        try store.saveStats(campaignId: "c", stats: result.stats)

        // Pages of 7 walk every trade once, in entry order.
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try store.listTrades(campaignId: "c", symbol: nil, limit: 7, cursor: cursor)
            seen += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen == c.trades.map(\.id) && seen.count == result.stats.trades.opened)
        #expect(Set(seen).count == seen.count)
        let eth = try store.listTrades(campaignId: "c", symbol: "ETHUSDT", limit: 1000, cursor: nil)
        #expect(!eth.items.isEmpty && eth.items.allSatisfy { $0.route == "ETHUSDT" })
        // Closed trades show their final version in their first place.
        #expect(eth.items.allSatisfy { $0.status != .open })

        let rejected = try store.listDecisions(campaignId: "c", filter: DecisionFilter(outcome: .rejected), limit: 1000, cursor: nil)
        #expect(!rejected.items.isEmpty && rejected.items.allSatisfy { $0.outcome == .rejected && $0.tier != nil })
        let folded = rejected.items.reduce(0) { $0 + $1.count }
        let counted = result.stats.decisions.rejected.values.flatMap(\.values).reduce(0, +)
        #expect(folded == counted)
        let symbolTier = try store.listDecisions(campaignId: "c", filter: DecisionFilter(tier: .symbol), limit: 1000, cursor: nil)
        #expect(symbolTier.items.allSatisfy { $0.tier == .symbol })
        #expect(store.stats(campaignId: "c") == result.stats)
    }
}
}
