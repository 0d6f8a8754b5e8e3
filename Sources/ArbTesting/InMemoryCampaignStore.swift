import ArbCore
import Foundation
import Synchronization

/// The store port kept in memory: for tests and headless runs. Same semantics as the persistent store: ordered
/// listings with opaque cursors, newest version of a record in its first place, checkpoints saved with the
/// events since the previous one.
///
/// One lock over the whole state: every operation is a few dictionary and array steps, and reads answer on the
/// caller's thread as the protocol asks.
public final class InMemoryCampaignStore: CampaignStore {
    struct Campaign {
        var record: CampaignRecord
        var fills: [Fill] = []
        var trades = Keyed<TradeRecord>()
        var decisions = Keyed<DecisionRecord>()
        var transfers = Keyed<Transfer>()
        var checkpoint: CampaignCheckpoint?
        var checkpointSavedAtNs: Int64 = 0
        var stats: StatsReport?
    }

    /// Records in first-seen order, replaced in place by id.
    struct Keyed<Item> {
        var items: [Item] = []
        var index: [String: Int] = [:]

        mutating func upsert(_ id: String, _ item: Item) {
            if let i = index[id] { items[i] = item } else { index[id] = items.count; items.append(item) }
        }
    }

    struct State {
        var campaigns: [String: Campaign] = [:]
        var order: [String] = []

        mutating func append(campaignId: String, events: [CampaignEvent]) throws(StoreError) {
            guard campaigns[campaignId] != nil else { throw StoreError(.notFound, "no campaign \(campaignId)") }
            for event in events {
                switch event {
                case .fill(let f): campaigns[campaignId]!.fills.append(f)
                case .trade(let t): campaigns[campaignId]!.trades.upsert(t.id, t)
                case .decision(let d): campaigns[campaignId]!.decisions.upsert(d.id, d)
                case .transfer(let t): campaigns[campaignId]!.transfers.upsert(t.id, t)
                }
            }
        }

        mutating func saveCheckpoint(_ checkpoint: CampaignCheckpoint, events: [CampaignEvent]) throws(StoreError) {
            try append(campaignId: checkpoint.campaignId, events: events)
            campaigns[checkpoint.campaignId]!.checkpoint = checkpoint
            campaigns[checkpoint.campaignId]!.checkpointSavedAtNs = Int64(Date().timeIntervalSince1970 * 1e9)
        }

        mutating func delete(id: String) throws(StoreError) {
            guard campaigns.removeValue(forKey: id) != nil else { throw StoreError(.notFound, "no campaign \(id)") }
            order.removeAll { $0 == id }
        }
    }

    private let state = Mutex(State())

    public init() {}

    public func createCampaign(_ record: CampaignRecord) throws {
        try state.withLock { (s: inout State) throws(StoreError) in
            guard s.campaigns[record.id] == nil else { throw StoreError(.exists, "campaign \(record.id) exists") }
            s.campaigns[record.id] = Campaign(record: record)
            s.order.append(record.id)
        }
    }

    public func updateCampaign(_ record: CampaignRecord) throws {
        try state.withLock { (s: inout State) throws(StoreError) in
            guard s.campaigns[record.id] != nil else { throw StoreError(.notFound, "no campaign \(record.id)") }
            s.campaigns[record.id]!.record = record
        }
    }

    public func updateConfig(campaignId: String, config: JSONValue) throws {
        try state.withLock { (s: inout State) throws(StoreError) in
            guard s.campaigns[campaignId] != nil else { throw StoreError(.notFound, "no campaign \(campaignId)") }
            s.campaigns[campaignId]!.record.config = config
        }
    }

    public func campaign(id: String) -> CampaignRecord? { state.withLock { $0.campaigns[id].map(Self.view) } }

    /// A record as read: with its newest checkpoint.
    static func view(_ c: Campaign) -> CampaignRecord {
        var record = c.record
        record.checkpoint = c.checkpoint.map { CheckpointInfo(sequence: $0.sequence, timeNs: $0.timeNs, savedAtNs: c.checkpointSavedAtNs) }
        return record
    }

    public func listCampaigns(status: CampaignStatus?, limit: Int, cursor: String?) throws -> Page<CampaignRecord> {
        let newestFirst = state.withLock { s in s.order.reversed().compactMap { s.campaigns[$0].map(Self.view) } }
        return try Paging.page(newestFirst, limit: limit, cursor: cursor) { status == nil || $0.status == status }
    }

    public func deleteCampaign(id: String) throws {
        try state.withLock { (s: inout State) throws(StoreError) in try s.delete(id: id) }
    }

    public func append(campaignId: String, events: [CampaignEvent]) throws {
        try state.withLock { (s: inout State) throws(StoreError) in try s.append(campaignId: campaignId, events: events) }
    }

    public func saveCheckpoint(_ checkpoint: CampaignCheckpoint, events: [CampaignEvent]) throws {
        try state.withLock { (s: inout State) throws(StoreError) in try s.saveCheckpoint(checkpoint, events: events) }
    }

    public func finishCampaign(_ record: CampaignRecord, events: [CampaignEvent], stats: StatsReport?) throws {
        try state.withLock { (s: inout State) throws(StoreError) in
            try s.append(campaignId: record.id, events: events)
            if let stats { s.campaigns[record.id]!.stats = stats }
            s.campaigns[record.id]!.record = record
            s.campaigns[record.id]!.checkpoint = nil
        }
    }

