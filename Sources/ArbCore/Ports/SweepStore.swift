/// Where a sweep is in its life.
public enum SweepStatus: String, Sendable, Codable, CaseIterable {
    /// Runs are going (or waiting for the service to start them again).
    case running
    /// Every run finished.
    case completed
    /// The service stopped while it ran; it goes on with the runs it had not finished at the next start.
    case interrupted
    /// It could not go on (its market data is gone, say); `error` says why.
    case failed
}

/// A sweep as stored: the sweep object as given (a file's base read in), its state, its size.
public struct SweepRecord: Sendable, Codable, Equatable {
    public var id: String
    public var name: String?
    public var status: SweepStatus
    public var error: String?
    public var objective: String
    /// The sweep object (`base`, `grid` or `random`, `objective`, `walk_forward`, `parallel`).
    public var spec: JSONValue
    /// Runs the sweep makes in all (a walk-forward's report runs included).
    public var totalRuns: Int
    /// Wall-clock times (ns since epoch).
    public var createdAtNs: Int64
    public var finishedAtNs: Int64?

    public init(id: String, name: String?, status: SweepStatus, error: String? = nil, objective: String, spec: JSONValue,
                totalRuns: Int, createdAtNs: Int64, finishedAtNs: Int64? = nil) {
        self.id = id
        self.name = name
        self.status = status
        self.error = error
        self.objective = objective
        self.spec = spec
        self.totalRuns = totalRuns
        self.createdAtNs = createdAtNs
        self.finishedAtNs = finishedAtNs
    }
}

/// One finished run of a sweep as stored: its number and objective (what ranks it), its summary (overrides,
/// figures, config) and its full stats.
public struct SweepRunRecord: Sendable, Equatable {
    public var run: Int
    public var objective: Double?
    public var summary: JSONValue
    public var stats: JSONValue

    public init(run: Int, objective: Double?, summary: JSONValue, stats: JSONValue) {
        self.run = run
        self.objective = objective
        self.summary = summary
        self.stats = stats
    }
}

/// Where sweeps and their finished runs live: each run is stored as it ends, so a sweep the process lost
/// (kill -9) goes on from the runs it had.
public protocol SweepStore: Sendable {
    func createSweep(_ record: SweepRecord) async throws
    func updateSweep(_ record: SweepRecord) async throws
    func sweep(id: String) throws -> SweepRecord?
    /// Newest first.
    func listSweeps(limit: Int, cursor: String?) throws -> Page<SweepRecord>
    /// Deletes the sweep and its runs.
    func deleteSweep(id: String) async throws
    func saveSweepRun(sweepId: String, _ run: SweepRunRecord) async throws
    /// Runs' summaries in run order.
    func sweepRuns(sweepId: String, limit: Int, cursor: String?) throws -> Page<JSONValue>
    /// Every finished run's summary, in run order.
    func sweepRunSummaries(sweepId: String) throws -> [JSONValue]
    func sweepRunCount(sweepId: String) throws -> Int
    /// One run's stats.
    func sweepRunStats(sweepId: String, run: Int) throws -> JSONValue?
    /// Sweeps a previous process left `running` or `interrupted`, oldest first.
    func unfinishedSweeps() throws -> [SweepRecord]
}

/// What the API does with sweeps (SPEC §10): bodies in and out are JSON trees.
public protocol SweepOperations: Sendable {
    func createSweep(_ body: JSONValue) async throws(ServiceError) -> JSONValue
    func sweep(id: String) throws(ServiceError) -> JSONValue
    func listSweeps(limit: Int, cursor: String?) throws(ServiceError) -> Page<JSONValue>
    func sweepRuns(id: String, limit: Int, cursor: String?) throws(ServiceError) -> Page<JSONValue>
    func sweepRunStats(id: String, run: Int) throws(ServiceError) -> JSONValue
    /// Stops the sweep if it runs and deletes it with its runs.
    func deleteSweep(id: String) async throws(ServiceError)
}
