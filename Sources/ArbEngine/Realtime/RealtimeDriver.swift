import ArbCore
import Synchronization

/// Drives a campaign on the wall clock: a feed task writes the market stream into the store at its event
/// times, one task per route evaluates (on each new snapshot of either leg, or once per loop tick), and the
/// supervisor ends the run on time, on request, on an emergency stop or when every route is done.
///
/// Checkpoints are cut by the feed task, which owns the market source: it closes the gate, so no evaluation or
/// delivery is halfway, and hands the kernel's state over with the source's.
struct RealtimeDriver {
    let kernel: CampaignKernel
    let session: SessionConfig
    let evaluator: RouteEvaluator
    let control: CampaignControl
    let clock: RealtimeClock
    /// Campaign time at the start (the first run's, also when resumed).
    let startNs: Int64
    let sampleIntervalNs: Int64
    let resources: ResourceSampler
    let refresh: UniverseRefresh
    var resume: ResumePoint?
    var onCheckpoint: CheckpointHook?

    /// State the driver's tasks share.
    final class RunState: Sendable {
        let stopping = Atomic<Bool>(false)
        let failedHard = Atomic<Bool>(false)
        let updates: Atomic<Int>
        let nextSampleNs: Atomic<Int64>
        let equity: Mutex<[EquityPoint]>
        /// The source's state when the feed stopped.
        let finalSource = Mutex<[UInt8]>([])
        let gate = CutGate()
        /// Where a recorded source's data ends, once the feed has read it all.
        let dataEndNs = Atomic<Int64>(.max)
        /// Routes joining the universe, from the refresh task to the feed task (which owns the source), then
        /// their indexes to the supervisor (which starts their tasks).
        let joining = Mutex<[UniverseMember]>([])
        let hasJoining = Atomic<Bool>(false)
        let joined = Mutex<[Int]>([])

        init(updates: Int, nextSampleNs: Int64, equity: [EquityPoint]) {
            self.updates = Atomic(updates)
            self.nextSampleNs = Atomic(nextSampleNs)
            self.equity = Mutex(equity)
        }

        func driverState() -> DriverState {
            DriverState(nextTickNs: 0, nextSampleNs: nextSampleNs.load(ordering: .relaxed),
                        bookUpdates: updates.load(ordering: .relaxed), equity: equity.withLock { $0 })
        }
    }

    /// The shortest sleep of the feed task between batches of scheduled books.
    static let feedBatch = Duration.milliseconds(1)

    /// Waits for an order's legs to reach their venues (simulated latency), delivering each on time. A stop
    /// cuts the wait short; the campaign's flatten (or the resume of a checkpoint) delivers what is left.
    static func awaitFills(_ kernel: CampaignKernel, route: Int, firstDueNs: Int64?, clock: RealtimeClock, gate: CutGate) async {
        var next = firstDueNs
        while let due = next {
            let wait = due - clock.now()
            if wait > 0 {
                do { try await Task.sleep(for: clock.wall(wait)) } catch { return }
            }
            next = gate.shared { kernel.deliver(route: route, nowNs: clock.now()) }
        }
    }