    public func interruptCampaign(_ record: CampaignRecord, checkpoint: CampaignCheckpoint?, events: [CampaignEvent],
                                  stats: StatsReport?) throws {
        try state.withLock { (s: inout State) throws(StoreError) in
            if let checkpoint { try s.saveCheckpoint(checkpoint, events: events) } else { try s.append(campaignId: record.id, events: events) }
            if let stats { s.campaigns[record.id]!.stats = stats }
            s.campaigns[record.id]!.record = record
        }
    }

    public func markRunningInterrupted() -> [String] {
        state.withLock { s in
            let ids = s.order.filter { s.campaigns[$0]?.record.status == .running }
            for id in ids { s.campaigns[id]!.record.status = .interrupted }
            return ids
        }
    }

    public func pruneFinished(finishedBeforeNs: Int64) -> [String] {
        state.withLock { s in
            let ids = s.order.filter { id in
                guard let r = s.campaigns[id]?.record, r.status.isFinished, let end = r.finishedAtNs else { return false }
                return end < finishedBeforeNs
            }
            for id in ids { try? s.delete(id: id) }
            return ids
        }
    }

    public func latestCheckpoint(campaignId: String) -> CampaignCheckpoint? { state.withLock { $0.campaigns[campaignId]?.checkpoint } }

    public func saveStats(campaignId: String, stats: StatsReport) throws {
        try state.withLock { (s: inout State) throws(StoreError) in
            guard s.campaigns[campaignId] != nil else { throw StoreError(.notFound, "no campaign \(campaignId)") }
            s.campaigns[campaignId]!.stats = stats
        }
    }

    public func stats(campaignId: String) -> StatsReport? { state.withLock { $0.campaigns[campaignId]?.stats } }

    public func statsJSON(campaignId: String) throws -> [UInt8]? {
        try stats(campaignId: campaignId).map { try JSONTree.encode($0).renderedBytes() }
    }

    public func listTrades(campaignId: String, symbol: String?, limit: Int, cursor: String?) throws -> Page<TradeRecord> {
        let items = state.withLock { $0.campaigns[campaignId]?.trades.items ?? [] }
        return try Paging.page(items, limit: limit, cursor: cursor) { symbol == nil || $0.route == symbol }
    }

    public func listDecisions(campaignId: String, filter: DecisionFilter, limit: Int, cursor: String?) throws -> Page<DecisionRecord> {
        let items = state.withLock { $0.campaigns[campaignId]?.decisions.items ?? [] }
        return try Paging.page(items, limit: limit, cursor: cursor) { d in
            (filter.tier == nil || d.tier == filter.tier) && (filter.outcome == nil || d.outcome == filter.outcome)
                && (filter.symbol == nil || d.route == filter.symbol)
        }
    }

    public func listTradesJSON(campaignId: String, symbol: String?, limit: Int, cursor: String?) throws -> Page<JSONValue> {
        try Self.trees(listTrades(campaignId: campaignId, symbol: symbol, limit: limit, cursor: cursor))
    }

    public func listDecisionsJSON(campaignId: String, filter: DecisionFilter, limit: Int, cursor: String?) throws -> Page<JSONValue> {
        try Self.trees(listDecisions(campaignId: campaignId, filter: filter, limit: limit, cursor: cursor))
    }

    /// A page's records as the JSON trees their `Encodable` conformance writes, as the SQLite store keeps them.
    static func trees<T: Encodable>(_ page: Page<T>) throws -> Page<JSONValue> {
        let encoder = JSONEncoder()
        return Page(items: try page.items.map { try JSONValue(parsing: Array(try encoder.encode($0))) }, nextCursor: page.nextCursor)
    }

    public func listTransfers(campaignId: String, limit: Int, cursor: String?) throws -> Page<Transfer> {
        let items = state.withLock { $0.campaigns[campaignId]?.transfers.items ?? [] }
        return try Paging.page(items, limit: limit, cursor: cursor) { _ in true }
    }

    public func listTransfersJSON(campaignId: String, limit: Int, cursor: String?) throws -> Page<JSONValue> {
        try Self.trees(listTransfers(campaignId: campaignId, limit: limit, cursor: cursor))
    }

    public func listFills(campaignId: String, limit: Int, cursor: String?) throws -> Page<Fill> {
        let items = state.withLock { $0.campaigns[campaignId]?.fills ?? [] }
        return try Paging.page(items, limit: limit, cursor: cursor) { _ in true }
    }
}

/// Cursor paging over a list whose items keep their positions: the cursor names the position after the last
/// item returned, so appends never shift a page. Cursors are opaque to clients.
public enum Paging {
    public static func page<T>(_ items: [T], limit: Int, cursor: String?, where matches: (T) -> Bool) throws -> Page<T> {
        var i = try cursor.map(Cursor.position) ?? 0
        var out: [T] = []
        let limit = Swift.max(1, limit)
        while i < items.count && out.count < limit {
            if matches(items[i]) { out.append(items[i]) }
            i += 1
        }
        var more = false
        var j = i
        while j < items.count { if matches(items[j]) { more = true; break }; j += 1 }
        return Page(items: out, nextCursor: more ? Cursor.encode(i) : nil)
    }

}
