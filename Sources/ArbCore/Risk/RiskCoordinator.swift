import Synchronization

/// The layered risk guard shared by every route engine of a campaign: global, portfolio, symbol, data and
/// exchange tiers, in that order. Safe under concurrent use: each request is judged and its allowance reserved
/// in one critical section, so two routes can never both pass a limit that only one fits under.
///
/// Exits are judged by the data tier alone. Every decision is recorded (see `DecisionRecord` for folding).
public final class RiskCoordinator: Sendable {
    private let state: Mutex<RiskState>
    private let fold: Mutex<[DecisionRecord?]>
    private let stopped = Atomic<Bool>(false)
    private let recorder: any CampaignRecorder
    private let routeKeys: [String]

    public init(limits: RiskLimits, routeKeys: [String], recorder: any CampaignRecorder = NullRecorder()) {
        self.state = Mutex(RiskState(limits: limits, routeCount: routeKeys.count))
        self.fold = Mutex(Array(repeating: nil, count: routeKeys.count))
        self.routeKeys = routeKeys
        self.recorder = recorder
    }

    /// Restores a checkpointed state.
    public init(state: RiskState, openRejections: [DecisionRecord?], routeKeys: [String],
                recorder: any CampaignRecorder = NullRecorder()) {
        self.state = Mutex(state)
        self.fold = Mutex(openRejections)
        self.routeKeys = routeKeys
        self.recorder = recorder
        self.stopped.store(state.emergencyStopped, ordering: .relaxed)
    }

    /// True once the campaign's loss reached `emergency_stop_loss_usd`.
    public var isEmergencyStopped: Bool { stopped.load(ordering: .relaxed) }

    /// A copy of the whole state (stats).
    public func snapshot() -> RiskState { state.withLock { $0 } }

    /// The state and each route's open folded rejection, for a checkpoint.
    public func checkpoint() -> (RiskState, [DecisionRecord?]) {
        state.withLock { s in (s, fold.withLock { $0 }) }
    }

    public var limits: RiskLimits { state.withLock { $0.limits } }

    /// Replaces the limits; open pairs keep what they hold, new proposals meet the new limits.
    public func updateLimits(_ limits: RiskLimits) { state.withLock { $0.limits = limits } }

    /// Adds an fx observation to the history the fx band is measured against.
    public func observeFx(_ rate: Double) { state.withLock { $0.fx.add(rate) } }

    // MARK: Entries

    /// Judges an entry through every tier; on allowance the notional is reserved until `commitEntry`,
    /// `releaseEntry` or `recordClose`.
    public func requestEntry(_ request: EntryRequest) -> EntryVerdict {
        state.withLock { s -> EntryVerdict in
            let verdict = Self.judge(request, &s)
            switch verdict {
            case .allowed(let qty, let reserved, _):
                let id = nextDecisionId(&s)
                count(&s, .allowed, group: DecisionKind.entry.rawValue, reason: "edge", by: 1)
                emit(DecisionRecord(
                    id: id, route: routeKeys[request.route], kind: .entry, outcome: .allowed, tier: nil,
                    reason: "edge", count: 1, firstTimeNs: request.timeNs, lastTimeNs: request.timeNs,
                    direction: request.direction, requestedQuantity: request.quantity, approvedQuantity: qty,
                    edgeBps: request.netEdgeBps, detail: nil), route: request.route, folding: false)
                return .allowed(quantity: qty, reservedUSD: reserved, decisionId: id)
            case .rejected(let reason, let detail):
                s.tradesRejected += 1
                s.routes[request.route].tradesRejected += 1
                count(&s, .rejected, group: reason.tier.rawValue, reason: reason.rawValue, by: 1)
                rejection(&s, route: request.route, kind: .entry, reason: reason, detail: detail,
                          direction: request.direction, quantity: request.quantity, edge: request.netEdgeBps,
                          now: request.timeNs)
                return verdict
            }
        }
    }

    /// Settles a reservation once both legs filled: the pair commits the smaller of what was reserved and what
    /// actually filled (so committed allocations never exceed what the tiers allowed).
    public func commitEntry(route: Int, reservedUSD: Fixed, filledUSD: Fixed) -> Fixed {
        state.withLock { s in
            let committed = Swift.min(reservedUSD, filledUSD)
            let excess = reservedUSD - committed
            Self.release(&s, route: route, usd: excess, closePair: false)
            s.tradesExecuted += 1
            s.routes[route].tradesExecuted += 1
            return committed
        }
    }