    func run<Source: ScheduledMarketSource>(source: Source) async -> DriverOutcome {
        let startNs = self.startNs
        let endNs = startNs + Int64(session.maxRuntimeSeconds * 1e9)
        let intervalNs: Int64? = session.loopIntervalMs > 0 ? Swift.max(1, Int64(session.loopIntervalMs * 1e6)) : nil
        let checkpointNs = Swift.max(1_000_000, Int64(session.checkpointSeconds * 1e9))
        let signals = (0..<kernel.routeCapacity).map { _ in WakeSignal() }
        let state = RunState(updates: resume?.driver.bookUpdates ?? 0, nextSampleNs: resume?.driver.nextSampleNs ?? startNs,
                             equity: resume?.driver.equity ?? [])
        let kernel = self.kernel, evaluator = self.evaluator, clock = self.clock, control = self.control
        let resources = self.resources, onCheckpoint = self.onCheckpoint
        let sampleIntervalNs = self.sampleIntervalNs, refresh = self.refresh, resumed = resume != nil
        let gate = state.gate

        /// One route's task: evaluates on each new book of its legs (or each tick) until the run stops.
        let runRoute: @Sendable (_ route: Int, _ joined: Bool) async -> Void = { i, joined in
            // An order in flight at the checkpoint this run resumed from reaches its venues first.
            if let due = kernel.worker(i).pending?.nextDueNs {
                await Self.awaitFills(kernel, route: i, firstDueNs: due, clock: clock, gate: gate)
            }
            if let intervalNs {
                // A route evaluates at every tick from the start; a resumed one at its next.
                var tick = startNs + Int64(kernel.worker(i).iterationCount.load(ordering: .relaxed)) * intervalNs
                // A route that joined mid-run starts at the next tick.
                if joined { tick = startNs + ((clock.now() - startNs) / intervalNs + 1) * intervalNs }
                while tick < endNs && !state.stopping.load(ordering: .relaxed) && !kernel.worker(i).done {
                    let wait = tick - clock.now()
                    if wait > 0 {
                        do { try await Task.sleep(for: clock.wall(wait)) } catch { break }
                    }
                    if state.stopping.load(ordering: .relaxed) { break }
                    let outcome = gate.shared { evaluator.evaluate(i, nowNs: clock.now()) }
                    if !outcome.alive { state.failedHard.store(true, ordering: .relaxed) }
                    await Self.awaitFills(kernel, route: i, firstDueNs: outcome.sentLegsDueNs, clock: clock, gate: gate)
                    if kernel.worker(i).done { break }
                    tick += intervalNs
                }
            } else {
                // The feed task evaluates the route inline while it is idle; this task takes over while an
                // order is in flight (handed off), and when the feed found the route busy.
                let worker = kernel.worker(i)
                while true {
                    if worker.isHandedOff {
                        await Self.awaitFills(kernel, route: i, firstDueNs: worker.pending?.nextDueNs, clock: clock, gate: gate)
                        worker.release()
                    }
                    guard !worker.done, let stamp = await signals[i].wait(), !state.stopping.load(ordering: .relaxed) else { break }
                    // Handed off meanwhile (served at the top), or being evaluated inline with the newest book.
                    if worker.isHandedOff || !worker.claim() { continue }
                    let outcome = gate.shared { evaluator.evaluate(i, nowNs: clock.now()) }
                    if !outcome.alive { state.failedHard.store(true, ordering: .relaxed) }
                    worker.tickToDecision.record(nanoseconds: MonotonicClock.nanoseconds() &- stamp)
                    await Self.awaitFills(kernel, route: i, firstDueNs: outcome.sentLegsDueNs, clock: clock, gate: gate)
                    worker.release()
                    if worker.done { break }
                }
            }
        }

        // A route resumed with an order in flight belongs to its task until the legs arrive.
        if intervalNs == nil {
            for worker in kernel.workers where worker.pending != nil { _ = worker.claim(); worker.handOff() }
        }
        var reason = StopReason.runtime
        await withTaskGroup(of: Void.self) { group in
            // Feed, and the checkpoints' cuts
            group.addTask {
                var source = source
                let fxMarket = kernel.layout.fxMarket
                var nextCheckpoint = onCheckpoint == nil ? Int64.max : clock.now() + checkpointNs
                while !state.stopping.load(ordering: .relaxed) {
                    if state.hasJoining.load(ordering: .acquiring) {
                        let joins = state.joining.withLock { j -> [UniverseMember] in
                            defer { j.removeAll(); state.hasJoining.store(false, ordering: .releasing) }
                            return j
                        }
                        let added = gate.exclusive { refresh.applyJoins(joins, kernel: kernel, source: &source, nowNs: clock.now()) }
                        state.joined.withLock { $0.append(contentsOf: added) }
                    }
                    let now = clock.now()
                    if now >= nextCheckpoint, let onCheckpoint {
                        let bytes = (try? source.checkpointState()) ?? []
                        gate.exclusive { onCheckpoint(clock.now(), state.driverState(), bytes) }
                        nextCheckpoint += checkpointNs
                        continue
                    }
                    let next = source.nextTimeNs
                    if next == nil, let end = source.dataEndNs { state.dataEndNs.store(end, ordering: .relaxed) }
                    let t = next ?? .max
                    if t > now + 200_000 {
                        // Wakes for the next event or cut, and at least every 50 ms while nothing is due; a live
                        // feed wakes it as soon as a book arrives. A scheduled source is served in batches at most
                        // once a millisecond of wall time: each sleep costs a timer and two thread switches, which
                        // at tens of thousands of books a second were most of the driver's CPU, while a book kept
                        // waiting up to a millisecond only ages by that much.
                        let wait = Swift.min(t, nextCheckpoint) - now
                        if next == nil && source.isLive {
                            await source.waitForEvent(timeoutNs: Swift.min(Swift.max(wait, 0), 50_000_000))
                        } else {
                            let sleep = Swift.max(clock.wall(Swift.max(wait, 0)), Self.feedBatch)
                            try? await Task.sleep(for: Swift.min(sleep, .milliseconds(50)))
                        }
                        continue
                    }
                    let market = gate.shared { () -> Int in
                        let market = source.emit(into: kernel.store)
                        if market == fxMarket { kernel.fxBookUpdated() }
                        return market
                    }
                    state.updates.add(1, ordering: .relaxed)
                    if market != fxMarket && intervalNs == nil {
                        // An idle route is evaluated here and now: no task switch per book (the cost of a
                        // thousand routes on the wall clock). A busy one is signalled and serves it when free.
                        let route = MarketLayout.route(ofBookMarket: market)
                        let stamp = MonotonicClock.nanoseconds()
                        let worker = kernel.worker(route)
                        guard !worker.done else { continue }
                        guard worker.claim() else { signals[route].notify(stamp); continue }
                        let outcome = gate.shared { evaluator.evaluate(route, nowNs: clock.now()) }
                        if !outcome.alive { state.failedHard.store(true, ordering: .relaxed) }
                        worker.tickToDecision.record(nanoseconds: MonotonicClock.nanoseconds() &- stamp)
                        if outcome.sentLegsDueNs != nil {
                            worker.handOff()
                            signals[route].notify(stamp)
                        } else {
                            worker.release()
                        }
                    }
                }
                // Only an interrupted run hands on its source (a thousand routes' state takes milliseconds to encode).
                if control.interruptRequested {
                    let bytes = (try? source.checkpointState()) ?? []
                    state.finalSource.withLock { $0 = bytes }
                }
            }
            // Routes (and, below, those that join while the campaign runs)
            for i in 0..<kernel.routeCount {
                group.addTask { await runRoute(i, false) }
            }
            // Equity curve and resource samples
            group.addTask {
                var next = state.nextSampleNs.load(ordering: .relaxed)
                while !state.stopping.load(ordering: .relaxed) {
                    let now = clock.now()
                    if now >= next {
                        let point = kernel.equityPoint(at: now, startNs: startNs)
                        state.equity.withLock { $0.append(point) }
                        resources.sample()
                        next += sampleIntervalNs
                        state.nextSampleNs.store(next, ordering: .relaxed)
                    }
                    try? await Task.sleep(for: Swift.max(.milliseconds(1), clock.wall(next - clock.now())))
                }
            }
            // Universe refreshes: flags flip at once; joins go to the feed task, which owns the source.
            if refresh.intervalNs != nil {
                group.addTask {
                    var next = refresh.nextInstant(startNs: startNs, after: clock.now(), inclusive: resumed)
                    while !state.stopping.load(ordering: .relaxed) {
                        let wait = next - clock.now()
                        if wait > 0 {
                            try? await Task.sleep(for: Swift.min(clock.wall(wait), .milliseconds(50)))
                            continue
                        }
                        next = refresh.nextInstant(startNs: startNs, after: clock.now(), inclusive: false)
                        // The previous joins are still on their way: plan again at the next refresh.
                        if state.hasJoining.load(ordering: .acquiring) { continue }
                        guard let plan = await refresh.plan(for: kernel), !state.stopping.load(ordering: .relaxed) else { continue }
                        refresh.applyFlags(plan, kernel: kernel, nowNs: clock.now())
                        if !plan.join.isEmpty {
                            state.joining.withLock { $0 = plan.join }
                            state.hasJoining.store(true, ordering: .releasing)
                        }
                    }
                }
            }
            // Supervisor: checks every 5 ms (well inside any loop interval) and at the exact deadline.
            while true {
                for i in state.joined.withLock({ j -> [Int] in defer { j.removeAll() }; return j }) {
                    group.addTask { await runRoute(i, true) }
                }
                let now = clock.now()
                control.setElapsed(now - startNs)
                if now >= endNs { reason = .runtime; break }
                if now >= state.dataEndNs.load(ordering: .relaxed) { reason = .endOfData; break }
                if control.stopRequested { reason = control.interruptRequested ? .interrupted : .requested; break }
                if kernel.coordinator.isEmergencyStopped { reason = .emergencyStop; break }
                if state.failedHard.load(ordering: .relaxed) { reason = .routeFailed; break }
                if evaluator.allDone { reason = evaluator.allFailed ? .routeFailed : .iterations; break }
                try? await Task.sleep(for: Swift.min(.milliseconds(5), clock.wall(Swift.max(0, endNs - now))))
            }
            state.stopping.store(true, ordering: .relaxed)
            for s in signals { s.close() }
            group.cancelAll()
        }
        let endNow = clock.now()
        resources.sample(final: true)
        if reason == .interrupted {
            // Every task has ended: the kernel as it stands is the cut; orders in flight stay in flight.
            let points = state.equity.withLock { $0 }
            return DriverOutcome(reason: reason, endNs: endNow, equity: points, bookUpdates: state.updates.load(ordering: .relaxed),
                                 cut: (state.driverState(), state.finalSource.withLock { $0 }))
        }
        if reason != .routeFailed || evaluator.isolation {
            CampaignFinish.flatten(kernel, reason: reason, flattenOnStop: session.flattenOnStop, nowNs: endNow)
        }
        var points = state.equity.withLock { $0 }
        points.append(kernel.equityPoint(at: endNow, startNs: startNs))
        return DriverOutcome(reason: reason, endNs: endNow, equity: points, bookUpdates: state.updates.load(ordering: .relaxed))
    }
}
