import ArbCore
import ArbEngine
import ArbTesting
import ArbStore
import Foundation
import Synchronization
import Testing

@Suite(.serialized) struct SQLiteCampaignStoreTests {
    static func path() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("arb-store-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("arbitrage.sqlite").path
    }

    func record(_ id: String, _ status: CampaignStatus) -> CampaignRecord {
        CampaignRecord(id: id, name: "n-\(id)", status: status, config: ["universe": ["top_n": 3]], createdAtNs: 7)
    }

    @Test func campaignsListNewestFirstAndSurviveReopening() async throws {
        let path = Self.path()
        do {
            let store = try SQLiteCampaignStore(path: path)
            for i in 1...5 { try await store.createCampaign(record("c\(i)", i % 2 == 0 ? .completed : .running)) }
            await #expect(throws: StoreError(.exists, "campaign c1 exists")) { try await store.createCampaign(record("c1", .running)) }
        }
        let store = try SQLiteCampaignStore(path: path)
        let first = try store.listCampaigns(status: nil, limit: 2, cursor: nil)
        #expect(first.items.map(\.id) == ["c5", "c4"])
        let second = try store.listCampaigns(status: nil, limit: 2, cursor: first.nextCursor)
        #expect(second.items.map(\.id) == ["c3", "c2"])
        let last = try store.listCampaigns(status: nil, limit: 2, cursor: second.nextCursor)
        #expect(last.items.map(\.id) == ["c1"] && last.nextCursor == nil)
        #expect(try store.listCampaigns(status: .running, limit: 10, cursor: nil).items.map(\.id) == ["c5", "c3", "c1"])
        #expect(try store.campaign(id: "c2") == record("c2", .completed))
        #expect { try store.listCampaigns(status: nil, limit: 2, cursor: "nope") } throws: { ($0 as? StoreError)?.code == .invalidCursor }
        await #expect { try await store.updateConfig(campaignId: "nope", config: [:]) } throws: { ($0 as? StoreError)?.code == .notFound }
        // Campaigns a previous process left running are interrupted at start.
        #expect(try await store.markRunningInterrupted() == ["c1", "c3", "c5"])
        #expect(try store.campaign(id: "c3")?.status == .interrupted)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func aCampaignsEventsListInOrderWithNewestVersionsAndGoWithIt() async throws {
        let (events, stats) = try await Self.campaignEvents()
        let store = try SQLiteCampaignStore(path: Self.path())
        try await store.createCampaign(record("c", .completed))
        // In batches, as the service's writer hands them over.
        for batch in stride(from: 0, to: events.count, by: 50) {
            try await store.append(campaignId: "c", events: Array(events[batch..<min(batch + 50, events.count)]))
        }
        try await store.saveStats(campaignId: "c", stats: stats)

        var trades: [TradeRecord] = []
        var cursor: String?
        repeat {
            let page = try store.listTrades(campaignId: "c", symbol: nil, limit: 7, cursor: cursor)
            trades += page.items
            cursor = page.nextCursor
        } while cursor != nil
        #expect(trades.count == stats.trades.opened)
        #expect(Set(trades.map(\.id)).count == trades.count)
        #expect(trades.map(\.id) == trades.map(\.id).sorted())  // entry order
        #expect(trades.allSatisfy { $0.status != .open })  // the closing version replaced the opening one in place
        let eth = try store.listTrades(campaignId: "c", symbol: "ETHUSDT", limit: 1000, cursor: nil).items
        #expect(!eth.isEmpty && eth.allSatisfy { $0.route == "ETHUSDT" })
        let rejected = try store.listDecisions(campaignId: "c", filter: DecisionFilter(outcome: .rejected), limit: 1000, cursor: nil).items
        let counted = stats.decisions.rejected.values.flatMap(\.values).reduce(0, +)
        #expect(rejected.reduce(0) { $0 + $1.count } == counted)
        let symbolTier = try store.listDecisions(campaignId: "c", filter: DecisionFilter(tier: .symbol), limit: 1000, cursor: nil).items
        #expect(!symbolTier.isEmpty && symbolTier.allSatisfy { $0.tier == .symbol })
        let fills = try store.listFills(campaignId: "c", limit: 1000, cursor: nil).items
        #expect(fills.count == events.filter { if case .fill = $0 { return true }; return false }.count)
        #expect(try store.stats(campaignId: "c") == stats)
        // The wire form is the stored text itself: it reads back to the same report.
        let text = try #require(try store.statsJSON(campaignId: "c"))
        #expect(try JSONTree.decode(StatsReport.self, from: try JSONValue(parsing: text)) == stats)

        try await store.deleteCampaign(id: "c")
        #expect(try store.campaign(id: "c") == nil)
        #expect(try store.listTrades(campaignId: "c", symbol: nil, limit: 10, cursor: nil).items.isEmpty)
        #expect(try store.stats(campaignId: "c") == nil)
        await #expect(throws: StoreError.self) { try await store.deleteCampaign(id: "c") }
    }