    /// Gives back a reservation whose entry did not become a pair, booking what reversing a lone leg cost.
    public func releaseEntry(route: Int, reservedUSD: Fixed, realizedUSD: Fixed = .zero, timeNs: Int64) {
        state.withLock { s in
            Self.release(&s, route: route, usd: reservedUSD, closePair: true)
            Self.rollDay(&s, timeNs)
            s.realizedUSD += realizedUSD
            s.realizedTodayUSD += realizedUSD
            checkLosses(&s)
        }
    }

    // MARK: Exits

    /// Judges an exit: only the data tier can block it. Allowed exits count against the order rate.
    public func requestExit(route: Int, direction: Direction, quantity: Fixed, reason: String, data: DataCheck,
                            edgeBps: Double, timeNs: Int64) -> ExitVerdict {
        state.withLock { s -> ExitVerdict in
            if let (r, detail) = Self.dataTier(data, s) {
                count(&s, .rejected, group: r.tier.rawValue, reason: r.rawValue, by: 1)
                rejection(&s, route: route, kind: .exit, reason: r, detail: detail, direction: direction,
                          quantity: quantity, edge: edgeBps, now: timeNs)
                return .rejected(r, detail: detail)
            }
            s.orderWindows[0].add(timeNs)
            s.orderWindows[1].add(timeNs)
            let id = nextDecisionId(&s)
            count(&s, .allowed, group: DecisionKind.exit.rawValue, reason: reason, by: 1)
            emit(DecisionRecord(
                id: id, route: routeKeys[route], kind: .exit, outcome: .allowed, tier: nil, reason: reason,
                count: 1, firstTimeNs: timeNs, lastTimeNs: timeNs, direction: direction,
                requestedQuantity: quantity, approvedQuantity: quantity, edgeBps: edgeBps, detail: nil),
                route: route, folding: false)
            return .allowed(decisionId: id)
        }
    }

    /// Books a closed pair: frees its allocation, adds its PnL, starts the cooldown and feeds the circuit breaker.
    public func recordClose(route: Int, committedUSD: Fixed, realizedUSD: Fixed, timeNs: Int64) {
        state.withLock { s in
            Self.release(&s, route: route, usd: committedUSD, closePair: true)
            Self.rollDay(&s, timeNs)
            s.realizedUSD += realizedUSD
            s.realizedTodayUSD += realizedUSD
            s.routes[route].unrealizedUSD = 0
            s.routes[route].cooldownUntilNs = timeNs + Int64(s.limits.cooldownSeconds * 1e9)
            if realizedUSD.raw < 0 {
                s.routes[route].consecutiveLosses += 1
                if s.routes[route].consecutiveLosses >= s.limits.circuitBreakerConsecutiveLosses {
                    s.routes[route].breakerUntilNs = timeNs + Int64(s.limits.circuitBreakerHaltSeconds * 1e9)
                    s.routes[route].breakerTriggered = true
                    s.routes[route].consecutiveLosses = 0
                }
            } else {
                s.routes[route].consecutiveLosses = 0
            }
            checkLosses(&s)
        }
    }

    /// Marks a route's open pair at current unwind prices (feeds daily loss and the emergency stop).
    public func updateUnrealized(route: Int, usd: Double, timeNs: Int64) {
        state.withLock { s in
            s.routes[route].unrealizedUSD = usd
            Self.rollDay(&s, timeNs)
            checkLosses(&s)
        }
    }

    // MARK: Tiers

