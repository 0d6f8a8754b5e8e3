import ArbCore
import Foundation
import GRDB
import Synchronization

/// The campaign store on SQLite (WAL), through GRDB: every campaign, fill, trade, decision, checkpoint and final
/// stats of the service survive restarts. Records are stored as JSON next to the columns listings filter on;
/// each table's autoincrement `seq` orders listings and backs their cursors.
public final class SQLiteCampaignStore: CampaignStore {
    let pool: DatabasePool
    public let path: String
    /// Campaign records as last read. Clients poll the same few campaigns many times a second, and a read from
    /// SQLite (a transaction, a statement, the JSON) costs a hundred times a lookup. This process is its data
    /// directory's only writer (the service locks it), so every change passes through `write`, which empties
    /// the cache after its commit; a read that overlapped a write does not fill it (the generation moved on).
    private let records = Mutex(RecordCache())

    struct RecordCache {
        var generation: UInt64 = 0
        var byId: [String: CampaignRecord] = [:]
        /// Most records kept; past it the cache starts again empty.
        static let limit = 4_096
    }

    /// Opens (creating and migrating when needed) the database at `path`.
    public init(path: String) throws(StoreError) {
        self.path = path
        do {
            var config = Configuration()
            config.busyMode = .timeout(5)
            // A commit is on disk before the API acknowledges it (WAL's default NORMAL may lose the newest
            // commits to a power cut).
            // Every connection's page cache is 1 MiB (SQLite's default is 2 MiB), and three readers serve the API
            // on two cores: the caches fill as the file grows, and six default ones added 12 MiB to a long run's
            // memory before it settled.
            config.maximumReaderCount = 3
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try db.execute(sql: "PRAGMA cache_size = -1024")
            }
            pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
        } catch {
            throw StoreError(.unavailable, "cannot open the store at \(path): \(error)")
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
        m.registerMigration("v2: checkpoint times, finish times") { db in
            try db.execute(sql: """
                ALTER TABLE checkpoints ADD COLUMN time_ns INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE checkpoints ADD COLUMN saved_at_ns INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE campaigns ADD COLUMN finished_at_ns INTEGER;
                CREATE INDEX campaigns_by_finish ON campaigns(finished_at_ns) WHERE finished_at_ns IS NOT NULL;
                """)
        }
        m.registerMigration("v3: transfers") { db in
            try db.execute(sql: """
                CREATE TABLE transfers (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                                        campaign TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
                                        id TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (campaign, id));
                CREATE INDEX transfers_by_campaign ON transfers(campaign, seq);
                """)
        }
        m.registerMigration("v4: sweeps") { db in
            try db.execute(sql: """
                CREATE TABLE sweeps (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
                                     status TEXT NOT NULL, body TEXT NOT NULL);
                CREATE TABLE sweep_runs (sweep TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE, run INTEGER NOT NULL,
                                         objective REAL, summary TEXT NOT NULL, stats TEXT NOT NULL, PRIMARY KEY (sweep, run));
                """)
        }
        return m
    }

    // MARK: Campaigns

    public func createCampaign(_ record: CampaignRecord) async throws {
        let body = try Self.body(record)
        try await write { db in
            do {
                try db.execute(sql: "INSERT INTO campaigns (id, status, body, finished_at_ns) VALUES (?, ?, ?, ?)",
                               arguments: [record.id, record.status.rawValue, body, record.finishedAtNs])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw StoreError(.exists, "campaign \(record.id) exists")
            }
        }
    }

    public func updateCampaign(_ record: CampaignRecord) async throws {
        let body = try Self.body(record)
        try await write { db in try Self.update(record, body: body, db) }
    }

    public func updateConfig(campaignId: String, config: JSONValue) async throws {
        let text = config.rendered(pretty: false)
        try await write { db in
            try db.execute(sql: "UPDATE campaigns SET body = json_set(body, '$.config', json(?)) WHERE id = ?",
                           arguments: [text, campaignId])
            if db.changesCount == 0 { throw StoreError(.notFound, "no campaign \(campaignId)") }
        }
    }

