import ArbCore

/// Runs one evaluation of a route the way both drivers need it: loop latency measured, failures isolated,
/// the per-route iteration limit applied.
struct RouteEvaluator: Sendable {
    let kernel: CampaignKernel
    let maxIterations: Int?
    let isolation: Bool
    private let nanosecondsPerCount = CycleClock.nanosecondsPerCount

    init(kernel: CampaignKernel, maxIterations: Int?, isolation: Bool) {
        self.kernel = kernel
        self.maxIterations = maxIterations
        self.isolation = isolation
    }

    /// What one evaluation left to do.
    struct Outcome {
        /// False when the route failed and the campaign must fail with it (`per_symbol_isolation: false`).
        var alive = true
        /// When the evaluation sent an order whose legs are in flight: when the next one reaches its venue.
        var sentLegsDueNs: Int64?
    }

    /// Evaluates route `index` at `nowNs`, measuring the loop latency.
    @inline(__always)
    func evaluate(_ index: Int, nowNs: Int64, entriesAllowed: Bool = true) -> Outcome {
        evaluate(index, worker: kernel.worker(index), nowNs: nowNs, entriesAllowed: entriesAllowed)
    }

    /// The same with the route's worker in hand (one retain per evaluation instead of one per step).
    @inline(__always)
    func evaluate(_ index: Int, worker: RouteWorker, nowNs: Int64, entriesAllowed: Bool = true) -> Outcome {
        if worker.done { return Outcome() }
        let wasWaiting = worker.isWaiting
        let start = CycleClock.now()
        let due: Int64?
        do {
            due = try kernel.evaluate(route: index, worker: worker, nowNs: nowNs, entriesAllowed: entriesAllowed)
        } catch {
            worker.failure = error.description
            worker.done = true
            return Outcome(alive: isolation)
        }
        worker.loopLatency.record(nanoseconds: UInt64(Double(CycleClock.now() &- start) * nanosecondsPerCount))
        if let maxIterations, worker.iterationCount.load(ordering: .relaxed) >= maxIterations { worker.done = true }
        return Outcome(alive: true, sentLegsDueNs: wasWaiting ? nil : due)
    }

    /// Routes that see the same instant (the readers of one book, or every route at a tick): each decides first,
    /// then the exits and the routes with nothing to send act in the order given and the entries best-scored
    /// first (ties by route index), so when the limits leave room for fewer entries than proposed the better
    /// routes get it, the same way on every run. `handle` takes each route's outcome and returns true to stop.
    func evaluate(together routes: [Int], nowNs: Int64, entriesAllowed: Bool = true,
                  handle: (Int, RouteWorker, Outcome) -> Bool) -> Bool {
        var decided: [(route: Int, worker: RouteWorker, decision: CampaignKernel.Decision, wasWaiting: Bool, cycles: UInt64,
                       score: Double?)] = []
        decided.reserveCapacity(routes.count)
        for route in routes {
            let worker = kernel.worker(route)
            if worker.done { continue }
            let wasWaiting = worker.isWaiting
            let start = CycleClock.now()
            do {
                let decision = try kernel.decide(route: route, worker: worker, nowNs: nowNs, entriesAllowed: entriesAllowed)
                var score: Double?
                switch decision {
                case .enter(let p, let a, let b, let fx): score = kernel.score(p, a: a, b: b, route: worker.route, fx: fx, nowNs: nowNs)
                case .refused(let p, let fx, let oldest): score = kernel.score(p, oldestBookNs: oldest, route: worker.route, fx: fx, nowNs: nowNs)
                case .settled, .exit: break
                }
                decided.append((route, worker, decision, wasWaiting, CycleClock.now() &- start, score))
            } catch {
                worker.failure = error.description
                worker.done = true
                if handle(route, worker, Outcome(alive: isolation)) { return true }
            }
        }
        let order = decided.indices.sorted { x, y in
            switch (decided[x].score, decided[y].score) {
            case (nil, nil): return x < y
            case (nil, _): return true
            case (_, nil): return false
            case (let sx?, let sy?): return sx != sy ? sx > sy : decided[x].route < decided[y].route
            }
        }
        for i in order {
            let d = decided[i]
            let start = CycleClock.now()
            let due = kernel.act(route: d.route, d.decision, nowNs: nowNs)
            let cycles = d.cycles &+ (CycleClock.now() &- start)
            d.worker.loopLatency.record(nanoseconds: UInt64(Double(cycles) * nanosecondsPerCount))
            if let maxIterations, d.worker.iterationCount.load(ordering: .relaxed) >= maxIterations { d.worker.done = true }
            if handle(d.route, d.worker, Outcome(alive: true, sentLegsDueNs: d.wasWaiting ? nil : due)) { return true }
        }
        return false
    }
}

/// How a driver's run ended.
struct DriverOutcome: Sendable {
    var reason: StopReason
    var endNs: Int64
    var equity: [EquityPoint]
    var bookUpdates: Int
    /// When interrupted: the driver's state and the market source's at the halt, for the last checkpoint.
    var cut: (driver: DriverState, source: [UInt8])? = nil
}

/// Where a resumed run continues: a checkpoint's driver state and instant.
struct ResumePoint: Sendable {
    var driver: DriverState
    var timeNs: Int64
}

/// Hands a checkpoint over: the campaign clock at the cut, the driver's state and the market source's.
typealias CheckpointHook = @Sendable (_ timeNs: Int64, _ driver: DriverState, _ source: [UInt8]) -> Void

extension CampaignKernel {
    /// How many routes the table holds and how many are done or failed, for the run policy.
    var routeTally: RouteTally {
        var tally = RouteTally(total: 0)
        for worker in workers {
            tally.total += 1
            if worker.done { tally.done += 1 }
            if worker.failure != nil { tally.failed += 1 }
        }
        return tally
    }

    /// Realized and unrealized PnL now, from the coordinator's books.
    func equityPoint(at nowNs: Int64, startNs: Int64) -> EquityPoint {
        let s = coordinator.snapshot()
        return EquityPoint(t: Double(nowNs - startNs) / 1e9, realizedUSD: s.realizedUSD.double, unrealizedUSD: s.unrealizedUSD)
    }
}
