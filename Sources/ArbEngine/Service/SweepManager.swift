import ArbCore
import Foundation
import Logging
import Synchronization

/// Runs sweeps for the service (SPEC §10): validates and stores them, runs at most `maxConcurrent` at once, stores
/// each run as it ends, and goes on with an unfinished sweep (after a shutdown or a kill) from the runs it has.
public final class SweepManager: SweepOperations {
    public let maxConcurrent: Int
    let store: any SweepStore
    /// A factory per sweep: its runs share what it opens (one mapping of each cache).
    let makeSources: @Sendable () -> any MarketSourceFactory
    let logger: Logger
    private let live = Mutex<[String: Live]>([:])

    struct Live {
        let control: SweepControl
        var task: Task<Void, Never>?
        /// Why it is being stopped: deleted (its records go), or the service stopping (it resumes later).
        var deleting = false
    }

    public init(store: any SweepStore, makeSources: @escaping @Sendable () -> any MarketSourceFactory, maxConcurrent: Int = 1,
                logger: Logger = Logger(label: "arbitrage.sweeps")) {
        self.store = store
        self.makeSources = makeSources
        self.maxConcurrent = maxConcurrent
        self.logger = logger
    }

    /// Checks the sweep (every value, the base's market data, walk-forward's folds), stores it and starts it.
    public func createSweep(_ body: JSONValue) async throws(ServiceError) -> JSONValue {
        let spec: SweepSpec
        let total: Int
        do {
            spec = try SweepSpec.parse(body, readsFiles: false)
            let sources = makeSources()
            let base = try SweepSpec.prefixed("base") { () throws(ConfigError) in try CampaignConfig.parse(spec.base) }
            try await sources.prepare(config: base)
            _ = try SweepSpec.prefixed("base") { () throws(ConfigError) in try Campaign(config: base, sources: sources) }
            let folds = try SweepRunner(spec: spec, sources: sources).folds()
            total = spec.firstRuns(folds: folds).count + folds.count
        } catch {
            throw .invalid(error)
        }
        let id = Self.newId()
        let record = SweepRecord(id: id, name: spec.name, status: .running, objective: spec.objective.rawValue, spec: spec.tree,
                                 totalRuns: total, createdAtNs: MonotonicClock.wallNanoseconds())
        try reserve(id)
        do { try await store.createSweep(record) } catch {
            _ = live.withLock { $0.removeValue(forKey: id) }
            throw .unavailable("cannot store the sweep: \(error)")
        }
        start(record, spec: spec, finished: [])
        logger.info("sweep started", metadata: ["sweep": "\(id)", "runs": "\(total)", "parallel": "\(spec.parallel)"])
        return view(record, results: [])
    }

    /// Goes on with every unfinished sweep this process does not run (a previous process's), oldest first, as far
    /// as `maxConcurrent` allows; the others start as running ones end. Returns the ids started.
    public func resumeUnfinished() async -> [String] {
        let unfinished: [SweepRecord]
        do { unfinished = try store.unfinishedSweeps() } catch {
            logger.error("cannot read unfinished sweeps", metadata: ["error": "\(error)"])
            return []
        }
        var resumed: [String] = []
        let running = live.withLock { Set($0.keys) }
        for var record in unfinished where !running.contains(record.id) {
            guard live.withLock({ $0.count < maxConcurrent }) else { break }
            let spec: SweepSpec
            let finished: [SweepResult]
            do {
                spec = try SweepSpec.parse(record.spec)
                finished = try store.sweepRunSummaries(sweepId: record.id).compactMap { SweepReport.result($0, objective: spec.objective) }
            } catch let error as ConfigError {
                // A sweep this build no longer accepts stays failed, with why, instead of being tried at every start.
                record.status = .failed
                record.error = "cannot resume: \(error)"
                try? await store.updateSweep(record)
                logger.error("sweep not resumed", metadata: ["sweep": "\(record.id)", "error": "\(error)"])
                continue
            } catch {
                logger.error("sweep not resumed", metadata: ["sweep": "\(record.id)", "error": "\(error)"])
                continue
            }
            do { try reserve(record.id) } catch { break }
            if record.status != .running {
                record.status = .running
                do { try await store.updateSweep(record) } catch {
                    _ = live.withLock { $0.removeValue(forKey: record.id) }
                    logger.error("sweep not resumed", metadata: ["sweep": "\(record.id)", "error": "\(error)"])
                    continue
                }
            }
            start(record, spec: spec, finished: finished)
            resumed.append(record.id)
            logger.info("sweep resumed", metadata: ["sweep": "\(record.id)", "finished_runs": "\(finished.count)"])
        }
        return resumed
    }

    /// Stops every running sweep where it is (the runs running are dropped) and marks it interrupted.
    public func interruptAll() async {
        let tasks = live.withLock { live in live.values.map { ($0.control, $0.task) } }
        for (control, _) in tasks { control.requestStop() }
        for (_, task) in tasks { await task?.value }
    }

    public func deleteSweep(id: String) async throws(ServiceError) {
        guard try read({ try store.sweep(id: id) }) != nil else { throw .notFound("no sweep \(id)") }
        let task = live.withLock { live -> Task<Void, Never>? in
            live[id]?.deleting = true
            live[id]?.control.requestStop()
            return live[id]?.task
        }
        await task?.value
        do { try await store.deleteSweep(id: id) } catch let error as StoreError where error.code == .notFound {
            throw .notFound("no sweep \(id)")
        } catch { throw .unavailable("cannot delete the sweep: \(error)") }
        logger.info("sweep deleted", metadata: ["sweep": "\(id)"])
    }

