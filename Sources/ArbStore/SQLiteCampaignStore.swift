import ArbCore
import Foundation
import GRDB

/// The campaign store on SQLite (WAL), through GRDB: every campaign, fill, trade, decision, checkpoint and final
/// stats of the service survive restarts. Records are stored as JSON next to the columns listings filter on;
/// each table's autoincrement `seq` orders listings and backs their cursors.
public final class SQLiteCampaignStore: CampaignStore {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating and migrating when needed) the database at `path`.
    public init(path: String) throws(StoreError) {
        self.path = path
        do {
            var config = Configuration()
            config.busyMode = .timeout(5)
            pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
        } catch {
            throw StoreError("cannot open the store at \(path): \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE campaigns (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
                                        status TEXT NOT NULL, body TEXT NOT NULL);
                CREATE TABLE fills (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                                    campaign TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE, body TEXT NOT NULL);
                CREATE INDEX fills_by_campaign ON fills(campaign, seq);
                CREATE TABLE trades (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                                     campaign TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
                                     id TEXT NOT NULL, route TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (campaign, id));
                CREATE INDEX trades_by_campaign ON trades(campaign, seq);
                CREATE TABLE decisions (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                                        campaign TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
                                        id TEXT NOT NULL, route TEXT NOT NULL, tier TEXT, outcome TEXT NOT NULL,
                                        body TEXT NOT NULL, UNIQUE (campaign, id));
                CREATE INDEX decisions_by_campaign ON decisions(campaign, seq);
                CREATE TABLE checkpoints (campaign TEXT PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
                                          sequence INTEGER NOT NULL, body BLOB NOT NULL);
                CREATE TABLE stats (campaign TEXT PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE, body TEXT NOT NULL);
                """)
        }
        return m
    }

    // MARK: Campaigns

    public func createCampaign(_ record: CampaignRecord) async throws {
        let body = try Self.json(record)
        try await write { db in
            try db.execute(sql: "INSERT INTO campaigns (id, status, body) VALUES (?, ?, ?)",
                           arguments: [record.id, record.status.rawValue, body])
        }
    }

    public func updateCampaign(_ record: CampaignRecord) async throws {
        let body = try Self.json(record)
        try await write { db in
            try db.execute(sql: "UPDATE campaigns SET status = ?, body = ? WHERE id = ?",
                           arguments: [record.status.rawValue, body, record.id])
            if db.changesCount == 0 { throw StoreError("no campaign \(record.id)") }
        }
    }

    public func campaign(id: String) async throws -> CampaignRecord? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT body FROM campaigns WHERE id = ?", arguments: [id])
        }.map { try Self.decode(CampaignRecord.self, $0) }
    }

    public func listCampaigns(status: CampaignStatus?, limit: Int, cursor: String?) async throws -> Page<CampaignRecord> {
        let after = try cursor.map(Cursor.position) ?? Int.max
        let rows = try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT seq, body FROM campaigns WHERE seq < ? AND (? IS NULL OR status = ?) ORDER BY seq DESC LIMIT ?
                """, arguments: [after, status?.rawValue, status?.rawValue, limit + 1]).map(Entry.init)
        }
        return try Self.page(rows, limit: limit, as: CampaignRecord.self)
    }

    public func deleteCampaign(id: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM campaigns WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw StoreError("no campaign \(id)") }
        }
    }

    /// Marks campaigns left `running` by a previous process as `interrupted`; returns their ids.
    public func markRunningInterrupted() async throws -> [String] {
        let running = try await listAll(status: .running)
        for var record in running {
            record.status = .interrupted
            try await updateCampaign(record)
        }
        return running.map(\.id)
    }

    func listAll(status: CampaignStatus) async throws -> [CampaignRecord] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT body FROM campaigns WHERE status = ? ORDER BY seq", arguments: [status.rawValue])
        }.map { try Self.decode(CampaignRecord.self, $0) }
    }

    // MARK: Events, checkpoints, stats

    public func append(campaignId: String, events: [CampaignEvent]) async throws {
        guard !events.isEmpty else { return }
        let rows = try Self.encode(events)
        try await write { db in try Self.insert(rows, campaign: campaignId, db) }
    }

    public func saveCheckpoint(_ checkpoint: CampaignCheckpoint, events: [CampaignEvent]) async throws {
        let rows = try Self.encode(events)
        let body = try JSONEncoder().encode(checkpoint)
        try await write { db in
            try Self.insert(rows, campaign: checkpoint.campaignId, db)
            try db.execute(sql: """
                INSERT INTO checkpoints (campaign, sequence, body) VALUES (?, ?, ?)
                ON CONFLICT(campaign) DO UPDATE SET sequence = excluded.sequence, body = excluded.body
                """, arguments: [checkpoint.campaignId, checkpoint.sequence, body])
        }
    }

    public func latestCheckpoint(campaignId: String) async throws -> CampaignCheckpoint? {
        try await read { db in
            try Data.fetchOne(db, sql: "SELECT body FROM checkpoints WHERE campaign = ?", arguments: [campaignId])
        }.map { try JSONDecoder().decode(CampaignCheckpoint.self, from: $0) }
    }

    public func saveStats(campaignId: String, stats: JSONValue) async throws {
        let body = stats.rendered(pretty: false)
        try await write { db in
            try db.execute(sql: "INSERT INTO stats (campaign, body) VALUES (?, ?) ON CONFLICT(campaign) DO UPDATE SET body = excluded.body",
                           arguments: [campaignId, body])
        }
    }

    public func stats(campaignId: String) async throws -> JSONValue? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT body FROM stats WHERE campaign = ?", arguments: [campaignId])
        }.map { try Self.decode(JSONValue.self, $0) }
    }

    // MARK: Listings

    public func listTrades(campaignId: String, symbol: String?, limit: Int, cursor: String?) async throws -> Page<TradeRecord> {
        let after = try cursor.map(Cursor.position) ?? 0
        let rows = try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT seq, body FROM trades WHERE campaign = ? AND seq > ? AND (? IS NULL OR route = ?) ORDER BY seq LIMIT ?
                """, arguments: [campaignId, after, symbol, symbol, limit + 1]).map(Entry.init)
        }
        return try Self.page(rows, limit: limit, as: TradeRecord.self)
    }

    public func listDecisions(campaignId: String, filter: DecisionFilter, limit: Int, cursor: String?) async throws -> Page<DecisionRecord> {
        let after = try cursor.map(Cursor.position) ?? 0
        let tier = filter.tier?.rawValue, outcome = filter.outcome?.rawValue, symbol = filter.symbol
        let rows = try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT seq, body FROM decisions WHERE campaign = ? AND seq > ? AND (? IS NULL OR tier = ?)
                AND (? IS NULL OR outcome = ?) AND (? IS NULL OR route = ?) ORDER BY seq LIMIT ?
                """, arguments: [campaignId, after, tier, tier, outcome, outcome, symbol, symbol, limit + 1]).map(Entry.init)
        }
        return try Self.page(rows, limit: limit, as: DecisionRecord.self)
    }

    public func listFills(campaignId: String, limit: Int, cursor: String?) async throws -> Page<Fill> {
        let after = try cursor.map(Cursor.position) ?? 0
        let rows = try await read { db in
            try Row.fetchAll(db, sql: "SELECT seq, body FROM fills WHERE campaign = ? AND seq > ? ORDER BY seq LIMIT ?", arguments: [campaignId, after, limit + 1]).map(Entry.init)
        }
        return try Self.page(rows, limit: limit, as: Fill.self)
    }

    /// `PRAGMA integrity_check` ("ok" when the file is sound).
    public func integrityCheck() async throws -> String {
        try await read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }

    // MARK: Helpers

    enum Encoded: Sendable {
        case fill(String)
        case trade(id: String, route: String, body: String)
        case decision(id: String, route: String, tier: String?, outcome: String, body: String)
    }

    static func encode(_ events: [CampaignEvent]) throws -> [Encoded] {
        try events.map { event in
            switch event {
            case .fill(let f): return .fill(try json(f))
            case .trade(let t): return .trade(id: t.id, route: t.route, body: try json(t))
            case .decision(let d):
                return .decision(id: d.id, route: d.route, tier: d.tier?.rawValue, outcome: d.outcome.rawValue, body: try json(d))
            }
        }
    }

    static func insert(_ rows: [Encoded], campaign: String, _ db: Database) throws {
        for row in rows {
            switch row {
            case .fill(let body):
                try db.execute(sql: "INSERT INTO fills (campaign, body) VALUES (?, ?)", arguments: [campaign, body])
            case .trade(let id, let route, let body):
                try db.execute(sql: """
                    INSERT INTO trades (campaign, id, route, body) VALUES (?, ?, ?, ?)
                    ON CONFLICT(campaign, id) DO UPDATE SET body = excluded.body
                    """, arguments: [campaign, id, route, body])
            case .decision(let id, let route, let tier, let outcome, let body):
                try db.execute(sql: """
                    INSERT INTO decisions (campaign, id, route, tier, outcome, body) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(campaign, id) DO UPDATE SET body = excluded.body
                    """, arguments: [campaign, id, route, tier, outcome, body])
            }
        }
    }

    /// A listed row: its sequence and its JSON.
    struct Entry: Sendable {
        let seq: Int
        let body: String
        init(_ row: Row) {
            seq = row["seq"]
            body = row["body"]
        }
    }

    /// One page out of `limit + 1` rows: the extra row only says there is a next page.
    static func page<T: Decodable & Sendable>(_ rows: [Entry], limit: Int, as type: T.Type) throws -> Page<T> {
        let kept = rows.prefix(limit)
        let items = try kept.map { try decode(T.self, $0.body) }
        let next = rows.count > limit ? kept.last.map { Cursor.encode($0.seq) } : nil
        return Page(items: items, nextCursor: next)
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.write(body) } catch let error as StoreError { throw error } catch {
            throw StoreError("the store could not write: \(error)")
        }
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(body) } catch let error as StoreError { throw error } catch {
            throw StoreError("the store could not read: \(error)")
        }
    }
}
