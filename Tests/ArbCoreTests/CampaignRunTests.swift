import Testing
@testable import ArbCore

/// The run policy both drivers follow, driven directly: instants are plain numbers, nothing sleeps.
@Suite struct CampaignRunTests {
    static let s: Int64 = 1_000_000_000_000
    static let second: Int64 = 1_000_000_000

    /// 60 s, samples every 10 s, checkpoints every 20 s, no ticks, no refreshes.
    func plan(loopMs: Double = 0, checkpoint: Double? = 20, refresh: Double = 0) -> CampaignRun.Plan {
        CampaignRun.Plan(startNs: Self.s, runtimeSeconds: 60, loopIntervalMs: loopMs, sampleIntervalNs: 10 * Self.second,
                         checkpointSeconds: checkpoint, refreshSeconds: refresh)
    }

    // MARK: Stop reasons and their precedence

    /// Every stop condition, and the reason each gives alone.
    enum Condition: CaseIterable {
        case routeFailed, emergency, interrupt, request, runtime, dataEnd, allFailed, allDone
    }

    func run(with conditions: Set<Condition>) -> (CampaignRun, now: Int64) {
        var run = CampaignRun(plan: plan(), routes: RouteTally(total: 3))
        var now = Self.s + 30 * Self.second
        for c in conditions {
            switch c {
            case .routeFailed: run.handle(.routeFailed)
            case .emergency: run.handle(.emergencyStop)
            case .interrupt: run.handle(.stopRequested(interrupt: true))
            case .request: run.handle(.stopRequested(interrupt: false))
            case .runtime: now = run.plan.endNs
            case .dataEnd: run.handle(.dataEnd(atNs: Self.s + 10 * Self.second))
            case .allFailed: run.handle(.routes(RouteTally(total: 3, done: 3, failed: 3)))
            case .allDone: if !conditions.contains(.allFailed) { run.handle(.routes(RouteTally(total: 3, done: 3, failed: 1))) }
            }
        }
        return (run, now)
    }

    @Test func eachConditionAloneGivesItsReason() {
        let expected: [Condition: StopReason] = [
            .routeFailed: .routeFailed, .emergency: .emergencyStop, .interrupt: .interrupted, .request: .requested,
            .runtime: .runtime, .dataEnd: .endOfData, .allFailed: .routeFailed, .allDone: .iterations,
        ]
        for c in Condition.allCases {
            let (run, now) = run(with: [c])
            #expect(run.stopReason(atNs: now) == expected[c], "\(c)")
        }
        let (idle, now) = run(with: [])
        #expect(idle.stopReason(atNs: now) == nil)
        #expect(!idle.mustStop)
    }

    @Test func precedenceIsOneOrder() {
        // Drop the conditions one by one from the top: the reason is always the highest still holding.
        let order: [(Condition, StopReason)] = [
            (.routeFailed, .routeFailed), (.emergency, .emergencyStop), (.interrupt, .interrupted), (.request, .requested),
            (.runtime, .runtime), (.dataEnd, .endOfData), (.allDone, .iterations),
        ]
        for k in order.indices {
            let held = Set(order[k...].map(\.0))
            let (run, now) = run(with: held)
            #expect(run.stopReason(atNs: now) == order[k].1, "with \(held)")
        }
        // Every pair: the higher one wins.
        for i in order.indices {
            for j in order.indices where j > i {
                let (run, now) = run(with: [order[i].0, order[j].0])
                #expect(run.stopReason(atNs: now) == order[i].1, "\(order[i].0) over \(order[j].0)")
            }
        }
    }

    @Test func anInterruptStaysAnInterruptWhateverFollows() {
        var run = CampaignRun(plan: plan(), routes: RouteTally(total: 1))
        run.handle(.stopRequested(interrupt: true))
        run.handle(.stopRequested(interrupt: false))
        #expect(run.stopReason(atNs: Self.s) == .interrupted)
        var other = CampaignRun(plan: plan(), routes: RouteTally(total: 1))
        other.handle(.stopRequested(interrupt: false))
        other.handle(.stopRequested(interrupt: true))
        #expect(other.stopReason(atNs: Self.s) == .interrupted)
    }

    @Test func joiningRoutesKeepARunWhoseRoutesWereDone() {
        var run = CampaignRun(plan: plan(), routes: RouteTally(total: 2, done: 2))
        #expect(run.stopReason(atNs: Self.s) == .iterations)
        run.handle(.routes(RouteTally(total: 3, done: 2)))
        #expect(run.stopReason(atNs: Self.s) == nil)
    }

