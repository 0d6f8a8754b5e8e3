import Synchronization

/// The layered risk guard shared by every route engine of a campaign: global, portfolio, symbol (an asset across
/// its routes), route, data and exchange tiers, in that order. Safe under concurrent use: each request is judged and its allowance reserved
/// in one critical section, so two routes can never both pass a limit that only one fits under.
///
/// Exits are judged by the data tier alone. Every decision is recorded (see `DecisionRecord` for folding).
public final class RiskCoordinator: Sendable {
    private let state: Mutex<RiskState>
    private let stopped = Atomic<Bool>(false)
    private let recorder: any CampaignRecorder
    /// Route keys and venues by route index; read and appended only while `state` is locked.
    private nonisolated(unsafe) var routeKeys: [String]
    private nonisolated(unsafe) var routeVenues: [PerLeg<Venue>]
    /// Each route's asset (an index into `RiskState.symbols`), and the assets by name.
    private nonisolated(unsafe) var routeSymbol: [Int] = []
    private nonisolated(unsafe) var symbolIndex: [String: Int] = [:]

    /// `routeVenues` defaults to the seed's pair for every route, `routeSymbols` (each route's asset) to each route
    /// its own.
    public init(limits: RiskLimits, routeKeys: [String], routeVenues: [PerLeg<Venue>]? = nil, routeSymbols: [String]? = nil,
                recorder: any CampaignRecorder = NullRecorder()) {
        self.routeKeys = routeKeys
        self.routeVenues = routeVenues ?? routeKeys.map { _ in Route.seedPair }
        self.recorder = recorder
        let symbols = routeSymbols ?? routeKeys
        for symbol in symbols { _ = Self.symbol(symbol, &symbolIndex, &routeSymbol) }
        self.state = Mutex(RiskState(limits: limits, routeCount: routeKeys.count, symbolCount: symbolIndex.count))
    }

    /// Restores a checkpointed state.
    public init(state: RiskState, routeKeys: [String], routeVenues: [PerLeg<Venue>]? = nil, routeSymbols: [String]? = nil,
                recorder: any CampaignRecorder = NullRecorder()) {
        self.routeKeys = routeKeys
        self.routeVenues = routeVenues ?? routeKeys.map { _ in Route.seedPair }
        self.recorder = recorder
        for symbol in routeSymbols ?? routeKeys { _ = Self.symbol(symbol, &symbolIndex, &routeSymbol) }
        var state = state
        if state.symbols.count < symbolIndex.count {
            state.symbols += Array(repeating: SymbolRiskState(), count: symbolIndex.count - state.symbols.count)
        }
        self.state = Mutex(state)
        self.stopped.store(state.emergencyStopped, ordering: .relaxed)
    }

    /// Appends a route of `symbol` to the mapping; true when the asset is new.
    private static func symbol(_ symbol: String, _ index: inout [String: Int], _ routeSymbol: inout [Int]) -> Bool {
        if let i = index[symbol] {
            routeSymbol.append(i)
            return false
        }
        index[symbol] = index.count
        routeSymbol.append(index.count - 1)
        return true
    }

    /// Gives a route joining the campaign (`universe.refresh_seconds`) its slot, at the next index.
    public func addRoute(key: String, venues: PerLeg<Venue> = Route.seedPair, symbol: String? = nil) {
        state.withLock { s in
            routeKeys.append(key)
            routeVenues.append(venues)
            if Self.symbol(symbol ?? key, &symbolIndex, &routeSymbol) { s.symbols.append(SymbolRiskState()) }
            s.routes.append(RouteRiskState())
            s.openRejections.append(nil)
        }
    }

    /// The index in `RiskState.symbols` of each route's asset.
    public var symbolOfRoute: [Int] { state.withLock { _ in routeSymbol } }

    /// True once the campaign's loss reached `emergency_stop_loss_usd`.
    public var isEmergencyStopped: Bool { stopped.load(ordering: .relaxed) }

    /// A copy of the whole state (stats, checkpoints).
    public func snapshot() -> RiskState { state.withLock { $0 } }

    public var limits: RiskLimits { state.withLock { $0.limits } }

