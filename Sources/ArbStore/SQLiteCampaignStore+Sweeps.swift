import ArbCore
import GRDB

/// Sweeps and their finished runs: a run is committed as it ends, its summary and its stats apart, so listing a
/// sweep's runs does not read every run's stats.
extension SQLiteCampaignStore: SweepStore {
    public func createSweep(_ record: SweepRecord) async throws {
        let body = try Self.json(record)
        try await write { db in
            do {
                try db.execute(sql: "INSERT INTO sweeps (id, status, body) VALUES (?, ?, ?)", arguments: [record.id, record.status.rawValue, body])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw StoreError(.exists, "sweep \(record.id) exists")
            }
        }
    }

    public func updateSweep(_ record: SweepRecord) async throws {
        let body = try Self.json(record)
        try await write { db in
            try db.execute(sql: "UPDATE sweeps SET status = ?, body = ? WHERE id = ?", arguments: [record.status.rawValue, body, record.id])
            if db.changesCount == 0 { throw StoreError(.notFound, "no sweep \(record.id)") }
        }
    }

    public func sweep(id: String) throws -> SweepRecord? {
        try read { db in try String.fetchOne(db, sql: "SELECT body FROM sweeps WHERE id = ?", arguments: [id]) }
            .map { try Self.decode(SweepRecord.self, $0) }
    }

    public func listSweeps(limit: Int, cursor: String?) throws -> Page<SweepRecord> {
        let after = try cursor.map(Cursor.position) ?? Int.max
        let rows = try read { db in
            try Row.fetchAll(db, sql: "SELECT seq, body FROM sweeps WHERE seq < ? ORDER BY seq DESC LIMIT ?",
                             arguments: [after, limit + 1]).map(Entry.init)
        }
        return try Self.page(rows, limit: limit, as: SweepRecord.self)
    }

    public func deleteSweep(id: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM sweeps WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw StoreError(.notFound, "no sweep \(id)") }
        }
    }

    public func saveSweepRun(sweepId: String, _ run: SweepRunRecord) async throws {
        let summary = run.summary.rendered(pretty: false), stats = run.stats.rendered(pretty: false)
        try await write { db in
            // A run finished again after a resume replaces the first (they are the same run).
            try db.execute(sql: "INSERT OR REPLACE INTO sweep_runs (sweep, run, objective, summary, stats) VALUES (?, ?, ?, ?, ?)",
                           arguments: [sweepId, run.run, run.objective, summary, stats])
        }
    }

    public func sweepRuns(sweepId: String, limit: Int, cursor: String?) throws -> Page<JSONValue> {
        let after = try cursor.map(Cursor.position) ?? 0
        let rows = try read { db in
            try Row.fetchAll(db, sql: "SELECT run AS seq, summary AS body FROM sweep_runs WHERE sweep = ? AND run > ? ORDER BY run LIMIT ?",
                             arguments: [sweepId, after, limit + 1]).map(Entry.init)
        }
        return try Self.jsonPage(rows, limit: limit)
    }

    public func sweepRunSummaries(sweepId: String) throws -> [JSONValue] {
        try read { db in try String.fetchAll(db, sql: "SELECT summary FROM sweep_runs WHERE sweep = ? ORDER BY run", arguments: [sweepId]) }
            .map { try JSONValue(parsing: $0) }
    }

    public func sweepRunCount(sweepId: String) throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sweep_runs WHERE sweep = ?", arguments: [sweepId]) ?? 0 }
    }

    public func sweepRunStats(sweepId: String, run: Int) throws -> JSONValue? {
        try read { db in try String.fetchOne(db, sql: "SELECT stats FROM sweep_runs WHERE sweep = ? AND run = ?", arguments: [sweepId, run]) }
            .map { try JSONValue(parsing: $0) }
    }

    public func unfinishedSweeps() throws -> [SweepRecord] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT body FROM sweeps WHERE status IN ('running', 'interrupted') ORDER BY seq")
        }.map { try Self.decode(SweepRecord.self, $0) }
    }
}
