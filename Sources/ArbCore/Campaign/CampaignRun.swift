/// The run policy of a campaign, shared by the simulated-time and realtime drivers: when its timed duties fall
/// due (ticks, equity samples, checkpoints, universe refreshes) and when, and why, it stops. A pure value: the
/// drivers feed it what happened (`handle`) and the time, and do what it answers; they only wait and do I/O.
///
/// One precedence decides the stop reason when several hold at once (`stopReason(atNs:)`): a route failure that
/// fails the campaign, then the emergency stop, then an operator's request (interrupt or stop), then the runtime,
/// then the end of the recorded data, then every route being done. A failed kernel is not trusted to trade its
/// way out, a loss limit outranks a request because it also unwinds, and a deadline names the configured limit
/// rather than the data that happened to end with it.
public struct CampaignRun: Sendable {
    /// The run's timing, from the session config.
    public struct Plan: Sendable, Equatable {
        /// Campaign clock at the first start (also when resumed) and the deadline (`max_runtime_seconds`).
        public var startNs: Int64
        public var endNs: Int64
        /// `loop_interval_ms`; nil = event-driven (each book evaluates its route).
        public var tickIntervalNs: Int64?
        public var sampleIntervalNs: Int64
        /// `checkpoint_seconds`; nil when nobody takes checkpoints.
        public var checkpointIntervalNs: Int64?
        /// `universe.refresh_seconds`; nil = the universe is fixed.
        public var refreshIntervalNs: Int64?

        /// The shortest interval between two checkpoints (the config's own minimum is far above it).
        public static let minimumCheckpointNs: Int64 = 1_000_000

        public init(startNs: Int64, runtimeSeconds: Double, loopIntervalMs: Double, sampleIntervalNs: Int64,
                    checkpointSeconds: Double?, refreshSeconds: Double) {
            self.startNs = startNs
            endNs = startNs + Int64(runtimeSeconds * 1e9)
            tickIntervalNs = loopIntervalMs > 0 ? Swift.max(1, Int64(loopIntervalMs * 1e6)) : nil
            self.sampleIntervalNs = Swift.max(1, sampleIntervalNs)
            checkpointIntervalNs = checkpointSeconds.map { Swift.max(Self.minimumCheckpointNs, Int64($0 * 1e9)) }
            refreshIntervalNs = refreshSeconds > 0 ? Swift.max(1_000_000, Int64(refreshSeconds * 1e9)) : nil
        }
    }

    /// What happened, as a driver sees it.
    public enum Event: Sendable, Equatable {
        /// An operator asked to stop; `interrupt` halts for a later resume instead (service shutdown).
        case stopRequested(interrupt: Bool)
        /// The risk coordinator reached `emergency_stop_loss_usd`.
        case emergencyStop
        /// A route failed and the campaign fails with it (`per_symbol_isolation: false`).
        case routeFailed
        /// The routes' tally changed (a route reached `max_iterations` or failed alone, or routes joined).
        case routes(RouteTally)
        /// A recorded source has nothing after this instant.
        case dataEnd(atNs: Int64)
    }

    /// What the simulated driver does next, in market time.
    public enum Step: Sendable, Equatable {
        case checkpoint(atNs: Int64)
        case sample(atNs: Int64)
        case refresh(atNs: Int64)
        /// A transfer changes state (arrives, fails, comes back).
        case transfers(atNs: Int64)
        /// An order leg reaches its venue.
        case deliver(atNs: Int64)
        /// The source's next book.
        case book(atNs: Int64)
        /// Every route evaluates (`loop_interval_ms`).
        case tick(atNs: Int64)
        case stop(StopReason, atNs: Int64)
    }

    public let plan: Plan
    /// The latest instant the run has reached.
    public private(set) var nowNs: Int64
    public private(set) var nextTickNs: Int64
    public private(set) var nextSampleNs: Int64
    /// `.max` when there are no checkpoints or no refreshes.
    public private(set) var nextCheckpointNs: Int64
    public private(set) var nextRefreshNs: Int64

    private var request: StopReason?
    private var emergency = false
    private var failedHard = false
    private var dataEndNs: Int64?
    public private(set) var routes: RouteTally

    /// A fresh run at `plan.startNs`, or one resuming at `resume.timeNs` from a checkpoint's driver state.
    public init(plan: Plan, routes: RouteTally, resume: (driver: DriverState, timeNs: Int64)? = nil) {
        self.plan = plan
        self.routes = routes
        let now = resume?.timeNs ?? plan.startNs
        nowNs = now
        nextTickNs = resume?.driver.nextTickNs ?? plan.startNs
        nextSampleNs = resume?.driver.nextSampleNs ?? plan.startNs
        nextCheckpointNs = plan.checkpointIntervalNs.map { now + $0 } ?? .max
        nextRefreshNs = .max
        nextRefreshNs = refreshInstant(after: now, inclusive: resume != nil)
    }

    /// Takes note of what happened.
    public mutating func handle(_ event: Event) {
        switch event {
        case .stopRequested(let interrupt):
            // An interrupt wins over a plain request: the run must be resumable.
            if request != .interrupted { request = interrupt ? .interrupted : .requested }
        case .emergencyStop: emergency = true
        case .routeFailed: failedHard = true
        case .routes(let tally): routes = tally
        case .dataEnd(let t): dataEndNs = t
        }
    }