    // MARK: Steps of a simulated run

    @Test func stepsComeInTimeOrderWithTiesInAFixedOrder() {
        var run = CampaignRun(plan: plan(loopMs: 5_000, refresh: 20), routes: RouteTally(total: 1))
        // At the start a sample and a tick are due; a book and a leg at the same instant too.
        let t0 = Self.s
        #expect(run.next(marketNs: t0, dueNs: t0, dataEndNs: nil) == .sample(atNs: t0))
        #expect(run.next(marketNs: t0, dueNs: t0, dataEndNs: nil) == .deliver(atNs: t0))
        #expect(run.next(marketNs: t0, dueNs: nil, dataEndNs: nil) == .book(atNs: t0))
        #expect(run.next(marketNs: nil, dueNs: nil, dataEndNs: nil) == .tick(atNs: t0))
        #expect(run.nextTickNs == t0 + 5 * Self.second)
        // At 20 s a checkpoint, a sample, a refresh, a tick and a book all fall due: that order.
        let t20 = Self.s + 20 * Self.second
        var steps: [CampaignRun.Step] = []
        while true {
            let step = run.next(marketNs: t20, dueNs: nil, dataEndNs: nil)
            if step == .book(atNs: t20) { break }
            steps.append(step)
        }
        // Ticks at 5, 10, 15 s and samples at 10 s come first.
        let sec = Self.second
        let expected: [CampaignRun.Step] = [
            .tick(atNs: t0 + 5 * sec), .sample(atNs: t0 + 10 * sec), .tick(atNs: t0 + 10 * sec), .tick(atNs: t0 + 15 * sec),
            .checkpoint(atNs: t20), .sample(atNs: t20), .refresh(atNs: t20),
        ]
        #expect(steps == expected)
        #expect(run.nextCheckpointNs == t20 + 20 * Self.second && run.nextRefreshNs == t20 + 20 * Self.second)
        // The book at 20 s was returned; the tick at 20 s follows once no book is due then.
        #expect(run.next(marketNs: nil, dueNs: nil, dataEndNs: nil) == .tick(atNs: t20))
        #expect(run.nowNs == t20)
    }

    @Test func theDeadlineStopsBeforeAnyEventAtIt() {
        var run = CampaignRun(plan: plan(checkpoint: nil), routes: RouteTally(total: 1))
        _ = run.next(marketNs: nil, dueNs: nil, dataEndNs: nil) // sample at start
        let end = run.plan.endNs
        var step = run.next(marketNs: end - 1, dueNs: nil, dataEndNs: nil)
        while step != .book(atNs: end - 1) { step = run.next(marketNs: end - 1, dueNs: nil, dataEndNs: nil) }
        #expect(run.next(marketNs: end, dueNs: end, dataEndNs: nil) == .stop(.runtime, atNs: end))
        #expect(run.nowNs == end)
    }

    @Test func theDataEndStopsAfterTheDutiesBeforeIt() {
        var run = CampaignRun(plan: plan(checkpoint: nil), routes: RouteTally(total: 1))
        let dataEnd = Self.s + 15 * Self.second
        #expect(run.next(marketNs: nil, dueNs: nil, dataEndNs: dataEnd) == .sample(atNs: Self.s))
        // A leg due before the data end is delivered, and the sample at 10 s is taken.
        #expect(run.next(marketNs: nil, dueNs: Self.s + Self.second, dataEndNs: dataEnd) == .deliver(atNs: Self.s + Self.second))
        #expect(run.next(marketNs: nil, dueNs: nil, dataEndNs: dataEnd) == .sample(atNs: Self.s + 10 * Self.second))
        #expect(run.next(marketNs: nil, dueNs: nil, dataEndNs: dataEnd) == .stop(.endOfData, atNs: dataEnd))
        // Data that ends past the deadline is the runtime's stop.
        var long = CampaignRun(plan: plan(checkpoint: nil), routes: RouteTally(total: 1))
        _ = long.next(marketNs: nil, dueNs: nil, dataEndNs: nil)
        var step = long.next(marketNs: nil, dueNs: nil, dataEndNs: long.plan.endNs + 1)
        while case .sample = step { step = long.next(marketNs: nil, dueNs: nil, dataEndNs: long.plan.endNs + 1) }
        #expect(step == .stop(.runtime, atNs: long.plan.endNs))
    }

