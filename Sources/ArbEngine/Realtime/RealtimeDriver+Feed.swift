import ArbCore

extension RealtimeDriver {
    /// The shortest sleep of the feed task between batches of scheduled books.
    static let feedBatch = Duration.milliseconds(1)

    /// The feed task: owns the market source, writes its books into the store at their times, evaluates each
    /// book's route when it is idle, cuts the checkpoints and adds the markets of joining routes.
    func feed<Source: ScheduledMarketSource>(_ source: Source, _ state: RealtimeRunState, firstCheckpointNs: Int64) async {
        var source = source
        let interval = onCheckpoint == nil ? nil : plan.checkpointIntervalNs
        var nextCheckpoint = interval == nil ? Int64.max : firstCheckpointNs
        // Which routes read each market; joins add to it.
        var map = kernel.marketMap
        while !state.stopping.load(ordering: .relaxed) {
            if let joins = state.takeJoining() {
                let added = state.gate.exclusive { refresh.applyJoins(joins, kernel: kernel, source: &source, nowNs: clock.now()) }
                map = kernel.marketMap
                state.reportJoined(added)
            }
            let now = clock.now()
            if let interval, now >= nextCheckpoint {
                cut(&source, state)
                nextCheckpoint += interval
                continue
            }
            let next = source.nextTimeNs
            if next == nil, let end = source.dataEndNs { state.dataEndNs.store(end, ordering: .relaxed) }
            let t = next ?? .max
            if t > now + 200_000 {
                await idle(&source, wait: Swift.min(t, nextCheckpoint) - now, live: next == nil && source.isLive)
                continue
            }
            emit(&source, map, state)
        }
        // Only an interrupted run hands on its source (a thousand routes' state takes milliseconds to encode).
        if control.interruptRequested {
            let bytes = (try? source.checkpointState()) ?? []
            state.finalSource.withLock { $0 = bytes }
        }
    }

    /// A checkpoint: the source's state, then the kernel's behind the closed gate.
    private func cut<Source: ScheduledMarketSource>(_ source: inout Source, _ state: RealtimeRunState) {
        guard let onCheckpoint else { return }
        let bytes = (try? source.checkpointState()) ?? []
        state.gate.exclusive { onCheckpoint(clock.now(), state.driverState(), bytes) }
    }

    /// Waits for the next event or cut, and at least every 50 ms while nothing is due; a live feed wakes it as
    /// soon as a book arrives. A scheduled source is served in batches at most once a millisecond of wall time:
    /// each sleep costs a timer and two thread switches, which at tens of thousands of books a second were most
    /// of the driver's CPU, while a book kept waiting up to a millisecond only ages by that much.
    private func idle<Source: ScheduledMarketSource>(_ source: inout Source, wait: Int64, live: Bool) async {
        if live {
            await source.waitForEvent(timeoutNs: Swift.min(Swift.max(wait, 0), 50_000_000))
        } else {
            let sleep = Swift.max(clock.wall(Swift.max(wait, 0)), Self.feedBatch)
            try? await Task.sleep(for: Swift.min(sleep, .milliseconds(50)))
        }
    }

    /// Writes the source's next book into the store and, event-driven, evaluates the routes that read it.
    private func emit<Source: ScheduledMarketSource>(_ source: inout Source, _ map: MarketMap, _ state: RealtimeRunState) {
        let market = state.gate.shared { () -> Int in
            let market = source.emit(into: kernel.store)
            if let venue = map.fxVenue(ofMarket: market) { kernel.fxBookUpdated(venue) }
            return market
        }
        state.updates.add(1, ordering: .relaxed)
        if map.fxVenue(ofMarket: market) == nil && plan.tickIntervalNs == nil {
            for route in map.readers[market] { evaluateInline(route, state) }
        }
    }

    /// An idle route is evaluated here and now: no task switch per book (the cost of a thousand routes on the
    /// wall clock). A busy one is signalled and serves the book when free; one that sends an order is handed to
    /// its task, which waits for the legs.
    private func evaluateInline(_ route: Int, _ state: RealtimeRunState) {
        let stamp = MonotonicClock.nanoseconds()
        let worker = kernel.worker(route)
        let ownership = state.ownership[route]
        guard !worker.done, ownership.claimInline(stamp: stamp) else { return }
        let outcome = state.gate.shared { evaluator.evaluate(route, nowNs: clock.now()) }
        if !outcome.alive { state.failedHard.store(true, ordering: .relaxed) }
        worker.tickToDecision.record(nanoseconds: MonotonicClock.nanoseconds() &- stamp)
        ownership.finishInline(sentOrder: outcome.sentLegsDueNs != nil, stamp: stamp)
    }
}
