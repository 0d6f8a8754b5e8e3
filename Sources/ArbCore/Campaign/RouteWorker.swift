import Synchronization

/// Everything one route owns while a campaign runs: its engine, its latency histograms and its outcome.
///
/// `@unchecked Sendable`: the mutable fields are touched only by the single task that drives the route (the
/// realtime driver's route task, or the simulated loop), and by the campaign after that task has been joined.
/// Other readers use the atomic counters or the coordinator's state.
public final class RouteWorker: @unchecked Sendable {
    public var engine: RouteEngine
    /// Why the route stopped with an error; nil while healthy. Written before `done` is set.
    public var failure: String?
    private let finished = Atomic<Bool>(false)
    /// True once the route has stopped evaluating (iterations reached or failed). Readable from any thread;
    /// `failure` may be read once this is true.
    public var done: Bool {
        get { finished.load(ordering: .acquiring) }
        set { finished.store(newValue, ordering: .releasing) }
    }
    /// The entry or exit whose legs are on their way to the venues.
    public var pending: PendingLegs? {
        didSet { isWaiting = pending != nil }
    }
    /// Whether an order is in flight (cheaper to ask than `pending != nil`).
    public private(set) var isWaiting = false
    /// False once the route left the universe: it takes no new entries and unwinds.
    public var inUniverse = true
    public let loopLatency = LatencyHistogram()
    public let tickToDecision = LatencyHistogram()
    /// Evaluations so far, readable from any thread (progress, metrics).
    public let iterationCount = Atomic<Int>(0)
    var paramsVersion = 0

    public init(engine: RouteEngine) {
        self.engine = engine
    }

    public var route: Route { engine.route }
}