    @Test func pendingConditionsStopAtTheCurrentInstant() {
        var run = CampaignRun(plan: plan(), routes: RouteTally(total: 2))
        _ = run.next(marketNs: Self.s + 7, dueNs: nil, dataEndNs: nil)
        _ = run.next(marketNs: Self.s + 7, dueNs: nil, dataEndNs: nil)
        #expect(run.nowNs == Self.s + 7)
        run.handle(.emergencyStop)
        #expect(run.mustStop)
        #expect(run.next(marketNs: Self.s + 9, dueNs: nil, dataEndNs: nil) == .stop(.emergencyStop, atNs: Self.s + 7))
    }

    // MARK: Resume and schedules

    @Test func aResumedRunKeepsItsSchedules() {
        let driver = DriverState(nextTickNs: Self.s + 35 * Self.second, nextSampleNs: Self.s + 40 * Self.second, bookUpdates: 9, equity: [])
        let at = Self.s + 33 * Self.second
        let run = CampaignRun(plan: plan(loopMs: 5_000, refresh: 60), routes: RouteTally(total: 1), resume: (driver, at))
        #expect(run.nowNs == at && run.nextTickNs == driver.nextTickNs && run.nextSampleNs == driver.nextSampleNs)
        #expect(run.nextCheckpointNs == at + 20 * Self.second)
        #expect(run.driverState(bookUpdates: 9, equity: []) == driver)
    }

    @Test func refreshInstantsStayOnTheGridAcrossAResume() {
        let run = CampaignRun(plan: plan(refresh: 60), routes: RouteTally(total: 1))
        let s = Self.s, m = 60 * Self.second
        #expect(run.nextRefreshNs == s + m)
        #expect(run.refreshInstant(after: s, inclusive: true) == s + m)
        #expect(run.refreshInstant(after: s + m, inclusive: true) == s + m)
        #expect(run.refreshInstant(after: s + m, inclusive: false) == s + 2 * m)
        #expect(run.refreshInstant(after: s + m + Self.second, inclusive: true) == s + 2 * m)
        let resumed = CampaignRun(plan: plan(refresh: 60), routes: RouteTally(total: 1),
                                  resume: (DriverState(nextTickNs: s, nextSampleNs: s, bookUpdates: 0, equity: []), s + m))
        #expect(resumed.nextRefreshNs == s + m)
        let never = CampaignRun(plan: plan(), routes: RouteTally(total: 1))
        #expect(never.nextRefreshNs == .max && never.refreshInstant(after: s, inclusive: false) == .max)
    }

    @Test func realtimeTicksStartOnTheGrid() {
        let run = CampaignRun(plan: plan(loopMs: 100), routes: RouteTally(total: 1))
        let tick = 100_000_000 as Int64
        #expect(run.firstTick(iterations: 0, joinedAtNs: nil) == Self.s)
        #expect(run.firstTick(iterations: 7, joinedAtNs: nil) == Self.s + 7 * tick)
        #expect(run.firstTick(iterations: 0, joinedAtNs: Self.s + 250_000_000) == Self.s + 3 * tick)
        #expect(CampaignRun(plan: plan(), routes: RouteTally(total: 1)).firstTick(iterations: 0, joinedAtNs: nil) == .max)
    }

    @Test func intervalsHaveOneMinimum() {
        let p = CampaignRun.Plan(startNs: 0, runtimeSeconds: 1, loopIntervalMs: 0.000_000_1, sampleIntervalNs: 0,
                                 checkpointSeconds: 1e-9, refreshSeconds: 1e-9)
        #expect(p.checkpointIntervalNs == CampaignRun.Plan.minimumCheckpointNs)
        #expect(p.refreshIntervalNs == 1_000_000 && p.tickIntervalNs == 1 && p.sampleIntervalNs == 1)
        let none = CampaignRun.Plan(startNs: 0, runtimeSeconds: 1, loopIntervalMs: 0, sampleIntervalNs: 1,
                                    checkpointSeconds: nil, refreshSeconds: 0)
        #expect(none.checkpointIntervalNs == nil && none.refreshIntervalNs == nil && none.tickIntervalNs == nil)
        #expect(CampaignRun(plan: none, routes: RouteTally(total: 1)).nextCheckpointNs == .max)
    }
}
