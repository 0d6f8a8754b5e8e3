import ArbCore
import Synchronization

/// The sweep store port kept in memory, for tests: the same listings and cursors as the persistent one.
public final class InMemorySweepStore: SweepStore {
    struct Sweep {
        var record: SweepRecord
        var runs: [Int: SweepRunRecord] = [:]
    }

    private let state = Mutex<(sweeps: [String: Sweep], order: [String])>(([:], []))

    public init() {}

    public func createSweep(_ record: SweepRecord) async throws {
        try state.withLock { s throws(StoreError) in
            guard s.sweeps[record.id] == nil else { throw StoreError(.exists, "sweep \(record.id) exists") }
            s.sweeps[record.id] = Sweep(record: record)
            s.order.append(record.id)
        }
    }

    public func updateSweep(_ record: SweepRecord) async throws {
        try state.withLock { s throws(StoreError) in
            guard s.sweeps[record.id] != nil else { throw StoreError(.notFound, "no sweep \(record.id)") }
            s.sweeps[record.id]!.record = record
        }
    }

    public func sweep(id: String) throws -> SweepRecord? { state.withLock { $0.sweeps[id]?.record } }

    public func listSweeps(limit: Int, cursor: String?) throws -> Page<SweepRecord> {
        let before = try cursor.map(Cursor.position) ?? Int.max
        return state.withLock { s in
            let positions = s.order.indices.reversed().filter { $0 < before && s.sweeps[s.order[$0]] != nil }
            let kept = positions.prefix(limit)
            return Page(items: kept.map { s.sweeps[s.order[$0]]!.record },
                        nextCursor: positions.count > limit ? kept.last.map(Cursor.encode) : nil)
        }
    }

    public func deleteSweep(id: String) async throws {
        try state.withLock { s throws(StoreError) in
            guard s.sweeps.removeValue(forKey: id) != nil else { throw StoreError(.notFound, "no sweep \(id)") }
        }
    }

    public func saveSweepRun(sweepId: String, _ run: SweepRunRecord) async throws {
        try state.withLock { s throws(StoreError) in
            guard s.sweeps[sweepId] != nil else { throw StoreError(.notFound, "no sweep \(sweepId)") }
            s.sweeps[sweepId]!.runs[run.run] = run
        }
    }

    public func sweepRuns(sweepId: String, limit: Int, cursor: String?) throws -> Page<JSONValue> {
        let after = try cursor.map(Cursor.position) ?? 0
        return state.withLock { s in
            let runs = (s.sweeps[sweepId]?.runs.values.sorted { $0.run < $1.run } ?? []).filter { $0.run > after }
            let kept = runs.prefix(limit)
            return Page(items: kept.map(\.summary), nextCursor: runs.count > limit ? kept.last.map { Cursor.encode($0.run) } : nil)
        }
    }

    public func sweepRunSummaries(sweepId: String) throws -> [JSONValue] {
        state.withLock { s in (s.sweeps[sweepId]?.runs.values.sorted { $0.run < $1.run } ?? []).map(\.summary) }
    }

    public func sweepRunCount(sweepId: String) throws -> Int { state.withLock { $0.sweeps[sweepId]?.runs.count ?? 0 } }

    public func sweepRunStats(sweepId: String, run: Int) throws -> JSONValue? { state.withLock { $0.sweeps[sweepId]?.runs[run]?.stats } }

    public func unfinishedSweeps() throws -> [SweepRecord] {
        state.withLock { s in
            s.order.compactMap { s.sweeps[$0]?.record }.filter { $0.status == .running || $0.status == .interrupted }
        }
    }
}