    private static func judge(_ r: EntryRequest, _ s: inout RiskState) -> EntryVerdict {
        let L = s.limits
        var qty = r.quantity
        let usdPerUnit = r.priceB

        /// USD a quantity commits: rounded up, so the sum of commitments never exceeds a limit it was checked against.
        func cost(_ q: Fixed) -> Fixed { Fixed(q.double * usdPerUnit, rounding: .up) }
        /// Shrinks `qty` until it costs no more than `roomUSD`; false when the result is no longer a valid order.
        func clamp(_ roomUSD: Double) -> Bool {
            guard roomUSD > 0 else { return false }
            let room = Fixed(roomUSD, rounding: .down)
            var most = Fixed(roomUSD / usdPerUnit, rounding: .down).rounded(toMultipleOf: r.step, .down)
            while most.isPositive && cost(most) > room { most -= r.step }
            if most < qty { qty = most }
            return r.fitsMinimums(qty)
        }
        func money(_ x: Double) -> String { Fixed(x).rounded(toMultipleOf: Fixed(raw: 1_000_000), .halfEven).description }

        // Global
        if s.emergencyStopped { return .rejected(.emergencyStop, detail: "campaign loss reached emergency_stop_loss_usd") }
        rollDay(&s, r.timeNs)
        let today = r.timeNs.floorDiv(86_400_000_000_000)
        if s.dailyHaltDay == today {
            return .rejected(.maxDailyLoss, detail: "daily loss limit hit earlier today")
        }
        let dailyLoss = Swift.max(0, -(s.realizedTodayUSD.double + s.unrealizedUSD))
        if dailyLoss >= L.maxDailyLossUSD {
            s.dailyHaltDay = today
            return .rejected(.maxDailyLoss, detail: "daily loss \(money(dailyLoss)) ≥ \(money(L.maxDailyLossUSD))")
        }
        if !clamp(L.maxTotalExposureUSD - s.totalExposureUSD.double) {
            return .rejected(.maxTotalExposure, detail: "exposure \(money(s.totalExposureUSD.double)) of \(money(L.maxTotalExposureUSD))")
        }
        // Portfolio
        let route = s.routes[r.route]
        if !clamp(L.symbolCapUSD - route.allocationUSD.double) {
            return .rejected(.symbolAllocation, detail: "allocated \(money(route.allocationUSD.double)) of cap \(money(L.symbolCapUSD))")
        }
        if !clamp(L.totalCapitalUSD - s.totalAllocatedUSD.double) {
            return .rejected(.totalCapital, detail: "allocated \(money(s.totalAllocatedUSD.double)) of capital \(money(L.totalCapitalUSD))")
        }
        // Symbol
        if route.openPairs >= L.maxPositionCount {
            return .rejected(.maxPositionCount, detail: "\(route.openPairs) open of \(L.maxPositionCount)")
        }
        if r.timeNs < route.cooldownUntilNs {
            return .rejected(.cooldown, detail: "cooldown for \(Double(route.cooldownUntilNs - r.timeNs) / 1e9) s more")
        }
        if r.timeNs < route.breakerUntilNs {
            return .rejected(.circuitBreaker, detail: "halted for \(Double(route.breakerUntilNs - r.timeNs) / 1e9) s more")
        }
        if !clamp(L.maxPositionSizeUSD - route.allocationUSD.double) {
            return .rejected(.maxPositionSize, detail: "position \(money(route.allocationUSD.double)) of \(money(L.maxPositionSizeUSD))")
        }
        // Data
        if let (reason, detail) = dataTier(r.data, s) { return .rejected(reason, detail: detail) }
        // Exchange
        for (v, venue) in Venue.allCases.enumerated() {
            let limit = L.exchange(venue)
            if !clamp(limit.maxExposureUSD - s.venueExposureUSD[v].double) {
                return .rejected(.maxExposure, detail: "\(venue.rawValue) exposure \(money(s.venueExposureUSD[v].double)) of \(money(limit.maxExposureUSD))")
            }
            if s.orderWindows[v].count(at: r.timeNs) + 1 > limit.maxOrdersPerSecond {
                return .rejected(.maxOrdersPerSecond, detail: "\(venue.rawValue) at \(limit.maxOrdersPerSecond) orders/s")
            }
        }
        if r.balanceRoom < qty {
            qty = r.balanceRoom.rounded(toMultipleOf: r.step, .down)
            if !r.fitsMinimums(qty) {
                return .rejected(.inventoryExhausted, detail: "balances allow \(r.balanceRoom) \(r.direction == .sellABuyB ? "(Upbit inventory or Binance cash)" : "(Upbit cash or Binance inventory)")")
            }
        }
        // Reserve
        let reserved = cost(qty)
        s.totalExposureUSD += reserved
        s.venueExposureUSD[0] += reserved
        s.venueExposureUSD[1] += reserved
        s.routes[r.route].allocationUSD += reserved
        s.routes[r.route].openPairs += 1
        s.totalAllocatedUSD += reserved
        s.peakAllocatedUSD = Swift.max(s.peakAllocatedUSD, s.totalAllocatedUSD)
        s.orderWindows[0].add(r.timeNs)
        s.orderWindows[1].add(r.timeNs)
        return .allowed(quantity: qty, reservedUSD: reserved, decisionId: "")
    }

