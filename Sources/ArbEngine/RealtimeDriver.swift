import ArbCore
import Synchronization

/// Drives a campaign on the wall clock: a feed task writes the synthetic stream into the store at its event
/// times, one task per route evaluates (on each new snapshot of either leg, or once per loop tick), and the
/// supervisor ends the run on time, on request, on an emergency stop or when every route is done.
struct RealtimeDriver {
    let kernel: CampaignKernel
    let session: SessionConfig
    let evaluator: RouteEvaluator
    let control: CampaignControl
    let clock: RealtimeClock
    let sampleIntervalNs: Int64
    let resources: ResourceSampler

    /// State the driver's tasks share.
    final class RunState: Sendable {
        let stopping = Atomic<Bool>(false)
        let failedHard = Atomic<Bool>(false)
        let updates = Atomic<Int>(0)
        let equity = Mutex<[EquityPoint]>([])
    }

    /// Waits for an order's legs to reach their venues (simulated latency), delivering each on time. A stop
    /// cuts the wait short; the campaign's flatten delivers what is left.
    static func awaitFills(_ kernel: CampaignKernel, route: Int, firstDueNs: Int64?, clock: RealtimeClock) async {
        var next = firstDueNs
        while let due = next {
            let wait = due - clock.now()
            if wait > 0 {
                do { try await Task.sleep(for: .nanoseconds(wait)) } catch { return }
            }
            next = kernel.deliver(route: route, nowNs: clock.now())
        }
    }

    func run<Source: ScheduledMarketSource>(source: Source) async -> DriverOutcome {
        let startNs = clock.startWallNs
        let endNs = startNs + Int64(session.maxRuntimeSeconds * 1e9)
        let intervalNs: Int64? = session.loopIntervalMs > 0 ? Swift.max(1, Int64(session.loopIntervalMs * 1e6)) : nil
        let signals = kernel.routes.map { _ in WakeSignal() }
        let state = RunState()
        let kernel = self.kernel, evaluator = self.evaluator, clock = self.clock, control = self.control
        let resources = self.resources
        let sampleIntervalNs = self.sampleIntervalNs

        var reason = StopReason.runtime
        await withTaskGroup(of: Void.self) { group in
            // Feed
            group.addTask {
                var source = source
                let fxMarket = kernel.layout.fxMarket
                while !state.stopping.load(ordering: .relaxed), let t = source.nextTimeNs {
                    let wait = t - clock.now()
                    if wait > 200_000 {
                        try? await Task.sleep(for: .nanoseconds(wait))
                        continue
                    }
                    let market = source.emit(into: kernel.store)
                    state.updates.add(1, ordering: .relaxed)
                    if market == fxMarket {
                        kernel.fxBookUpdated()
                    } else if intervalNs == nil {
                        signals[market >> 1].notify(MonotonicClock.nanoseconds())
                    }
                }
            }
            // Routes
            for i in 0..<kernel.routes.count {
                group.addTask {
                    if let intervalNs {
                        var tick = startNs
                        while tick < endNs && !state.stopping.load(ordering: .relaxed) {
                            let wait = tick - clock.now()
                            if wait > 0 {
                                do { try await Task.sleep(for: .nanoseconds(wait)) } catch { break }
                            }
                            if state.stopping.load(ordering: .relaxed) { break }
                            let outcome = evaluator.evaluate(i, nowNs: clock.now())
                            if !outcome.alive { state.failedHard.store(true, ordering: .relaxed) }
                            await Self.awaitFills(kernel, route: i, firstDueNs: outcome.sentLegsDueNs, clock: clock)
                            if kernel.workers[i].done { break }
                            tick += intervalNs
                        }
                    } else {
                        let worker = kernel.workers[i]
                        while let stamp = await signals[i].wait() {
                            if state.stopping.load(ordering: .relaxed) { break }
                            let outcome = evaluator.evaluate(i, nowNs: clock.now())
                            if !outcome.alive { state.failedHard.store(true, ordering: .relaxed) }
                            worker.tickToDecision.record(nanoseconds: MonotonicClock.nanoseconds() &- stamp)
                            await Self.awaitFills(kernel, route: i, firstDueNs: outcome.sentLegsDueNs, clock: clock)
                            if worker.done { break }
                        }
                    }
                }
            }
            // Equity curve and resource samples
            group.addTask {
                var next = startNs
                while !state.stopping.load(ordering: .relaxed) {
                    let now = clock.now()
                    if now >= next {
                        let point = kernel.equityPoint(at: now, startNs: startNs)
                        state.equity.withLock { $0.append(point) }
                        resources.sample()
                        next += sampleIntervalNs
                    }
                    try? await Task.sleep(for: .nanoseconds(Swift.max(1_000_000, next - clock.now())))
                }
            }
            // Supervisor: checks every 5 ms (well inside any loop interval) and at the exact deadline.
            while true {
                let now = clock.now()
                control.setElapsed(now - startNs)
                if now >= endNs { reason = .runtime; break }
                if control.stopRequested { reason = .requested; break }
                if kernel.coordinator.isEmergencyStopped { reason = .emergencyStop; break }
                if state.failedHard.load(ordering: .relaxed) { reason = .routeFailed; break }
                if evaluator.allDone { reason = evaluator.allFailed ? .routeFailed : .iterations; break }
                try? await Task.sleep(for: .nanoseconds(Swift.min(5_000_000, Swift.max(0, endNs - now))))
            }
            state.stopping.store(true, ordering: .relaxed)
            for s in signals { s.close() }
            group.cancelAll()
        }
        let endNow = clock.now()
        if reason != .routeFailed || evaluator.isolation {
            CampaignFinish.flatten(kernel, reason: reason, flattenOnStop: session.flattenOnStop, nowNs: endNow)
        }
        var points = state.equity.withLock { $0 }
        points.append(kernel.equityPoint(at: endNow, startNs: startNs))
        resources.sample(final: true)
        return DriverOutcome(reason: reason, endNs: endNow, equity: points, bookUpdates: state.updates.load(ordering: .relaxed))
    }
}
