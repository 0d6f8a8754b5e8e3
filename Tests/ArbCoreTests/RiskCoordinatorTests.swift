import Foundation
import Testing
@testable import ArbCore

/// One test per tier and reason, on a virtual clock (nothing sleeps).
@Suite struct RiskCoordinatorTests {
    static let second: Int64 = 1_000_000_000
    let fresh = DataCheck(ageAMs: 10, ageBMs: 10, fxAgeMs: 10, crossedA: false, crossedB: false, fxRate: 1400)

    func coordinator(_ limits: RiskLimits = RiskLimits(), routes: Int = 3, recorder: any CampaignRecorder = NullRecorder()) -> RiskCoordinator {
        RiskCoordinator(limits: limits, routeKeys: (0..<routes).map { "R\($0)USDT" }, recorder: recorder)
    }

    /// An entry of `usd` worth of a 100-USD asset (quantity usd/100, step 0.01).
    func request(route: Int = 0, usd: Double = 200, at t: Int64 = 0, data: DataCheck? = nil,
                 balanceRoom: Fixed = Fixed(1_000_000)) -> EntryRequest {
        EntryRequest(route: route, direction: .sellABuyB, quantity: Fixed(usd / 100), step: Fixed("0.01")!,
                     priceA: 140_000, priceB: 100, minNotionalA: 5_000, minNotionalB: 5, balanceRoom: balanceRoom,
                     data: data ?? fresh, netEdgeBps: 40, timeNs: t)
    }

    func rejection(_ v: EntryVerdict) -> RiskReason? {
        if case .rejected(let r, _) = v { return r }
        return nil
    }

    func allowed(_ v: EntryVerdict) -> (Fixed, Fixed)? {
        if case .allowed(let q, let r, _) = v { return (q, r) }
        return nil
    }

    /// Opens an entry and closes it with `pnl` at time `t`.
    func roundTrip(_ c: RiskCoordinator, route: Int = 0, pnl: Double, at t: Int64) {
        guard let (_, reserved) = allowed(c.requestEntry(request(route: route, at: t))) else {
            Issue.record("entry refused"); return
        }
        let committed = c.commitEntry(route: route, reservedUSD: reserved, filledUSD: reserved)
        c.recordClose(route: route, committedUSD: committed, realizedUSD: Fixed(pnl), timeNs: t)
    }

    // MARK: Global

    @Test func globalMaxTotalExposureShrinksThenRejects() {
        let c = coordinator(RiskLimits(maxTotalExposureUSD: 300, maxSymbolAllocationPct: 1))
        #expect(allowed(c.requestEntry(request(route: 0, usd: 200)))?.0 == Fixed(2))
        #expect(allowed(c.requestEntry(request(route: 1, usd: 200)))?.0 == Fixed(1))  // 100 of room left
        #expect(rejection(c.requestEntry(request(route: 2, usd: 200))) == .maxTotalExposure)
        #expect(c.snapshot().totalExposureUSD <= Fixed(300))
    }

    @Test func globalDailyLossStopsEntriesForTheRestOfTheDay() {
        let c = coordinator(RiskLimits(maxDailyLossUSD: 50, emergencyStopLossUSD: 1_000, cooldownSeconds: 0))
        roundTrip(c, pnl: -60, at: 10 * Self.second)
        #expect(rejection(c.requestEntry(request(route: 1, at: 20 * Self.second))) == .maxDailyLoss)
        // Loss includes unrealized; still halted later the same day even after a recovery.
        c.updateUnrealized(route: 2, usd: 100, timeNs: 30 * Self.second)
        #expect(rejection(c.requestEntry(request(route: 1, at: 40 * Self.second))) == .maxDailyLoss)
        // The next UTC day on the campaign clock starts clean.
        #expect(allowed(c.requestEntry(request(route: 1, at: 86_400 * Self.second + 1))) != nil)
    }

    @Test func globalEmergencyStopLatches() {
        let c = coordinator(RiskLimits(maxDailyLossUSD: 10_000, emergencyStopLossUSD: 100))
        c.updateUnrealized(route: 0, usd: -99, timeNs: 0)
        #expect(!c.isEmergencyStopped)
        c.updateUnrealized(route: 0, usd: -101, timeNs: 1)
        #expect(c.isEmergencyStopped)
        c.updateUnrealized(route: 0, usd: 0, timeNs: 2)
        #expect(rejection(c.requestEntry(request(route: 1, at: 3))) == .emergencyStop)
    }

    // MARK: Portfolio

    @Test func portfolioSymbolAllocationCap() {
        let c = coordinator(RiskLimits(totalCapitalUSD: 1_000, maxSymbolAllocationPct: 0.3, maxPositionCount: 5))
        #expect(allowed(c.requestEntry(request(route: 0, usd: 200)))?.0 == Fixed(2))
        #expect(allowed(c.requestEntry(request(route: 0, usd: 200)))?.0 == Fixed(1))  // cap 300
        #expect(rejection(c.requestEntry(request(route: 0, usd: 200))) == .symbolAllocation)
    }