    // MARK: Reads

    public func sweep(id: String) throws(ServiceError) -> JSONValue {
        guard let record = try read({ try store.sweep(id: id) }) else { throw .notFound("no sweep \(id)") }
        let objective = SweepSpec.Objective(rawValue: record.objective) ?? .netPnl
        let results = try read { try store.sweepRunSummaries(sweepId: id) }.compactMap { SweepReport.result($0, objective: objective) }
        return view(record, results: results)
    }

    public func listSweeps(limit: Int, cursor: String?) throws(ServiceError) -> Page<JSONValue> {
        let page = try read { try store.listSweeps(limit: limit, cursor: cursor) }
        return Page(items: page.items.map { summary($0) }, nextCursor: page.nextCursor)
    }

    public func sweepRuns(id: String, limit: Int, cursor: String?) throws(ServiceError) -> Page<JSONValue> {
        guard try read({ try store.sweep(id: id) }) != nil else { throw .notFound("no sweep \(id)") }
        return try read { try store.sweepRuns(sweepId: id, limit: limit, cursor: cursor) }
    }

    public func sweepRunStats(id: String, run: Int) throws(ServiceError) -> JSONValue {
        guard try read({ try store.sweep(id: id) }) != nil else { throw .notFound("no sweep \(id)") }
        guard let stats = try read({ try store.sweepRunStats(sweepId: id, run: run) }) else {
            throw .notFound("sweep \(id) has no finished run \(run)")
        }
        return stats
    }

    // MARK: Running

    private func reserve(_ id: String) throws(ServiceError) {
        let reserved = live.withLock { live -> Bool in
            guard live.count < maxConcurrent, live[id] == nil else { return false }
            live[id] = Live(control: SweepControl())
            return true
        }
        guard reserved else { throw .conflict("\(maxConcurrent) sweep(s) running, the most allowed (--max-concurrent-sweeps)") }
    }

    /// Runs the sweep on a task of its own, storing each run as it ends, in order of ending.
    private func start(_ record: SweepRecord, spec: SweepSpec, finished: [SweepResult]) {
        guard let control = live.withLock({ $0[record.id]?.control }) else { return }
        let runner = SweepRunner(spec: spec, sources: makeSources(), control: control)
        let (stream, results) = AsyncStream.makeStream(of: SweepResult.self)
        let store = self.store, logger = self.logger, id = record.id
        let writer = Task {
            for await result in stream {
                let summary = SweepReport.tree(result, stats: false)
                do {
                    try await store.saveSweepRun(sweepId: id, SweepRunRecord(run: result.run.number, objective: result.objective,
                                                                            summary: summary, stats: result.stats?.tree ?? .null))
                } catch {
                    logger.error("a sweep run could not be stored; it runs again when the sweep resumes",
                                 metadata: ["sweep": "\(id)", "run": "\(result.run.number)", "error": "\(error)"])
                }
            }
        }
        let task = Task.detached { [weak self] in
            var record = record
            do {
                let outcome = try await runner.run(finished: finished) { results.yield($0) }
                record.status = outcome.complete ? .completed : .interrupted
            } catch {
                record.status = .failed
                record.error = "\(error)"
            }
            results.finish()
            await writer.value
            let deleting = self?.live.withLock { $0[id]?.deleting } ?? false
            if !deleting {
                if record.status != .interrupted { record.finishedAtNs = MonotonicClock.wallNanoseconds() }
                do { try await store.updateSweep(record) } catch {
                    logger.error("the sweep's end could not be stored", metadata: ["sweep": "\(id)", "error": "\(error)"])
                }
                logger.info("sweep ended", metadata: ["sweep": "\(id)", "status": "\(record.status.rawValue)"])
            }
            _ = self?.live.withLock { $0.removeValue(forKey: id) }
            // Room for a sweep left waiting (more were unfinished at the start than may run at once).
            if !deleting && record.status != .interrupted { _ = await self?.resumeUnfinished() }
        }
        live.withLock { $0[record.id]?.task = task }
    }

    // MARK: Views

    /// A sweep as the API shows it: its record, progress and ranking.
    func view(_ record: SweepRecord, results: [SweepResult]) -> JSONValue {
        guard case .object(var o) = summary(record, finished: results.count) else { return .null }
        o["spec"] = record.spec
        for (key, value) in SweepReport.ranking(results) { o[key] = value }
        return .object(o)
    }

    func summary(_ record: SweepRecord, finished: Int? = nil) -> JSONValue {
        let done = finished ?? ((try? store.sweepRunCount(sweepId: record.id)) ?? 0)
        return [
            "id": .string(record.id), "name": record.name.map(JSONValue.string) ?? .null, "status": .string(record.status.rawValue),
            "error": record.error.map(JSONValue.string) ?? .null, "objective": .string(record.objective),
            "runs_total": .int(Int64(record.totalRuns)), "runs_finished": .int(Int64(done)),
            "created_at": .string(UTCTime.format(record.createdAtNs)),
            "finished_at": record.finishedAtNs.map { .string(UTCTime.format($0)) } ?? .null,
        ]
    }

    private func read<T>(_ body: () throws -> T) throws(ServiceError) -> T {
        do { return try body() } catch { throw CampaignManager.readError(error) }
    }

    /// `s` and 16 hex digits.
    static func newId() -> String {
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        return "s" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