    static func update(_ record: CampaignRecord, body: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE campaigns SET status = ?, body = ?, finished_at_ns = ? WHERE id = ?",
                       arguments: [record.status.rawValue, body, record.finishedAtNs, record.id])
        if db.changesCount == 0 { throw StoreError(.notFound, "no campaign \(record.id)") }
    }

    /// A campaign's stored JSON: the record without what other tables own.
    static func body(_ record: CampaignRecord) throws -> String {
        var record = record
        record.checkpoint = nil
        return try json(record)
    }

    /// Campaign rows with their newest checkpoint's position.
    static let campaignSelect = """
        SELECT c.seq AS seq, c.body AS body, k.sequence AS k_sequence, k.time_ns AS k_time, k.saved_at_ns AS k_saved
        FROM campaigns c LEFT JOIN checkpoints k ON k.campaign = c.id
        """

    static func campaignRecord(_ row: Row) throws -> CampaignRecord {
        var record = try CampaignRecord(storedJSON: row["body"])
        if let sequence: Int = row["k_sequence"] {
            record.checkpoint = CheckpointInfo(sequence: sequence, timeNs: row["k_time"], savedAtNs: row["k_saved"])
        }
        return record
    }

    public func campaign(id: String) throws -> CampaignRecord? {
        let (cached, generation) = records.withLock { ($0.byId[id], $0.generation) }
        if let cached { return cached }
        let record = try read { db in
            try Row.fetchOne(db, sql: Self.campaignSelect + " WHERE c.id = ?", arguments: [id]).map(Self.campaignRecord)
        }
        if let record {
            records.withLock { cache in
                guard cache.generation == generation else { return }
                if cache.byId.count >= RecordCache.limit { cache.byId.removeAll(keepingCapacity: true) }
                cache.byId[id] = record
            }
        }
        return record
    }

    public func listCampaigns(status: CampaignStatus?, limit: Int, cursor: String?) throws -> Page<CampaignRecord> {
        let after = try cursor.map(Cursor.position) ?? Int.max
        let rows = try read { db in
            try Row.fetchAll(db, sql: Self.campaignSelect + """
                 WHERE c.seq < ? AND (? IS NULL OR c.status = ?) ORDER BY c.seq DESC LIMIT ?
                """, arguments: [after, status?.rawValue, status?.rawValue, limit + 1]).map { ($0["seq"] as Int, try Self.campaignRecord($0)) }
        }
        let kept = rows.prefix(limit)
        return Page(items: kept.map(\.1), nextCursor: rows.count > limit ? kept.last.map { Cursor.encode($0.0) } : nil)
    }

    public func deleteCampaign(id: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM campaigns WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw StoreError(.notFound, "no campaign \(id)") }
        }
    }

    public func markRunningInterrupted() async throws -> [String] {
        try await write { db in
            let running = try String.fetchAll(db, sql: "SELECT body FROM campaigns WHERE status = 'running' ORDER BY seq")
                .map { try CampaignRecord(storedJSON: $0) }
            for var record in running {
                record.status = .interrupted
                try Self.update(record, body: try Self.body(record), db)
            }
            return running.map(\.id)
        }
    }

    public func pruneFinished(finishedBeforeNs: Int64) async throws -> [String] {
        try await write { db in
            let ids = try String.fetchAll(db, sql: """
                SELECT id FROM campaigns WHERE finished_at_ns < ? AND status IN ('completed', 'stopped', 'failed') ORDER BY seq
                """, arguments: [finishedBeforeNs])
            for id in ids { try db.execute(sql: "DELETE FROM campaigns WHERE id = ?", arguments: [id]) }
            return ids
        }
    }

    // MARK: Events, checkpoints, stats

    public func append(campaignId: String, events: [CampaignEvent]) async throws {
        guard !events.isEmpty else { return }
        try await write { db in try Self.insert(try Self.encode(events), campaign: campaignId, db) }
    }

    // Large batches are encoded inside the write closure, on GRDB's writer queue: encoding a checkpoint of
    // hundreds of routes with thousands of events takes long enough to starve the few threads async tasks share.

    public func saveCheckpoint(_ checkpoint: CampaignCheckpoint, events: [CampaignEvent]) async throws {
        let savedAt = Self.wallNs()
        try await write { db in
            try Self.saveCheckpoint(checkpoint, body: try JSONEncoder().encode(checkpoint), rows: try Self.encode(events),
                                    savedAt: savedAt, db)
        }
    }

    static func saveCheckpoint(_ checkpoint: CampaignCheckpoint, body: Data, rows: [Encoded], savedAt: Int64, _ db: Database) throws {
        try insert(rows, campaign: checkpoint.campaignId, db)
        try db.execute(sql: """
            INSERT INTO checkpoints (campaign, sequence, body, time_ns, saved_at_ns) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(campaign) DO UPDATE SET sequence = excluded.sequence, body = excluded.body,
                time_ns = excluded.time_ns, saved_at_ns = excluded.saved_at_ns
            """, arguments: [checkpoint.campaignId, checkpoint.sequence, body, checkpoint.timeNs, savedAt])
    }

    public func finishCampaign(_ record: CampaignRecord, events: [CampaignEvent], stats: StatsReport?) async throws {
        let body = try Self.body(record)
        let statsBody = try stats.map(Self.statsBody)
        try await write { db in
            try Self.insert(try Self.encode(events), campaign: record.id, db)
            if let statsBody { try Self.saveStats(record.id, statsBody, db) }
            try Self.update(record, body: body, db)
            try db.execute(sql: "DELETE FROM checkpoints WHERE campaign = ?", arguments: [record.id])
        }
    }

    public func interruptCampaign(_ record: CampaignRecord, checkpoint: CampaignCheckpoint?, events: [CampaignEvent],
                                  stats: StatsReport?) async throws {
        let body = try Self.body(record)
        let statsBody = try stats.map(Self.statsBody)
        let savedAt = Self.wallNs()
        try await write { db in
            let rows = try Self.encode(events)
            if let checkpoint {
                try Self.saveCheckpoint(checkpoint, body: try JSONEncoder().encode(checkpoint), rows: rows, savedAt: savedAt, db)
            } else {
                try Self.insert(rows, campaign: record.id, db)
            }
            if let statsBody { try Self.saveStats(record.id, statsBody, db) }
            try Self.update(record, body: body, db)
        }
    }

    /// Stats are stored as their compact wire text, so a read answers what a live `/stats` would have.
    static func statsBody(_ stats: StatsReport) throws -> String {
        String(decoding: try JSONTree.renderedBytes(stats), as: UTF8.self)
    }

    static func saveStats(_ campaign: String, _ body: String, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO stats (campaign, body) VALUES (?, ?) ON CONFLICT(campaign) DO UPDATE SET body = excluded.body",
                       arguments: [campaign, body])
    }

    static func wallNs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }

    public func latestCheckpoint(campaignId: String) throws -> CampaignCheckpoint? {
        try read { db in
            try Data.fetchOne(db, sql: "SELECT body FROM checkpoints WHERE campaign = ?", arguments: [campaignId])
        }.map { try JSONDecoder().decode(CampaignCheckpoint.self, from: $0) }
    }

    public func saveStats(campaignId: String, stats: StatsReport) async throws {
        let body = try Self.statsBody(stats)
        try await write { db in try Self.saveStats(campaignId, body, db) }
    }

    public func statsJSON(campaignId: String) throws -> [UInt8]? {
        let body = try read { db in
            try String.fetchOne(db, sql: "SELECT body FROM stats WHERE campaign = ?", arguments: [campaignId])
        }
        // An interrupted campaign that never primed was once stored with `{}`: no stats.
        guard let body, body != "{}" else { return nil }
        return Array(body.utf8)
    }

    public func stats(campaignId: String) throws -> StatsReport? {
        try statsJSON(campaignId: campaignId).map { try JSONTree.decode(StatsReport.self, from: try JSONValue(parsing: $0)) }
    }

    /// `PRAGMA integrity_check` ("ok" when the file is sound).
    public func integrityCheck() throws -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }

    // MARK: Helpers

    enum Encoded: Sendable {
        case fill(String)
        case trade(id: String, route: String, body: String)
        case transfer(id: String, body: String)
        case decision(id: String, route: String, tier: String?, outcome: String, body: String)
    }

    static func encode(_ events: [CampaignEvent]) throws -> [Encoded] {
        try events.map { event in
            switch event {
            case .fill(let f): return .fill(try json(f))
            case .trade(let t): return .trade(id: t.id, route: t.route, body: try json(t))
            case .transfer(let t): return .transfer(id: t.id, body: try json(t))
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
            case .transfer(let id, let body):
                try db.execute(sql: """
                    INSERT INTO transfers (campaign, id, body) VALUES (?, ?, ?)
                    ON CONFLICT(campaign, id) DO UPDATE SET body = excluded.body
                    """, arguments: [campaign, id, body])
            case .decision(let id, let route, let tier, let outcome, let body):
                try db.execute(sql: """
                    INSERT INTO decisions (campaign, id, route, tier, outcome, body) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(campaign, id) DO UPDATE SET body = excluded.body
                    """, arguments: [campaign, id, route, tier, outcome, body])
            }
        }
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        // After the commit (or the failure): a read from now on sees the new rows.
        defer {
            records.withLock { cache in
                cache.generation &+= 1
                cache.byId.removeAll(keepingCapacity: true)
            }
        }
        do { return try await pool.write(body) } catch let error as StoreError { throw error } catch {
            throw StoreError(.unavailable, "the store could not write: \(error)")
        }
    }

    /// On the caller's thread: a WAL reader never waits for the writer.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let error as StoreError { throw error } catch {
            throw StoreError(.unavailable, "the store could not read: \(error)")
        }
    }
}