    @Test func portfolioAllocationsNeverExceedCapitalWith25RoutesAt30Percent() {
        let c = coordinator(RiskLimits(maxTotalExposureUSD: 1e6, totalCapitalUSD: 2_000, maxSymbolAllocationPct: 0.3,
                                       maxPositionSizeUSD: 1e6,
                                       exchanges: PerVenue(repeating: .init(maxExposureUSD: 1e6, maxOrdersPerSecond: 1000))), routes: 25)
        var reasons: [RiskReason] = []
        for route in 0..<25 {
            let v = c.requestEntry(request(route: route, usd: 600))
            if let r = rejection(v) { reasons.append(r) }
            #expect(c.snapshot().totalAllocatedUSD <= Fixed(2_000))
        }
        let s = c.snapshot()
        #expect(s.totalAllocatedUSD == Fixed(2_000))
        #expect(s.peakAllocatedUSD == Fixed(2_000))
        #expect(s.routes.allSatisfy { $0.allocationUSD <= Fixed(600) })
        #expect(reasons.count == 21 && reasons.allSatisfy { $0 == .totalCapital })
    }

    // MARK: Symbol

    @Test func symbolMaxPositionSize() {
        let c = coordinator(RiskLimits(maxSymbolAllocationPct: 1, maxPositionSizeUSD: 250, maxPositionCount: 5))
        #expect(allowed(c.requestEntry(request(route: 0, usd: 200)))?.0 == Fixed(2))
        #expect(allowed(c.requestEntry(request(route: 0, usd: 200)))?.0 == Fixed("0.5"))
        #expect(rejection(c.requestEntry(request(route: 0, usd: 200))) == .maxPositionSize)
    }

    @Test func symbolMaxPositionCount() {
        let c = coordinator(RiskLimits(maxPositionCount: 1))
        #expect(allowed(c.requestEntry(request(route: 0))) != nil)
        #expect(rejection(c.requestEntry(request(route: 0))) == .maxPositionCount)
        #expect(allowed(c.requestEntry(request(route: 1))) != nil)
    }

    @Test func symbolCooldownRecoversAfterItsTime() {
        let c = coordinator(RiskLimits(cooldownSeconds: 30))
        roundTrip(c, pnl: 1, at: 100 * Self.second)
        #expect(rejection(c.requestEntry(request(at: 129 * Self.second))) == .cooldown)
        #expect(allowed(c.requestEntry(request(at: 130 * Self.second))) != nil)
    }

    @Test func symbolCircuitBreakerHaltsAndRecovers() {
        let c = coordinator(RiskLimits(maxDailyLossUSD: 1e6, emergencyStopLossUSD: 1e6, cooldownSeconds: 0,
                                       circuitBreakerConsecutiveLosses: 3, circuitBreakerHaltSeconds: 300))
        roundTrip(c, pnl: -1, at: 1 * Self.second)
        roundTrip(c, pnl: 2, at: 2 * Self.second)  // a win resets the count
        roundTrip(c, pnl: -1, at: 3 * Self.second)
        roundTrip(c, pnl: -1, at: 4 * Self.second)
        #expect(!c.snapshot().symbols[0].breakerTriggered)
        roundTrip(c, pnl: -1, at: 5 * Self.second)
        #expect(c.snapshot().symbols[0].breakerTriggered)
        #expect(rejection(c.requestEntry(request(at: 304 * Self.second))) == .circuitBreaker)
        #expect(allowed(c.requestEntry(request(at: 305 * Self.second))) != nil)
    }

    // MARK: Data

    @Test func dataTierReasons() {
        let c = coordinator(RiskLimits(maxDataAgeMs: 1_000, fxBandPct: 0.01))
        var d = fresh
        d.ageBMs = 1_500
        #expect(rejection(c.requestEntry(request(data: d))) == .staleLeg)
        d = fresh; d.fxAgeMs = 2_000
        #expect(rejection(c.requestEntry(request(data: d))) == .staleFx)
        d = fresh; d.crossedA = true
        #expect(rejection(c.requestEntry(request(data: d))) == .crossedBook)
        for _ in 0..<10 { c.observeFx(1400) }
        d = fresh; d.fxRate = 1420  // 1.4 % from the median
        #expect(rejection(c.requestEntry(request(data: d))) == .fxBand)
        d.fxRate = 1410
        #expect(allowed(c.requestEntry(request(data: d))) != nil)
    }

    // MARK: Exchange

