import ArbCore
import Foundation

/// The store port kept in memory: for tests and headless runs. Same semantics as the persistent store: ordered
/// listings with opaque cursors, newest version of a record in its first place, checkpoints saved with the
/// events since the previous one.
public actor InMemoryCampaignStore: CampaignStore {
    struct Campaign {
        var record: CampaignRecord
        var fills: [Fill] = []
        var trades = Keyed<TradeRecord>()
        var decisions = Keyed<DecisionRecord>()
        var checkpoint: CampaignCheckpoint?
        var checkpointSavedAtNs: Int64 = 0
        var stats: JSONValue?
    }

    /// Records in first-seen order, replaced in place by id.
    struct Keyed<Item> {
        var items: [Item] = []
        var index: [String: Int] = [:]

        mutating func upsert(_ id: String, _ item: Item) {
            if let i = index[id] { items[i] = item } else { index[id] = items.count; items.append(item) }
        }
    }

    private var campaigns: [String: Campaign] = [:]
    private var order: [String] = []

    public init() {}

    public func createCampaign(_ record: CampaignRecord) throws {
        guard campaigns[record.id] == nil else { throw StoreError("campaign \(record.id) exists") }
        campaigns[record.id] = Campaign(record: record)
        order.append(record.id)
    }

    public func updateCampaign(_ record: CampaignRecord) throws {
        guard campaigns[record.id] != nil else { throw StoreError("no campaign \(record.id)") }
        campaigns[record.id]!.record = record
    }

    public func updateConfig(campaignId: String, config: JSONValue) throws {
        guard campaigns[campaignId] != nil else { throw StoreError("no campaign \(campaignId)") }
        campaigns[campaignId]!.record.config = config
    }

    public func campaign(id: String) -> CampaignRecord? { campaigns[id].map(Self.view) }

    /// A record as read: with its newest checkpoint.
    static func view(_ c: Campaign) -> CampaignRecord {
        var record = c.record
        record.checkpoint = c.checkpoint.map { CheckpointInfo(sequence: $0.sequence, timeNs: $0.timeNs, savedAtNs: c.checkpointSavedAtNs) }
        return record
    }

    public func listCampaigns(status: CampaignStatus?, limit: Int, cursor: String?) throws -> Page<CampaignRecord> {
        let newestFirst = order.reversed().compactMap { campaigns[$0].map(Self.view) }
        return try Paging.page(newestFirst, limit: limit, cursor: cursor) { status == nil || $0.status == status }
    }

    public func deleteCampaign(id: String) throws {
        guard campaigns.removeValue(forKey: id) != nil else { throw StoreError("no campaign \(id)") }
        order.removeAll { $0 == id }
    }

    public func append(campaignId: String, events: [CampaignEvent]) throws {
        guard campaigns[campaignId] != nil else { throw StoreError("no campaign \(campaignId)") }
        for event in events {
            switch event {
            case .fill(let f): campaigns[campaignId]!.fills.append(f)
            case .trade(let t): campaigns[campaignId]!.trades.upsert(t.id, t)
            case .decision(let d): campaigns[campaignId]!.decisions.upsert(d.id, d)
            }
        }
    }

    public func saveCheckpoint(_ checkpoint: CampaignCheckpoint, events: [CampaignEvent]) throws {
        try append(campaignId: checkpoint.campaignId, events: events)
        campaigns[checkpoint.campaignId]!.checkpoint = checkpoint
        campaigns[checkpoint.campaignId]!.checkpointSavedAtNs = Int64(Date().timeIntervalSince1970 * 1e9)
    }

    public func finishCampaign(_ record: CampaignRecord, events: [CampaignEvent], stats: JSONValue?) throws {
        try append(campaignId: record.id, events: events)
        if let stats { campaigns[record.id]!.stats = stats }
        campaigns[record.id]!.record = record
        campaigns[record.id]!.checkpoint = nil
    }

    public func interruptCampaign(_ record: CampaignRecord, checkpoint: CampaignCheckpoint?, events: [CampaignEvent],
                                  stats: JSONValue) throws {
        if let checkpoint { try saveCheckpoint(checkpoint, events: events) } else { try append(campaignId: record.id, events: events) }
        campaigns[record.id]!.stats = stats
        campaigns[record.id]!.record = record
    }

    public func markRunningInterrupted() -> [String] {
        let ids = order.filter { campaigns[$0]?.record.status == .running }
        for id in ids { campaigns[id]!.record.status = .interrupted }
        return ids
    }

    public func pruneFinished(finishedBeforeNs: Int64) -> [String] {
        let ids = order.filter { id in
            guard let r = campaigns[id]?.record, r.status.isFinished, let end = r.finishedAtNs else { return false }
            return end < finishedBeforeNs
        }
        for id in ids { try? deleteCampaign(id: id) }
        return ids
    }

    public func latestCheckpoint(campaignId: String) -> CampaignCheckpoint? { campaigns[campaignId]?.checkpoint }

    public func saveStats(campaignId: String, stats: JSONValue) throws {
        guard campaigns[campaignId] != nil else { throw StoreError("no campaign \(campaignId)") }
        campaigns[campaignId]!.stats = stats
    }

    public func stats(campaignId: String) -> JSONValue? { campaigns[campaignId]?.stats }

    public func listTrades(campaignId: String, symbol: String?, limit: Int, cursor: String?) throws -> Page<TradeRecord> {
        try Paging.page(campaigns[campaignId]?.trades.items ?? [], limit: limit, cursor: cursor) { symbol == nil || $0.route == symbol }
    }

    public func listDecisions(campaignId: String, filter: DecisionFilter, limit: Int, cursor: String?) throws -> Page<DecisionRecord> {
        try Paging.page(campaigns[campaignId]?.decisions.items ?? [], limit: limit, cursor: cursor) { d in
            (filter.tier == nil || d.tier == filter.tier) && (filter.outcome == nil || d.outcome == filter.outcome)
                && (filter.symbol == nil || d.route == filter.symbol)
        }
    }

    public func listFills(campaignId: String, limit: Int, cursor: String?) throws -> Page<Fill> {
        try Paging.page(campaigns[campaignId]?.fills ?? [], limit: limit, cursor: cursor) { _ in true }
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
