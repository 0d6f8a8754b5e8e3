import ArbCore
import CPrefetch
import Dispatch
import HeapModule
import Synchronization

/// Drives a campaign on a virtual clock: one ordered event loop over every market update, route tick,
/// equity sample and checkpoint, as fast as the CPU goes. Deterministic: the same config and seed give the same
/// results, and a run resumed from one of its checkpoints ends exactly where the uninterrupted run does.
struct SimulatedDriver: Sendable {
    var startNs: Int64 { plan.startNs }
    let kernel: CampaignKernel
    let session: SessionConfig
    let evaluator: RouteEvaluator
    let control: CampaignControl
    /// The run's timing (`startNs` is the first start's, also when resumed).
    let plan: CampaignRun.Plan
    let refresh: UniverseRefresh
    /// Where to continue from (a checkpoint's driver state and time), or nil for a fresh start.
    var resume: ResumePoint?
    /// Called at every checkpoint instant with the loop's state; nil = no checkpoints.
    var onCheckpoint: CheckpointHook?

    /// From this many markets on, each book has the next one's reader fetched ahead: with fewer, every route's
    /// memory stays in a core's caches and the hints would only cost.
    static let prefetchFrom = 128

    func run<Source: ScheduledMarketSource>(source: inout Source) -> DriverOutcome {
        var run = CampaignRun(plan: plan, routes: kernel.routeTally, resume: resume.map { ($0.driver, $0.timeNs) })
        // Which routes read each market; joins add to it.
        var map = kernel.marketMap
        var equity = resume?.driver.equity ?? []
        var updates = resume?.driver.bookUpdates ?? 0
        // Order legs in flight, by the time they reach their venue.
        var dues = Heap<Due>()
        for (i, worker) in kernel.workers.enumerated() {
            if let due = worker.pending?.nextDueNs { dues.insert(Due(timeNs: due, route: i)) }
        }

        /// Takes one route's outcome; true when the run must stop.
        func handle(_ route: Int, _ worker: RouteWorker, _ outcome: RouteEvaluator.Outcome, wasDone: Bool) -> Bool {
            if !outcome.alive { run.handle(.routeFailed); return true }
            if let due = outcome.sentLegsDueNs { dues.insert(Due(timeNs: due, route: route)) }
            guard !wasDone && worker.done else { return false }
            run.handle(.routes(run.routes.finishing(failed: worker.failure != nil)))
            return run.mustStop
        }

        /// Evaluates the routes that see instant `t`: one alone, several together with their entries in priority
        /// order (a route done before is skipped, so one done after has just finished). True when the run must stop.
        func evaluate(_ routes: [Int], _ t: Int64) -> Bool {
            if routes.count == 1 { return evaluate(only: routes[0], t) }
            return evaluator.evaluate(together: routes, nowNs: t) { handle($0, $1, $2, wasDone: false) }
        }
        func evaluate(only route: Int, _ t: Int64) -> Bool {
            kernel.withWorker(route) { worker in
                let wasDone = worker.done
                return handle(route, worker, evaluator.evaluate(route, worker: worker, nowNs: t), wasDone: wasDone)
            }
        }

        var reason: StopReason
        loop: while true {
            if control.stopRequested { run.handle(.stopRequested(interrupt: control.interruptRequested)) }
            if kernel.coordinator.isEmergencyStopped { run.handle(.emergencyStop) }
            switch run.next(marketNs: source.nextTimeNs, dueNs: dues.min?.timeNs, dataEndNs: source.dataEndNs, transferNs: kernel.nextTransferDueNs) {
            case .stop(let why, _):
                reason = why
                break loop
            case .checkpoint(let t):
                let state = run.driverState(bookUpdates: updates, equity: equity)
                if let onCheckpoint, let bytes = try? source.checkpointState() { onCheckpoint(t, state, bytes) }
            case .sample(let t):
                equity.append(kernel.equityPoint(at: t, startNs: startNs))
                control.setElapsed(t - startNs)
            case .refresh(let t):
                let joined = refreshUniverse(at: t, source: &source)
                if joined > 0 {
                    map = kernel.marketMap
                    run.handle(.routes(run.routes.joining(joined)))
                }
            case .transfers(let t): kernel.settleTransfers(nowNs: t)
            case .deliver(let t):
                let due = dues.removeMin()
                if let next = kernel.deliver(route: due.route, nowNs: t) { dues.insert(Due(timeNs: next, route: due.route)) }
            case .book(let t):
                let market = source.emit(into: kernel.store)
                updates += 1
                if map.count >= Self.prefetchFrom { prefetchReader(of: source.upcomingMarket, map) }
                if let venue = map.fxVenue(ofMarket: market) {
                    kernel.fxBookUpdated(venue)
                } else if plan.tickIntervalNs == nil {
                    let sole = map.soleReader(ofMarket: market)
                    if sole >= 0 ? evaluate(only: sole, t) : evaluate(map.readers[market], t) { continue loop }
                }
            case .tick(let t):
                if evaluate(Array(0..<kernel.routeCount), t) { continue loop }
            }
        }
        return finish(run, reason: reason, equity: equity, updates: updates, source: source)
    }