    /// Order windows hold the last second only, and only on the venues a route trades: a long run's exits neither
    /// grow the risk state (and every checkpoint with it) nor touch the other venues.
    @Test func orderWindowsStayBoundedAndOnTheRoutesVenues() throws {
        let c = coordinator(RiskLimits())
        for i in 0..<5_000 {
            _ = c.requestExit(route: 0, direction: .sellABuyB, quantity: Fixed(1), reason: "max_hold", data: fresh,
                              edgeBps: 0, timeNs: Int64(i) * 10_000_000)
        }
        let state = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(c.snapshot())) as? [String: Any]
        let windows = try #require(state?["orderWindows"] as? [[String: Any]])
        let sizes = windows.map { ($0["times"] as? [Any])?.count ?? 0 }
        #expect(sizes.count == Venue.allCases.count)
        #expect(sizes[Venue.upbit.index] <= 101 && sizes[Venue.binance.index] <= 101 && sizes[Venue.upbit.index] > 0)
        #expect(sizes[Venue.okx.index] == 0 && sizes[Venue.bithumb.index] == 0 && sizes[Venue.bybit.index] == 0)
    }

    @Test func exchangeMaxExposure() {
        let c = coordinator(RiskLimits(maxSymbolAllocationPct: 1,
                                       exchanges: PerVenue(.standard, except: [.upbit: .init(maxExposureUSD: 250, maxOrdersPerSecond: 100)])))
        #expect(allowed(c.requestEntry(request(route: 0))) != nil)
        #expect(allowed(c.requestEntry(request(route: 1)))?.0 == Fixed("0.5"))
        #expect(rejection(c.requestEntry(request(route: 2))) == .maxExposure)
    }

    @Test func exchangeMaxOrdersPerSecond() {
        let c = coordinator(RiskLimits(exchanges: PerVenue(.standard, except: [.binance: .init(maxExposureUSD: 1e6, maxOrdersPerSecond: 2)])))
        #expect(allowed(c.requestEntry(request(route: 0, at: 0))) != nil)
        #expect(allowed(c.requestEntry(request(route: 1, at: 100_000_000))) != nil)
        #expect(rejection(c.requestEntry(request(route: 2, at: 200_000_000))) == .maxOrdersPerSecond)
        #expect(allowed(c.requestEntry(request(route: 2, at: Self.second + 1))) != nil)  // window moved on
    }

    @Test func exchangeInventoryExhausted() {
        let c = coordinator()
        #expect(allowed(c.requestEntry(request(balanceRoom: Fixed("0.7")!)))?.0 == Fixed("0.7"))
        #expect(rejection(c.requestEntry(request(route: 1, balanceRoom: Fixed("0.01")!))) == .inventoryExhausted)
    }

    // MARK: Exits and the log

    @Test func exitsPassGlobalPortfolioAndSymbolTiersButNotTheDataTier() {
        let c = coordinator(RiskLimits(maxDailyLossUSD: 10, emergencyStopLossUSD: 20, cooldownSeconds: 1_000))
        roundTrip(c, route: 1, pnl: -30, at: 1)  // daily loss, emergency stop and a cooldown all in force
        #expect(c.isEmergencyStopped)
        #expect(rejection(c.requestEntry(request(route: 1, at: 2))) != nil)
        let exit = c.requestExit(route: 1, direction: .sellABuyB, quantity: Fixed(1), reason: "emergency_stop", data: fresh,
                                 edgeBps: 0, timeNs: 3)
        guard case .allowed = exit else { Issue.record("exit blocked: \(exit)"); return }
        var stale = fresh
        stale.ageAMs = 1e9
        guard case .rejected(.staleLeg, _) = c.requestExit(route: 1, direction: .sellABuyB, quantity: Fixed(1), reason: "x",
                                                           data: stale, edgeBps: 0, timeNs: 4) else {
            Issue.record("stale data should block the exit"); return
        }
    }

    @Test func identicalConsecutiveRejectionsFoldIntoOneRecord() {
        let recorder = Collect()
        let c = coordinator(RiskLimits(maxPositionCount: 1), recorder: recorder)
        _ = c.requestEntry(request(route: 0, at: 1))
        for t in 2...6 { _ = c.requestEntry(request(route: 0, at: Int64(t))) }  // five max_position_count rejections
        var d = fresh
        d.crossedB = true
        _ = c.requestEntry(request(route: 1, at: 7, data: d))
        #expect(recorder.latest().first { $0.reason == "max_position_count" }?.count == 1)  // the open fold is not re-sent each time
        c.flushOpenRejections()
        let latest = recorder.latest()
        #expect(latest.count == 3)
        let folded = latest.first { $0.reason == "max_position_count" }!
        #expect(folded.count == 5 && folded.firstTimeNs == 2 && folded.lastTimeNs == 6 && folded.tier == .symbol)
        #expect(latest.first { $0.outcome == .allowed }?.reason == "edge")
        let s = c.snapshot()
        #expect(s.allDecisionCounts["rejected.symbol.max_position_count"] == 5)
        #expect(s.allDecisionCounts["allowed.entry.edge"] == 1)
        #expect(s.allDecisionCounts["rejected.data.crossed_book"] == 1)
        #expect(s.tradesRejected == 6)
    }
}

/// Keeps the newest version of each decision.
final class Collect: CampaignRecorder, @unchecked Sendable {
    // Only used from one test's thread.
    var byId: [String: DecisionRecord] = [:]
    var order: [String] = []
    func record(_ event: CampaignEvent) {
        if case .decision(let d) = event {
            if byId[d.id] == nil { order.append(d.id) }
            byId[d.id] = d
        }
    }
    func latest() -> [DecisionRecord] { order.map { byId[$0]! } }
}
