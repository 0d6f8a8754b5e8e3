import ArbCore

extension RealtimeDriver {
    /// One route's task until the run stops: with a loop interval it evaluates at every tick; event-driven it
    /// waits for the order the feed task handed over, and serves the books that found the route busy.
    func routeTask(_ route: Int, _ run: CampaignRun, _ state: RealtimeRunState, joined: Bool) async {
        // An order in flight at the checkpoint this run resumed from reaches its venues first.
        if plan.tickIntervalNs != nil, let due = kernel.worker(route).pending?.nextDueNs {
            await awaitFills(route, firstDueNs: due, state.gate)
        }
        if plan.tickIntervalNs != nil {
            await tickLoop(route, run, state, joined: joined)
        } else {
            await serveLoop(route, state)
        }
    }

    /// Evaluates at absolute ticks (no drift): a route at every tick from the start, a resumed one at its next,
    /// one that joined mid-run at the next after it joined.
    private func tickLoop(_ route: Int, _ run: CampaignRun, _ state: RealtimeRunState, joined: Bool) async {
        let worker = kernel.worker(route)
        let interval = plan.tickIntervalNs ?? 1
        var tick = run.firstTick(iterations: worker.iterationCount.load(ordering: .relaxed), joinedAtNs: joined ? clock.now() : nil)
        while tick < plan.endNs && !state.stopping.load(ordering: .relaxed) && !worker.done {
            let wait = tick - clock.now()
            if wait > 0 {
                do { try await Task.sleep(for: clock.wall(wait)) } catch { break }
            }
            if state.stopping.load(ordering: .relaxed) { break }
            let outcome = state.gate.shared { evaluator.evaluate(route, nowNs: clock.now()) }
            if !outcome.alive { state.failedHard.store(true, ordering: .relaxed) }
            await awaitFills(route, firstDueNs: outcome.sentLegsDueNs, state.gate)
            tick += interval
        }
    }

    /// Event-driven: the route's jobs as its ownership hands them out.
    private func serveLoop(_ route: Int, _ state: RealtimeRunState) async {
        let worker = kernel.worker(route)
        let ownership = state.ownership[route]
        while !worker.done, let work = await ownership.next() {
            switch work {
            case .deliver:
                await awaitFills(route, firstDueNs: worker.pending?.nextDueNs, state.gate)
            case .evaluate(let stamp):
                if state.stopping.load(ordering: .relaxed) { ownership.release(); return }
                let outcome = state.gate.shared { evaluator.evaluate(route, nowNs: clock.now()) }
                if !outcome.alive { state.failedHard.store(true, ordering: .relaxed) }
                worker.tickToDecision.record(nanoseconds: MonotonicClock.nanoseconds() &- stamp)
                await awaitFills(route, firstDueNs: outcome.sentLegsDueNs, state.gate)
            }
            ownership.release()
        }
    }

    /// Waits for an order's legs to reach their venues (simulated latency), delivering each on time. A stop
    /// cuts the wait short; the campaign's flatten (or the resume of a checkpoint) delivers what is left.
    func awaitFills(_ route: Int, firstDueNs: Int64?, _ gate: CutGate) async {
        var next = firstDueNs
        while let due = next {
            let wait = due - clock.now()
            if wait > 0 {
                do { try await Task.sleep(for: clock.wall(wait)) } catch { return }
            }
            next = gate.shared { kernel.deliver(route: route, nowNs: clock.now()) }
        }
    }
}