    /// Replaces the limits; open pairs keep what they hold, new proposals meet the new limits.
    public func updateLimits(_ limits: RiskLimits) { state.withLock { $0.limits = limits } }

    /// Adds an fx observation of `venue`'s to the history its fx band is measured against.
    public func observeFx(_ rate: Double, venue: Venue = .upbit) { state.withLock { $0.fx[venue].add(rate) } }

    // MARK: Entries

    /// Judges an entry through every tier; on allowance the notional is reserved until `commitEntry`,
    /// `releaseEntry` or `recordClose`.
    public func requestEntry(_ request: EntryRequest) -> EntryVerdict {
        state.withLock { s in decide(request, &s) }
    }

    /// Whether an entry on `route` at `timeNs` is refused before the tiers that read the books' freshness and the
    /// balances: a cooldown or circuit breaker of its asset or of the route holds. Such an entry is judged
    /// without them (`requestRefusedEntry`).
    public func refusesBeforeData(route: Int, timeNs: Int64) -> Bool {
        state.withLock { s in Self.refusedBeforeData(s, symbol: routeSymbol[route], route: route, timeNs: timeNs) }
    }

    /// Judges an entry `refusesBeforeData` found refused, whose request carries no data check or balance room
    /// (the tiers reject before reading them); nil when that no longer holds and the entry needs a full request.
    public func requestRefusedEntry(_ request: EntryRequest) -> EntryVerdict? {
        state.withLock { s -> EntryVerdict? in
            guard Self.refusedBeforeData(s, symbol: routeSymbol[request.route], route: request.route, timeNs: request.timeNs) else {
                return nil
            }
            return decide(request, &s)
        }
    }

    /// Every condition of `judge`'s global to route tiers that rejects whatever the quantity: checked before the
    /// data tier, so the judgement does not depend on the request's data check or balance room.
    @inline(__always)
    static func refusedBeforeData(_ s: borrowing RiskState, symbol: Int, route: Int, timeNs: Int64) -> Bool {
        // Field by field: the asset's and the route's states taken whole were copies of both.
        timeNs < s.symbols[symbol].cooldownUntilNs || timeNs < s.symbols[symbol].breakerUntilNs
            || timeNs < s.routes[route].cooldownUntilNs || timeNs < s.routes[route].breakerUntilNs
    }

    /// Judges an entry and records the decision, under the state's lock.
    private func decide(_ request: EntryRequest, _ s: inout RiskState) -> EntryVerdict {
        switch Self.judge(request, venues: routeVenues[request.route], symbol: routeSymbol[request.route], &s) {
        case .allowed(let qty, let reserved):
            let id = nextDecisionId(&s)
            countAllowed(&s, .entry, reason: "edge")
            emit(DecisionRecord(
                id: id, route: routeKeys[request.route], kind: .entry, outcome: .allowed, tier: nil,
                reason: "edge", count: 1, firstTimeNs: request.timeNs, lastTimeNs: request.timeNs,
                direction: request.direction, requestedQuantity: request.quantity, approvedQuantity: qty,
                edgeBps: request.netEdgeBps, detail: nil), &s, route: request.route, folding: false)
            return .allowed(quantity: qty, reservedUSD: reserved, decisionId: id)
        case .rejected(let rejected):
            s.tradesRejected += 1
            s.routes[request.route].tradesRejected += 1
            let detail = record(rejected, &s, route: request.route, kind: .entry, direction: request.direction,
                                quantity: request.quantity, edge: request.netEdgeBps, now: request.timeNs)
            return .rejected(rejected.reason, detail: detail)
        }
    }

    /// Settles a reservation once both legs filled: the pair commits the smaller of what was reserved and what
    /// actually filled (so committed allocations never exceed what the tiers allowed).
    public func commitEntry(route: Int, reservedUSD: Fixed, filledUSD: Fixed) -> Fixed {
        state.withLock { s in
            let committed = Swift.min(reservedUSD, filledUSD)
            let excess = reservedUSD - committed
            Self.release(&s, route: route, symbol: routeSymbol[route], venues: routeVenues[route], usd: excess, closePair: false)
            s.tradesExecuted += 1
            s.routes[route].tradesExecuted += 1
            return committed
        }
    }

