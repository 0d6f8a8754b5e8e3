import ArbCore
import Dispatch
import HeapModule
import Synchronization

/// Drives a campaign on a virtual clock: one ordered event loop over every market update, route tick,
/// equity sample and checkpoint, as fast as the CPU goes. Deterministic: the same config and seed give the same
/// results, and a run resumed from one of its checkpoints ends exactly where the uninterrupted run does.
struct SimulatedDriver: Sendable {
    let kernel: CampaignKernel
    let session: SessionConfig
    let evaluator: RouteEvaluator
    let control: CampaignControl
    let startNs: Int64
    let sampleIntervalNs: Int64
    let refresh: UniverseRefresh
    /// Where to continue from (a checkpoint's driver state and time), or nil for a fresh start.
    var resume: ResumePoint?
    /// Called at every checkpoint instant with the loop's state; nil = no checkpoints.
    var onCheckpoint: CheckpointHook?

    func run<Source: ScheduledMarketSource>(source: inout Source) -> DriverOutcome {
        let endNs = startNs + Int64(session.maxRuntimeSeconds * 1e9)
        let intervalNs: Int64? = session.loopIntervalMs > 0 ? Swift.max(1, Int64(session.loopIntervalMs * 1e6)) : nil
        let checkpointNs = Swift.max(1, Int64(session.checkpointSeconds * 1e9))
        let fxMarket = kernel.layout.fxMarket
        var nextTick = resume?.driver.nextTickNs ?? startNs
        var nextSample = resume?.driver.nextSampleNs ?? startNs
        var equity = resume?.driver.equity ?? []
        var updates = resume?.driver.bookUpdates ?? 0
        var now = resume?.timeNs ?? startNs
        var nextCheckpoint = onCheckpoint == nil ? Int64.max : now + checkpointNs
        var nextRefresh = refresh.nextInstant(startNs: startNs, after: now, inclusive: resume != nil)
        var remaining = kernel.workers.filter { !$0.done }.count
        var reason: StopReason
        // Order legs in flight, by the time they reach their venue.
        var dues = Heap<Due>()
        for (i, worker) in kernel.workers.enumerated() {
            if let due = worker.pending?.nextDueNs { dues.insert(Due(timeNs: due, route: i)) }
        }

        /// Evaluates a route; the reason to end the campaign, if it must.
        func evaluate(_ route: Int, _ t: Int64) -> StopReason? {
            let worker = kernel.worker(route)
            let wasDone = worker.done
            let outcome = evaluator.evaluate(route, worker: worker, nowNs: t)
            if !outcome.alive { return .routeFailed }
            if let due = outcome.sentLegsDueNs { dues.insert(Due(timeNs: due, route: route)) }
            if !wasDone && worker.done {
                remaining -= 1
                if remaining == 0 { return evaluator.allFailed ? .routeFailed : .iterations }
            }
            return nil
        }

        loop: while true {
            if control.stopRequested { reason = control.interruptRequested ? .interrupted : .requested; break }
            if kernel.coordinator.isEmergencyStopped { reason = .emergencyStop; break }
            if remaining == 0 { reason = evaluator.allFailed ? .routeFailed : .iterations; break }
            let tMarket = source.nextTimeNs ?? .max
            let tTick = intervalNs == nil ? Int64.max : nextTick
            let tDue = dues.min?.timeNs ?? .max
            // A recorded source ends the campaign where its data ends.
            let tDataEnd = tMarket == .max ? (source.dataEndNs ?? .max) : .max
            let t = Swift.min(tMarket, tTick, nextSample, nextCheckpoint, tDue, nextRefresh)
            if Swift.min(t, tDataEnd) >= endNs { now = endNs; reason = .runtime; break }
            if tDataEnd <= t { now = Swift.max(now, tDataEnd); reason = .endOfData; break }
            now = t
            if nextCheckpoint == t {
                let state = DriverState(nextTickNs: nextTick, nextSampleNs: nextSample, bookUpdates: updates, equity: equity)
                if let onCheckpoint, let bytes = try? source.checkpointState() { onCheckpoint(t, state, bytes) }
                nextCheckpoint += checkpointNs
                continue
            }
            if nextSample == t {
                equity.append(kernel.equityPoint(at: t, startNs: startNs))
                nextSample += sampleIntervalNs
                control.setElapsed(t - startNs)
                continue
            }
            if nextRefresh == t {
                // The listing is read on this thread (a live one fetched): the simulated clock waits for it.
                let refresh = self.refresh, kernel = self.kernel
                if let plan = blockingWait({ await refresh.plan(for: kernel) }) {
                    refresh.applyFlags(plan, kernel: kernel, nowNs: t)
                    remaining += refresh.applyJoins(plan.join, kernel: kernel, source: &source, nowNs: t).count
                }
                nextRefresh = refresh.nextInstant(startNs: startNs, after: t, inclusive: false)
                continue
            }
            if tDue == t {
                let due = dues.removeMin()
                if let next = kernel.deliver(route: due.route, nowNs: t) { dues.insert(Due(timeNs: next, route: due.route)) }
                continue
            }
            if tMarket <= tTick {
                let market = source.emit(into: kernel.store)
                updates += 1
                if market == fxMarket {
                    kernel.fxBookUpdated()
                } else if intervalNs == nil, let end = evaluate(MarketLayout.route(ofBookMarket: market), t) {
                    reason = end
                    break loop
                }
            } else {
                for i in 0..<kernel.routeCount {
                    if let end = evaluate(i, t) { reason = end; break loop }
                }
                nextTick += intervalNs!
            }
        }
        control.setElapsed(now - startNs)
        if reason == .interrupted {
            // Halted between two events: the loop's state is the cut a resume continues from.
            let state = DriverState(nextTickNs: nextTick, nextSampleNs: nextSample, bookUpdates: updates, equity: equity)
            return DriverOutcome(reason: reason, endNs: now, equity: equity, bookUpdates: updates,
                                 cut: (state, (try? source.checkpointState()) ?? []))
        }
        if reason != .routeFailed || evaluator.isolation {
            CampaignFinish.flatten(kernel, reason: reason, flattenOnStop: session.flattenOnStop, nowNs: now)
        }
        equity.append(kernel.equityPoint(at: now, startNs: startNs))
        return DriverOutcome(reason: reason, endNs: now, equity: equity, bookUpdates: updates)
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