    private static func dataTier(_ d: DataCheck, _ s: RiskState) -> (RiskReason, String)? {
        let L = s.limits
        if d.crossedA || d.crossedB {
            return (.crossedBook, d.crossedA ? "upbit book crossed" : "binance book crossed")
        }
        if d.ageAMs > L.maxDataAgeMs || d.ageBMs > L.maxDataAgeMs {
            let (venue, age) = d.ageAMs > L.maxDataAgeMs ? ("upbit", d.ageAMs) : ("binance", d.ageBMs)
            return (.staleLeg, "\(venue) book \(Int(age)) ms old, limit \(Int(L.maxDataAgeMs)) ms")
        }
        if let fxAge = d.fxAgeMs, fxAge > L.maxDataAgeMs {
            return (.staleFx, "fx \(Int(fxAge)) ms old, limit \(Int(L.maxDataAgeMs)) ms")
        }
        if let median = s.fx.median, median > 0, abs(d.fxRate - median) / median > L.fxBandPct {
            return (.fxBand, "fx \(d.fxRate) outside \(L.fxBandPct * 100)% of median \(median)")
        }
        return nil
    }

    private static func release(_ s: inout RiskState, route: Int, usd: Fixed, closePair: Bool) {
        s.totalExposureUSD -= usd
        s.venueExposureUSD[0] -= usd
        s.venueExposureUSD[1] -= usd
        s.routes[route].allocationUSD -= usd
        s.totalAllocatedUSD -= usd
        if closePair { s.routes[route].openPairs -= 1 }
    }

    private static func rollDay(_ s: inout RiskState, _ now: Int64) {
        let day = now.floorDiv(86_400_000_000_000)
        if day != s.dayIndex {
            s.dayIndex = day
            s.realizedTodayUSD = .zero
        }
    }

    private func checkLosses(_ s: inout RiskState) {
        let unrealized = s.unrealizedUSD
        let daily = Swift.max(0, -(s.realizedTodayUSD.double + unrealized))
        s.maxDailyLossSeenUSD = Swift.max(s.maxDailyLossSeenUSD, daily)
        if !s.emergencyStopped && s.realizedUSD.double + unrealized <= -s.limits.emergencyStopLossUSD {
            s.emergencyStopped = true
            stopped.store(true, ordering: .relaxed)
        }
    }

    // MARK: Decision log

    private func nextDecisionId(_ s: inout RiskState) -> String {
        s.decisionCount += 1
        let n = String(s.decisionCount)
        return "D" + String(repeating: "0", count: Swift.max(0, 7 - n.count)) + n
    }

    private func count(_ s: inout RiskState, _ outcome: DecisionOutcome, group: String, reason: String, by n: Int) {
        s.decisionCounts["\(outcome.rawValue).\(group).\(reason)", default: 0] += n
    }

    private func rejection(_ s: inout RiskState, route: Int, kind: DecisionKind, reason: RiskReason, detail: String,
                           direction: Direction, quantity: Fixed, edge: Double, now: Int64) {
        let folded: DecisionRecord? = fold.withLock { open in
            guard var record = open[route], record.kind == kind, record.reason == reason.rawValue else { return nil }
            record.count += 1
            record.lastTimeNs = now
            record.detail = detail
            open[route] = record
            return record
        }
        if let folded {
            recorder.record(.decision(folded))
            return
        }
        let record = DecisionRecord(
            id: nextDecisionId(&s), route: routeKeys[route], kind: kind, outcome: .rejected, tier: reason.tier,
            reason: reason.rawValue, count: 1, firstTimeNs: now, lastTimeNs: now, direction: direction,
            requestedQuantity: quantity, approvedQuantity: nil, edgeBps: edge, detail: detail)
        emit(record, route: route, folding: true)
    }

    private func emit(_ record: DecisionRecord, route: Int, folding: Bool) {
        fold.withLock { $0[route] = folding ? record : nil }
        recorder.record(.decision(record))
    }
}

extension Int64 {
    /// Division rounding toward −∞ (UTC day of a possibly negative timestamp).
    @inlinable func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