    /// Gives back a reservation whose entry did not become a pair, booking what reversing a lone leg cost.
    public func releaseEntry(route: Int, reservedUSD: Fixed, realizedUSD: Fixed = .zero, timeNs: Int64) {
        state.withLock { s in
            Self.release(&s, route: route, symbol: routeSymbol[route], venues: routeVenues[route], usd: reservedUSD, closePair: true)
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
            if let rejected = Self.dataTier(data, venues: routeVenues[route], s) {
                let detail = record(rejected, &s, route: route, kind: .exit, direction: direction, quantity: quantity,
                                    edge: edgeBps, now: timeNs)
                return .rejected(rejected.reason, detail: detail)
            }
            for venue in routeVenues[route].values { s.orderWindows[venue].add(timeNs) }
            let id = nextDecisionId(&s)
            countAllowed(&s, .exit, reason: reason)
            emit(DecisionRecord(
                id: id, route: routeKeys[route], kind: .exit, outcome: .allowed, tier: nil, reason: reason,
                count: 1, firstTimeNs: timeNs, lastTimeNs: timeNs, direction: direction,
                requestedQuantity: quantity, approvedQuantity: quantity, edgeBps: edgeBps, detail: nil),
                &s, route: route, folding: false)
            return .allowed(decisionId: id)
        }
    }

    /// Books a closed pair: frees its allocation, adds its PnL, starts the cooldown and feeds the circuit breaker.
    public func recordClose(route: Int, committedUSD: Fixed, realizedUSD: Fixed, timeNs: Int64) {
        state.withLock { s in
            let symbol = routeSymbol[route]
            Self.release(&s, route: route, symbol: symbol, venues: routeVenues[route], usd: committedUSD, closePair: true)
            Self.rollDay(&s, timeNs)
            s.realizedUSD += realizedUSD
            s.realizedTodayUSD += realizedUSD
            s.setUnrealized(route: route, 0)
            s.recomputeUnrealized()
            let L = s.limits, loss = realizedUSD.raw < 0
            // The symbol's cooldown and breaker count every route of the asset; the route's only its own.
            s.symbols[symbol].cooldownUntilNs = timeNs + Int64(L.cooldownSeconds * 1e9)
            s.symbols[symbol].count(loss: loss, limit: L.circuitBreakerConsecutiveLosses,
                                    haltUntilNs: timeNs + Int64(L.circuitBreakerHaltSeconds * 1e9))
            s.routes[route].cooldownUntilNs = timeNs + Int64(L.route.cooldownSeconds * 1e9)
            if let limit = L.route.circuitBreakerConsecutiveLosses {
                s.routes[route].count(loss: loss, limit: limit, haltUntilNs: timeNs + Int64(L.route.circuitBreakerHaltSeconds * 1e9))
            }
            checkLosses(&s)
        }
    }

