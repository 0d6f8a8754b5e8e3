import ArbCore

/// Runs one evaluation of a route the way both drivers need it: loop latency measured, failures isolated,
/// the per-route iteration limit applied.
struct RouteEvaluator: Sendable {
    let kernel: CampaignKernel
    let maxIterations: Int?
    let isolation: Bool

    /// Evaluates route `index` at `nowNs`. Returns false when the route failed and the campaign must fail with
    /// it (`per_symbol_isolation: false`).
    @inline(__always)
    func evaluate(_ index: Int, nowNs: Int64, entriesAllowed: Bool = true) -> Bool {
        let worker = kernel.workers[index]
        if worker.done { return true }
        let start = MonotonicClock.nanoseconds()
        do {
            try kernel.evaluate(route: index, nowNs: nowNs, entriesAllowed: entriesAllowed)
        } catch {
            worker.failure = error.description
            worker.done = true
            return isolation
        }
        worker.loopLatency.record(nanoseconds: MonotonicClock.nanoseconds() &- start)
        if let maxIterations, worker.engine.iterations >= maxIterations { worker.done = true }
        return true
    }

    var allDone: Bool { kernel.workers.allSatisfy(\.done) }
    var allFailed: Bool { kernel.workers.allSatisfy { $0.failure != nil } }
}

/// How a driver's run ended.
struct DriverOutcome: Sendable {
    var reason: StopReason
    var endNs: Int64
    var equity: [EquityPoint]
    var bookUpdates: Int
}

extension CampaignKernel {
    /// Realized and unrealized PnL now, from the coordinator's books.
    func equityPoint(at nowNs: Int64, startNs: Int64) -> EquityPoint {
        let s = coordinator.snapshot()
        return EquityPoint(t: Double(nowNs - startNs) / 1e9, realizedUSD: s.realizedUSD.double, unrealizedUSD: s.unrealizedUSD)
    }
}