    /// Has the CPU fetch what evaluating the next book's reader reads first: evaluated an event from now, at
    /// 1,000 routes its worker, latency counters and other book lie outside the core's caches.
    @inline(__always)
    private func prefetchReader(of market: Int?, _ map: MarketMap) {
        guard let market else { return }
        let reader = map.soleReader(ofMarket: market)
        guard reader >= 0 else { return }
        let memory = kernel.evaluationMemory(route: reader, markets: map.routes[reader])
        for line in 0..<EvaluationMemory.workerLines { arb_prefetch(memory.worker + 64 * line) }
        arb_prefetch(memory.latency)
        arb_prefetch(memory.latency + 64)
        arb_prefetch(memory.topA)
        arb_prefetch(memory.topB)
    }

    /// The outcome of a loop that stopped for `reason`: the cut a resume continues from when interrupted, else
    /// the pairs unwound as the session says and the last equity point.
    private func finish<Source: ScheduledMarketSource>(_ run: CampaignRun, reason: StopReason, equity: [EquityPoint],
                                                      updates: Int, source: Source) -> DriverOutcome {
        let now = run.nowNs
        control.setElapsed(now - startNs)
        if reason == .interrupted {
            // Halted between two events: the loop's state is the cut a resume continues from.
            return DriverOutcome(reason: reason, endNs: now, equity: equity, bookUpdates: updates,
                                 cut: (run.driverState(bookUpdates: updates, equity: equity), (try? source.checkpointState()) ?? []))
        }
        if reason != .routeFailed || evaluator.isolation {
            CampaignFinish.flatten(kernel, reason: reason, flattenOnStop: session.flattenOnStop, nowNs: now)
        }
        return DriverOutcome(reason: reason, endNs: now, equity: equity + [kernel.equityPoint(at: now, startNs: startNs)], bookUpdates: updates)
    }

    /// Re-resolves the universe at `t`; the number of routes that joined. The listing is read on this thread (a
    /// live one fetched): the simulated clock waits for it.
    private func refreshUniverse<Source: ScheduledMarketSource>(at t: Int64, source: inout Source) -> Int {
        let refresh = self.refresh, kernel = self.kernel
        guard let plan = blockingWait({ await refresh.plan(for: kernel) }) else { return 0 }
        refresh.applyFlags(plan, kernel: kernel, nowNs: t)
        return refresh.applyJoins(plan.join, kernel: kernel, source: &source, nowNs: t).count
    }
}

/// Runs `operation` to its end from a thread that may block (the simulated campaign's own thread).
func blockingWait<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
    let result = Mutex<T?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        let value = await operation()
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return result.withLock { $0! }
}

/// An order leg reaching its venue.
struct Due: Comparable {
    var timeNs: Int64
    var route: Int
    static func < (a: Due, b: Due) -> Bool { a.timeNs != b.timeNs ? a.timeNs < b.timeNs : a.route < b.route }
}

/// What happens to open pairs when a campaign ends.
enum CampaignFinish {
    /// Unwinds every open pair when `flatten_on_stop` (always on an emergency stop).
    static func flatten(_ kernel: CampaignKernel, reason: StopReason, flattenOnStop: Bool, nowNs: Int64) {
        let emergency = reason == .emergencyStop || kernel.coordinator.isEmergencyStopped
        guard flattenOnStop || emergency else { return }
        for worker in kernel.workers where worker.engine.isHolding {
            kernel.flatten(route: worker.route.index, reason: emergency ? "emergency_stop" : "campaign_end", nowNs: nowNs)
        }
    }
}