    /// Marks a route's open pair at current unwind prices (feeds daily loss and the emergency stop).
    public func updateUnrealized(route: Int, usd: Double, timeNs: Int64) {
        state.withLock { s in
            s.setUnrealized(route: route, usd)
            Self.rollDay(&s, timeNs)
            checkLosses(&s)
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

    // MARK: Execution

    /// Records a leg the paper venue refused after the tiers allowed its order: counted by venue and reason, and
    /// logged as a rejected decision of the `execution` tier naming the venue, side, trade and quantity.
    public func recordLegRejection(route: Int, kind: DecisionKind, order: MarketOrder, reason: OrderRejection,
                                   direction: Direction, edgeBps: Double) {
        state.withLock { s in
            s.legRejections = s.legRejections ?? [:]
            s.legRejections?[order.venue.rawValue, default: [:]][reason.rawValue, default: 0] += 1
            let detail = "\(order.venue.rawValue) \(order.side.rawValue) \(order.role.rawValue) leg of \(order.tradeId), "
                + "\(order.quantity) \(order.route.base), refused: \(reason.rawValue)"
            emit(DecisionRecord(
                id: nextDecisionId(&s), route: routeKeys[route], kind: kind, outcome: .rejected, tier: .execution,
                reason: reason.rawValue, count: 1, firstTimeNs: order.timeNs, lastTimeNs: order.timeNs,
                direction: direction, requestedQuantity: order.quantity, approvedQuantity: nil, edgeBps: edgeBps,
                detail: detail), &s, route: route, folding: false)
        }
    }

    /// Records a close by transfer the transfer rules refused: counted by reason, and logged as a rejected exit
    /// decision of the `execution` tier with the rule's words.
    public func recordTransferRejection(route: Int, direction: Direction, quantity: Fixed, code: String, detail: String,
                                        timeNs: Int64) {
        state.withLock { s in
            s.transferRejections = s.transferRejections ?? [:]
            s.transferRejections?[code, default: 0] += 1
            emit(DecisionRecord(
                id: nextDecisionId(&s), route: routeKeys[route], kind: .exit, outcome: .rejected, tier: .execution,
                reason: code, count: 1, firstTimeNs: timeNs, lastTimeNs: timeNs, direction: direction,
                requestedQuantity: quantity, approvedQuantity: nil, edgeBps: 0, detail: detail), &s, route: route, folding: false)
        }
    }

    /// Counts a transfer the rebalancer could not make (no route's decision: it belongs to no pair).
    public func countTransferRejection(code: String) {
        state.withLock { s in
            s.transferRejections = s.transferRejections ?? [:]
            s.transferRejections?[code, default: 0] += 1
        }
    }

    // MARK: Decision log

    private func nextDecisionId(_ s: inout RiskState) -> String {
        s.decisionCount += 1
        let n = String(s.decisionCount)
        return "D" + String(repeating: "0", count: Swift.max(0, 7 - n.count)) + n
    }

    /// Allowances are counted by kind and reason (rejections by reason, in `rejectionCounts`).
    private func countAllowed(_ s: inout RiskState, _ kind: DecisionKind, reason: String) {
        s.decisionCounts["allowed.\(kind.rawValue).\(reason)", default: 0] += 1
    }

    /// Counts a rejection and logs it: a repeat of the route's open rejection only grows that record (emitted
    /// again when it closes or on `flushOpenRejections`); anything else starts a record. Returns its detail.
    private func record(_ r: Rejection, _ s: inout RiskState, route: Int, kind: DecisionKind, direction: Direction,
                        quantity: Fixed, edge: Double, now: Int64) -> String {
        s.rejectionCounts[r.reason.ordinal] += 1
        // Grown where it lies, through a pointer: taken out and put back (or looked at through the array's
        // subscript), the record and its strings were copied, retained and released each time.
        let folded = s.openRejections.withUnsafeMutableBufferPointer { open -> String? in
            let record = open.baseAddress! + route
            guard record.pointee?.kind == kind, record.pointee?.reason == r.reason.rawValue else { return nil }
            record.pointee!.count += 1
            record.pointee!.lastTimeNs = now
            return record.pointee!.detail ?? ""
        }
        if let folded { return folded }
        let record = DecisionRecord(
            id: nextDecisionId(&s), route: routeKeys[route], kind: kind, outcome: .rejected, tier: r.reason.tier,
            reason: r.reason.rawValue, count: 1, firstTimeNs: now, lastTimeNs: now, direction: direction,
            requestedQuantity: quantity, approvedQuantity: nil, edgeBps: edge, detail: r.detail)
        emit(record, &s, route: route, folding: true)
        return record.detail ?? ""
    }

    /// Emits `record`, first closing the route's open folded rejection (its final count).
    private func emit(_ record: DecisionRecord, _ s: inout RiskState, route: Int, folding: Bool) {
        if let previous = s.openRejections[route], previous.count > 1 { recorder.record(.decision(previous)) }
        s.openRejections[route] = folding ? record : nil
        recorder.record(.decision(record))
    }

    /// Emits every open folded rejection with its count so far (before a checkpoint and at the end).
    public func flushOpenRejections() {
        let open = state.withLock { $0.openRejections.compactMap { $0 }.filter { $0.count > 1 } }
        for record in open { recorder.record(.decision(record)) }
    }
}

extension Int64 {
    /// Division rounding toward −∞ (UTC day of a possibly negative timestamp).
    @inlinable func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