    /// Why the run must stop at `nowNs`, by the one precedence; nil while it goes on.
    public func stopReason(atNs nowNs: Int64) -> StopReason? {
        if failedHard { return .routeFailed }
        if emergency { return .emergencyStop }
        if let request { return request }
        if nowNs >= plan.endNs { return .runtime }
        if let dataEndNs, nowNs >= dataEndNs { return .endOfData }
        if routes.allDone { return routes.allFailed ? .routeFailed : .iterations }
        return nil
    }

    /// True when the run must stop now (the simulated driver leaves a tick's loop over the routes).
    public var mustStop: Bool { stopReason(atNs: nowNs) != nil }

    /// The next step of a simulated run, given when the source's next book is (nil: none), when the next order
    /// leg is due (nil: none) and where the source's data ends (nil: it does not). Advances the clock and the
    /// schedule of the step it returns; at equal instants a checkpoint comes first, then a sample, a refresh,
    /// transfers, a leg, a book, a tick, so a resumed run replays the uninterrupted one exactly.
    public mutating func next(marketNs: Int64?, dueNs: Int64?, dataEndNs sourceEnd: Int64?, transferNs: Int64? = nil) -> Step {
        if let reason = stopReason(atNs: nowNs) { return .stop(reason, atNs: nowNs) }
        let tMarket = marketNs ?? .max
        let tTick = plan.tickIntervalNs == nil ? Int64.max : nextTickNs
        let tDue = dueNs ?? .max
        // A transfer made from outside (an operator's) may be due before the run's clock: it settles now.
        let tTransfer = transferNs.map { Swift.max($0, nowNs) } ?? .max
        // A recorded source ends the campaign where its data ends, once its last book is out.
        let tDataEnd = marketNs == nil ? (sourceEnd ?? .max) : .max
        let t = Swift.min(tMarket, tTick, nextSampleNs, nextCheckpointNs, Swift.min(tDue, tTransfer), nextRefreshNs)
        if Swift.min(t, tDataEnd) >= plan.endNs || tDataEnd <= t {
            if tDataEnd != .max { dataEndNs = tDataEnd }
            nowNs = Swift.min(plan.endNs, Swift.max(nowNs, tDataEnd))
            return .stop(stopReason(atNs: nowNs) ?? .runtime, atNs: nowNs)
        }
        nowNs = t
        if nextCheckpointNs == t {
            nextCheckpointNs += plan.checkpointIntervalNs ?? 0
            return .checkpoint(atNs: t)
        }
        if nextSampleNs == t {
            nextSampleNs += plan.sampleIntervalNs
            return .sample(atNs: t)
        }
        if nextRefreshNs == t {
            nextRefreshNs = refreshInstant(after: t, inclusive: false)
            return .refresh(atNs: t)
        }
        if tTransfer == t { return .transfers(atNs: t) }
        if tDue == t { return .deliver(atNs: t) }
        if tMarket <= tTick { return .book(atNs: t) }
        nextTickNs += plan.tickIntervalNs ?? 0
        return .tick(atNs: t)
    }

    /// The loop's state for a checkpoint (or the cut of an interrupted run).
    public func driverState(bookUpdates: Int, equity: [EquityPoint]) -> DriverState {
        DriverState(nextTickNs: nextTickNs, nextSampleNs: nextSampleNs, bookUpdates: bookUpdates, equity: equity)
    }

    // MARK: Schedules a realtime driver's tasks keep on their own

    /// The first refresh instant after `nowNs` (at or after it when resuming), on the grid `startNs + k·interval`
    /// with k ≥ 1, so a resumed run refreshes at the same instants as the uninterrupted one; `.max` without
    /// refreshes.
    public func refreshInstant(after nowNs: Int64, inclusive: Bool) -> Int64 {
        guard let interval = plan.refreshIntervalNs else { return .max }
        let elapsed = Swift.max(0, nowNs - plan.startNs)
        var k = elapsed / interval
        if !(inclusive && k * interval == elapsed) { k += 1 }
        return plan.startNs + Swift.max(1, k) * interval
    }

    /// A realtime route's first tick: after `iterations` evaluations of the run so far (each at its tick from the
    /// start), or, for a route that joined at `joinedAtNs`, the next tick after it.
    public func firstTick(iterations: Int, joinedAtNs: Int64?) -> Int64 {
        guard let interval = plan.tickIntervalNs else { return .max }
        if let joined = joinedAtNs { return plan.startNs + ((joined - plan.startNs) / interval + 1) * interval }
        return plan.startNs + Int64(iterations) * interval
    }
}

/// How many routes a campaign has, and how many of them are done (failed or at `max_iterations`).
public struct RouteTally: Sendable, Equatable {
    public var total: Int
    public var done: Int
    public var failed: Int

    public init(total: Int, done: Int = 0, failed: Int = 0) {
        self.total = total
        self.done = done
        self.failed = failed
    }

    public var allDone: Bool { done >= total }
    public var allFailed: Bool { failed >= total }

    /// The tally once one more route is done.
    public func finishing(failed: Bool) -> RouteTally {
        RouteTally(total: total, done: done + 1, failed: self.failed + (failed ? 1 : 0))
    }

    /// The tally once `count` routes joined.
    public func joining(_ count: Int) -> RouteTally { RouteTally(total: total + count, done: done, failed: failed) }
}