    @Test func aCheckpointAndItsEventsCommitTogether() async throws {
        let checkpoint = try await Self.lastCheckpoint()
        let store = try SQLiteCampaignStore(path: Self.path())
        try await store.createCampaign(record(checkpoint.campaignId, .running))
        let (events, _) = try await Self.campaignEvents()
        try await store.saveCheckpoint(checkpoint, events: Array(events.prefix(20)))
        #expect(try store.latestCheckpoint(campaignId: checkpoint.campaignId) == checkpoint)
        // The source's state is stored as base64; checkpoints that hold it as an array of byte values still read.
        let encoded = try JSONValue(parsing: Array(try JSONEncoder().encode(checkpoint)))
        #expect(encoded["source"]?.stringValue == Base64.encode(checkpoint.source))
        guard case .object(var legacy) = encoded else { Issue.record("not an object"); return }
        legacy["source"] = .array(checkpoint.source.map { .int(Int64($0)) })
        #expect(try JSONDecoder().decode(CampaignCheckpoint.self, from: Data(JSONValue.object(legacy).renderedBytes())) == checkpoint)
        legacy["source"] = "not base64!"
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CampaignCheckpoint.self, from: Data(JSONValue.object(legacy).renderedBytes()))
        }
        #expect(try store.listFills(campaignId: checkpoint.campaignId, limit: 100, cursor: nil).items.count
                == events.prefix(20).filter { if case .fill = $0 { return true }; return false }.count)
        // A checkpoint for a campaign that does not exist is refused whole: no event of it is stored.
        var orphan = checkpoint
        orphan.campaignId = "missing"
        await #expect(throws: StoreError.self) { try await store.saveCheckpoint(orphan, events: Array(events.prefix(5))) }
        #expect(try store.listFills(campaignId: "missing", limit: 10, cursor: nil).items.isEmpty)
    }

    /// Records are read through a cache: every kind of write shows in the very next read of a record read before.
    @Test func everyWriteShowsInTheNextReadOfACachedRecord() async throws {
        let checkpoint = try await Self.lastCheckpoint()
        let id = checkpoint.campaignId
        let store = try SQLiteCampaignStore(path: Self.path())
        try await store.createCampaign(record(id, .running))
        #expect(try store.campaign(id: id)?.config == ["universe": ["top_n": 3]])
        try await store.updateConfig(campaignId: id, config: ["universe": ["top_n": 5]])
        #expect(try store.campaign(id: id)?.config == ["universe": ["top_n": 5]])
        var renamed = record(id, .running)
        renamed.name = "renamed"
        try await store.updateCampaign(renamed)
        #expect(try store.campaign(id: id)?.name == "renamed")
        #expect(try store.campaign(id: id)?.checkpoint == nil)
        try await store.saveCheckpoint(checkpoint, events: [])
        #expect(try store.campaign(id: id)?.checkpoint?.sequence == checkpoint.sequence)
        #expect(try await store.markRunningInterrupted() == [id])
        #expect(try store.campaign(id: id)?.status == .interrupted)
        try await store.finishCampaign(record(id, .completed), events: [], stats: nil)
        let finished = try store.campaign(id: id)
        #expect(finished?.status == .completed && finished?.checkpoint == nil)
        try await store.deleteCampaign(id: id)
        #expect(try store.campaign(id: id) == nil)
        // A failed write leaves what was read before as it was.
        try await store.createCampaign(record("kept", .running))
        #expect(try store.campaign(id: "kept")?.status == .running)
        await #expect(throws: StoreError.self) { try await store.createCampaign(record("kept", .completed)) }
        #expect(try store.campaign(id: "kept")?.status == .running)
    }

    /// The last checkpoint of a two-minute simulated campaign of two routes (one every 30 s).
    static func lastCheckpoint() async throws -> CampaignCheckpoint {
        let config = try CampaignConfig.parse(["universe": ["top_n": 2], "engine": ["mode": "multi", "multi_symbol_enabled": true],
                                               "session": ["clock": "simulated", "max_runtime_seconds": 120, "checkpoint_seconds": 30]])
        let taken = Mutex<[CampaignCheckpoint]>([])
        _ = try await Campaign(config: config).run { cp in taken.withLock { $0.append(cp) } }
        return try #require(taken.withLock { $0.last })
    }

    /// A short simulated campaign's events and stats.
    static func campaignEvents() async throws -> ([CampaignEvent], StatsReport) {
        let config = try CampaignConfig.parse(["universe": ["top_n": 3], "engine": ["mode": "multi", "multi_symbol_enabled": true],
                                               "strategy": ["entry_threshold_bps": -10],
                                               "session": ["clock": "simulated", "max_runtime_seconds": 300]])
        let recorder = StoreRecorder()
        let result = try await Campaign(config: config, recorder: recorder).run()
        return (recorder.drain(), result.stats)
    }

    @Test func endingsCommitWholeAndReadsCarryTheCheckpoint() async throws {
        let config = try CampaignConfig.parse(["universe": ["top_n": 2], "engine": ["mode": "multi", "multi_symbol_enabled": true],
                                               "session": ["clock": "simulated", "max_runtime_seconds": 120, "checkpoint_seconds": 30]])
        let taken = Mutex<[CampaignCheckpoint]>([])
        _ = try await Campaign(config: config).run { cp in taken.withLock { $0.append(cp) } }
        let checkpoint = try #require(taken.withLock { $0.last })
        let (events, stats) = try await Self.campaignEvents()
        let path = Self.path()
        let store = try SQLiteCampaignStore(path: path)
        let id = checkpoint.campaignId
        try await store.createCampaign(record(id, .running))
        #expect(try store.campaign(id: id)?.checkpoint == nil)

        // Interrupted: checkpoint, events, stats and record together; reads say where a resume starts.
        var interrupted = record(id, .interrupted)
        interrupted.stopReason = .interrupted
        try await store.interruptCampaign(interrupted, checkpoint: checkpoint, events: Array(events.prefix(10)), stats: stats)
        let read = try #require(try store.campaign(id: id))
        #expect(read.status == .interrupted && read.checkpoint?.sequence == checkpoint.sequence
                && read.checkpoint?.timeNs == checkpoint.timeNs && (read.checkpoint?.savedAtNs ?? 0) > 0)
        #expect(try store.listCampaigns(status: .interrupted, limit: 5, cursor: nil).items.first?.checkpoint == read.checkpoint)
        // Writing the record again leaves the checkpoint to its own table.
        try await store.updateCampaign(read)
        #expect(try store.campaign(id: id)?.checkpoint == read.checkpoint)

        // Finished: the rest of the events, final stats and record; the checkpoint goes.
        var done = record(id, .completed)
        done.finishedAtNs = 1_000
        try await store.finishCampaign(done, events: Array(events.dropFirst(10)), stats: stats)
        let finished = try #require(try store.campaign(id: id))
        #expect(finished.status == .completed && finished.checkpoint == nil)
        #expect(try store.latestCheckpoint(campaignId: id) == nil)
        #expect(try store.stats(campaignId: id) == stats)
        let fills = events.filter { if case .fill = $0 { return true }; return false }.count
        #expect(try store.listFills(campaignId: id, limit: 10_000, cursor: nil).items.count == fills)

        // A PATCH landing as the campaign ends replaces the config only: the final status stands.
        try await store.updateConfig(campaignId: id, config: ["strategy": ["entry_threshold_bps": 42]])
        let patched = try #require(try store.campaign(id: id))
        #expect(patched.status == .completed && patched.config == ["strategy": ["entry_threshold_bps": 42]])
        await #expect(throws: StoreError.self) { try await store.updateConfig(campaignId: "ghost", config: [:]) }

        // An ending for a campaign that does not exist is refused whole.
        await #expect(throws: StoreError.self) {
            try await store.finishCampaign(self.record("ghost", .completed), events: Array(events.prefix(5)), stats: stats)
        }
        #expect(try store.listFills(campaignId: "ghost", limit: 10, cursor: nil).items.isEmpty)
        #expect(try store.stats(campaignId: "ghost") == nil)
    }

    @Test func pruningDeletesOnlyFinishedCampaignsPastTheCutoffWithTheirRows() async throws {
        let store = try SQLiteCampaignStore(path: Self.path())
        let (events, stats) = try await Self.campaignEvents()
        for (id, status, end) in [("old", CampaignStatus.completed, Int64(100)), ("oldfail", .failed, 150),
                                  ("recent", .stopped, 10_000), ("int", .interrupted, nil), ("run", .running, nil)] as [(String, CampaignStatus, Int64?)] {
            var r = record(id, .running)
            try await store.createCampaign(r)
            r.status = status
            r.finishedAtNs = end
            if status.isFinished { try await store.finishCampaign(r, events: events, stats: stats) } else { try await store.updateCampaign(r) }
        }
        #expect(try await store.pruneFinished(finishedBeforeNs: 1_000) == ["old", "oldfail"])
        #expect(try store.campaign(id: "old") == nil)
        #expect(try store.listTrades(campaignId: "old", symbol: nil, limit: 10, cursor: nil).items.isEmpty)
        #expect(try store.stats(campaignId: "old") == nil)
        #expect(Set(try store.listCampaigns(status: nil, limit: 10, cursor: nil).items.map(\.id)) == ["recent", "int", "run"])
        #expect(try store.listTrades(campaignId: "recent", symbol: nil, limit: 10, cursor: nil).items.count > 0)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func aFileThatIsNotADatabaseIsAClearError() async throws {
        let path = Self.path()
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) { try SQLiteCampaignStore(path: path) }
        do { _ = try SQLiteCampaignStore(path: path) } catch {
            #expect(error.description.contains(path) && error.description.contains("not a database"), "\(error)")
        }
    }
}
