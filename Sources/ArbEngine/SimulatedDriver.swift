import ArbCore

/// Drives a campaign on a virtual clock: one ordered event loop over every market update, route tick and
/// equity sample, as fast as the CPU goes. Deterministic: the same config and seed give the same results.
struct SimulatedDriver: Sendable {
    let kernel: CampaignKernel
    let session: SessionConfig
    let evaluator: RouteEvaluator
    let control: CampaignControl
    let startNs: Int64
    let sampleIntervalNs: Int64

    func run<Source: ScheduledMarketSource>(source: inout Source) -> DriverOutcome {
        let endNs = startNs + Int64(session.maxRuntimeSeconds * 1e9)
        let intervalNs: Int64? = session.loopIntervalMs > 0 ? Swift.max(1, Int64(session.loopIntervalMs * 1e6)) : nil
        let layout = kernel.layout
        let fxMarket = layout.fxMarket
        var nextTick = startNs
        var nextSample = startNs
        var equity: [EquityPoint] = []
        var updates = 0
        var now = startNs
        var reason: StopReason

        loop: while true {
            if control.stopRequested { reason = .requested; break }
            if kernel.coordinator.isEmergencyStopped { reason = .emergencyStop; break }
            let tMarket = source.nextTimeNs ?? .max
            let tTick = intervalNs == nil ? Int64.max : nextTick
            let t = Swift.min(tMarket, tTick, nextSample)
            if t >= endNs { now = endNs; reason = .runtime; break }
            now = t
            if nextSample <= Swift.min(tMarket, tTick) {
                equity.append(kernel.equityPoint(at: t, startNs: startNs))
                nextSample += sampleIntervalNs
                control.setElapsed(t - startNs)
                continue
            }
            if tMarket <= tTick {
                let market = source.emit(into: kernel.store)
                updates += 1
                if market == fxMarket {
                    kernel.fxBookUpdated()
                } else if intervalNs == nil {
                    if !evaluator.evaluate(market >> 1, nowNs: t) { reason = .routeFailed; break loop }
                    if evaluator.allDone { reason = evaluator.allFailed ? .routeFailed : .iterations; break loop }
                }
            } else {
                for i in 0..<kernel.routes.count where !evaluator.evaluate(i, nowNs: t) {
                    reason = .routeFailed
                    break loop
                }
                if evaluator.allDone { reason = evaluator.allFailed ? .routeFailed : .iterations; break loop }
                nextTick += intervalNs!
            }
        }
        control.setElapsed(now - startNs)
        if reason != .routeFailed || evaluator.isolation {
            CampaignFinish.flatten(kernel, reason: reason, flattenOnStop: session.flattenOnStop, nowNs: now)
        }
        equity.append(kernel.equityPoint(at: now, startNs: startNs))
        return DriverOutcome(reason: reason, endNs: now, equity: equity, bookUpdates: updates)
    }
}

/// What happens to open pairs when a campaign ends.
enum CampaignFinish {
    /// Unwinds every open pair when `flatten_on_stop` (always on an emergency stop).
    static func flatten(_ kernel: CampaignKernel, reason: StopReason, flattenOnStop: Bool, nowNs: Int64) {
        let emergency = reason == .emergencyStop || kernel.coordinator.isEmergencyStopped
        guard flattenOnStop || emergency else { return }
        for worker in kernel.workers where worker.engine.position != nil {
            kernel.flatten(route: worker.route.index, reason: emergency ? "emergency_stop" : "campaign_end", nowNs: nowNs)
        }
    }
}
