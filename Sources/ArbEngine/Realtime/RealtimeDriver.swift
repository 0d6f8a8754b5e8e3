import ArbCore
import Synchronization

/// Drives a campaign on the wall clock: a feed task writes the market stream into the store at its event
/// times and evaluates the route of each book, route tasks wait for orders in flight (or evaluate at every
/// tick), a sampler records the equity curve, a refresher re-resolves the universe, and the supervisor ends the
/// run when `CampaignRun`, the run policy both drivers share, says so.
///
/// Checkpoints are cut by the feed task, which owns the market source: it closes the gate, so no evaluation or
/// delivery is halfway, and hands the kernel's state over with the source's.
struct RealtimeDriver: Sendable {
    let kernel: CampaignKernel
    let session: SessionConfig
    let evaluator: RouteEvaluator
    let control: CampaignControl
    let clock: RealtimeClock
    /// The run's timing (`startNs` is the first start's, also when resumed).
    let plan: CampaignRun.Plan
    let resources: ResourceSampler
    let refresh: UniverseRefresh
    var resume: ResumePoint?
    var onCheckpoint: CheckpointHook?

    var startNs: Int64 { plan.startNs }

    func run<Source: ScheduledMarketSource>(source: Source) async -> DriverOutcome {
        var run = CampaignRun(plan: plan, routes: kernel.routeTally, resume: resume.map { ($0.driver, $0.timeNs) })
        let state = RealtimeRunState(routeCapacity: kernel.routeCapacity, updates: resume?.driver.bookUpdates ?? 0,
                                     nextSampleNs: run.nextSampleNs, equity: resume?.driver.equity ?? [])
        // A route resumed with an order in flight belongs to its task until the legs arrive.
        if plan.tickIntervalNs == nil {
            for (i, worker) in kernel.workers.enumerated() where worker.pending != nil { state.ownership[i].startHandedOff() }
        }
        let firstCheckpointNs = run.nextCheckpointNs, schedule = run
        let reason = await withTaskGroup(of: Void.self) { group -> StopReason in
            group.addTask { await self.feed(source, state, firstCheckpointNs: firstCheckpointNs) }
            for i in 0..<kernel.routeCount {
                group.addTask { await self.routeTask(i, schedule, state, joined: false) }
            }
            group.addTask { await self.sample(state) }
            if plan.refreshIntervalNs != nil {
                group.addTask { await self.refreshUniverse(schedule, state) }
            }
            let reason = await supervise(&run, state, &group)
            state.stopping.store(true, ordering: .relaxed)
            for ownership in state.ownership { ownership.close() }
            group.cancelAll()
            return reason
        }
        return finish(reason, state)
    }

    /// Starts the tasks of routes that joined, feeds the run policy what the tasks report, and returns the stop
    /// reason it gives. Checks every 5 ms (well inside any loop interval) and at the exact deadline.
    private func supervise(_ run: inout CampaignRun, _ state: RealtimeRunState, _ group: inout TaskGroup<Void>) async -> StopReason {
        while true {
            for i in state.takeJoined() {
                let snapshot = run
                group.addTask { await self.routeTask(i, snapshot, state, joined: true) }
            }
            let now = clock.now()
            control.setElapsed(now - startNs)
            // Transfers arrive within one pass of this loop (5 ms); one atomic load when none is due.
            kernel.settleTransfers(nowNs: now, closingPairs: false)
            if control.stopRequested { run.handle(.stopRequested(interrupt: control.interruptRequested)) }
            if kernel.coordinator.isEmergencyStopped { run.handle(.emergencyStop) }
            if state.failedHard.load(ordering: .relaxed) { run.handle(.routeFailed) }
            let dataEnd = state.dataEndNs.load(ordering: .relaxed)
            if dataEnd != .max { run.handle(.dataEnd(atNs: dataEnd)) }
            // The full tally only once every route is done: counting a thousand routes every 5 ms is not free,
            // while finding the first one still running is.
            if kernel.workers.allSatisfy(\.done) { run.handle(.routes(kernel.routeTally)) }
            if let reason = run.stopReason(atNs: now) { return reason }
            try? await Task.sleep(for: Swift.min(.milliseconds(5), clock.wall(Swift.max(0, plan.endNs - now))))
        }
    }

    /// Every task has ended: an interrupted run hands its cut over; any other unwinds (unless a route failed the
    /// campaign) and closes its equity curve.
    private func finish(_ reason: StopReason, _ state: RealtimeRunState) -> DriverOutcome {
        let endNow = clock.now()
        resources.sample(final: true)
        let updates = state.updates.load(ordering: .relaxed)
        if reason == .interrupted {
            // The kernel as it stands is the cut; orders in flight stay in flight.
            return DriverOutcome(reason: reason, endNs: endNow, equity: state.equity.withLock { $0 }, bookUpdates: updates,
                                 cut: (state.driverState(), state.finalSource.withLock { $0 }))
        }
        if reason != .routeFailed || evaluator.isolation {
            CampaignFinish.flatten(kernel, reason: reason, flattenOnStop: session.flattenOnStop, nowNs: endNow)
        }
        var points = state.equity.withLock { $0 }
        points.append(kernel.equityPoint(at: endNow, startNs: startNs))
        return DriverOutcome(reason: reason, endNs: endNow, equity: points, bookUpdates: updates)
    }

    /// Records the equity curve and the resource samples on the run's schedule.
    private func sample(_ state: RealtimeRunState) async {
        var next = state.nextSampleNs.load(ordering: .relaxed)
        while !state.stopping.load(ordering: .relaxed) {
            let now = clock.now()
            if now >= next {
                let point = kernel.equityPoint(at: now, startNs: startNs)
                state.equity.withLock { $0.append(point) }
                resources.sample()
                next += plan.sampleIntervalNs
                state.nextSampleNs.store(next, ordering: .relaxed)
            }
            try? await Task.sleep(for: Swift.max(.milliseconds(1), clock.wall(next - clock.now())))
        }
    }

    /// Universe refreshes: flags flip at once; joins go to the feed task, which owns the source.
    private func refreshUniverse(_ run: CampaignRun, _ state: RealtimeRunState) async {
        var next = run.refreshInstant(after: clock.now(), inclusive: resume != nil)
        while !state.stopping.load(ordering: .relaxed) {
            let wait = next - clock.now()
            if wait > 0 {
                try? await Task.sleep(for: Swift.min(clock.wall(wait), .milliseconds(50)))
                continue
            }
            next = run.refreshInstant(after: clock.now(), inclusive: false)
            // The previous joins are still on their way: plan again at the next refresh.
            if state.hasJoining.load(ordering: .acquiring) { continue }
            guard let plan = await refresh.plan(for: kernel), !state.stopping.load(ordering: .relaxed) else { continue }
            refresh.applyFlags(plan, kernel: kernel, nowNs: clock.now())
            if !plan.join.isEmpty { state.offerJoins(plan.join) }
        }
    }
}
