import Synchronization

/// The synchronous heart of a campaign, shared by both drivers: for one route at one instant, read the newest
/// snapshots, let the route engine decide, ask the risk coordinator, execute both legs on the paper exchange,
/// report fills back and record everything. No I/O and no waiting.
///
/// Safe to call concurrently for *different* routes (the realtime driver runs one task per route); a route's
/// own state is touched only by the caller that drives it.
public final class CampaignKernel: Sendable {
    public let routes: [Route]
    public let layout: MarketLayout
    public let store: SnapshotStore
    public let coordinator: RiskCoordinator
    public let workers: [RouteWorker]
    public let fxSource: FxSource
    private let paper: Mutex<PaperExchange>
    private let recorder: any CampaignRecorder
    private let fx = Mutex(FxQuote(rate: 0, fixed: .zero, timeNs: 0, sequence: 0))
    private let params: Mutex<(version: Int, params: StrategyParams)>
    private let paramsVersion = Atomic<Int>(0)
    private let paused = Atomic<Bool>(false)
    private let tradeCount: Mutex<Int>

    public init(routes: [Route], store: SnapshotStore, coordinator: RiskCoordinator, paper: PaperExchange,
                params: StrategyParams, fxSource: FxSource, recorder: any CampaignRecorder, tradeCount: Int = 0) {
        self.routes = routes
        self.layout = MarketLayout(routeCount: routes.count)
        self.store = store
        self.coordinator = coordinator
        self.workers = routes.map { RouteWorker(engine: RouteEngine(route: $0, params: params)) }
        self.fxSource = fxSource
        self.paper = Mutex(paper)
        self.recorder = recorder
        self.params = Mutex((0, params))
        self.tradeCount = Mutex(tradeCount)
        if case .fixed(let rate) = fxSource {
            fx.withLock { $0 = FxQuote(rate: rate.double, fixed: rate, timeNs: 0, sequence: 0) }
        }
    }

    // MARK: Controls

    public var isPaused: Bool { paused.load(ordering: .relaxed) }
    /// Pauses or resumes entries; exits go on.
    public func setPaused(_ value: Bool) { paused.store(value, ordering: .relaxed) }

    public var strategyParams: StrategyParams { params.withLock { $0.params } }

    /// New strategy settings, picked up by each route at its next evaluation.
    public func updateParams(_ new: StrategyParams) {
        let version = params.withLock { p -> Int in
            p.version += 1
            p.params = new
            return p.version
        }
        paramsVersion.store(version, ordering: .releasing)
    }

    public var paperExchange: PaperExchange { paper.withLock { $0 } }

    public var currentFx: FxQuote { fx.withLock { $0 } }

    func restoreFx(_ quote: FxQuote) { fx.withLock { $0 = quote } }

    /// Call after the fx book changed: recomputes the rate and feeds the fx band's history.
    public func fxBookUpdated() {
        guard fxSource == .book else { return }
        let book = store.read(layout.fxMarket)
        guard !book.isEmpty else { return }
        let quote = FxQuote(rate: book.mid, fixed: book.midFixed, timeNs: book.receiveTimeNs, sequence: book.sequence)
        fx.withLock { $0 = quote }
        coordinator.observeFx(quote.rate)
    }

    // MARK: Evaluation

    /// One iteration of route `index` at `nowNs`; `entriesAllowed` is false while the campaign is stopping.
    /// Throws when the route is broken (the caller isolates it).
    public func evaluate(route index: Int, nowNs: Int64, entriesAllowed: Bool = true) throws(RouteFailure) {
        let worker = workers[index]
        let version = paramsVersion.load(ordering: .acquiring)
        if version != worker.paramsVersion {
            worker.engine.params = params.withLock { $0.params }
            worker.paramsVersion = version
        }
        let a = store.read(layout.market(route: index, venue: .upbit))
        let b = store.read(layout.market(route: index, venue: .binance))
        let fx = currentFx
        let allowEntries = entriesAllowed && worker.inUniverse && !isPaused && !coordinator.isEmergencyStopped
        let action = try worker.engine.evaluate(a: a, b: b, fx: fx, nowNs: nowNs, entriesAllowed: allowEntries)
        worker.iterationCount.add(1, ordering: .relaxed)
        switch action {
        case .none:
            if worker.engine.position != nil {
                coordinator.updateUnrealized(route: index, usd: worker.engine.unrealizedPnlUSD, timeNs: nowNs)
            }
        case .enter(let proposal):
            enter(index, proposal, a: a, b: b, fx: fx, nowNs: nowNs)
        case .exit(let proposal):
            coordinator.updateUnrealized(route: index, usd: worker.engine.unrealizedPnlUSD, timeNs: nowNs)
            exit(index, proposal, a: a, b: b, fx: fx, nowNs: nowNs)
        }
    }

    /// Unwinds route `index`'s open pair now, whatever its edge (`campaign_end`, `flatten`, `emergency_stop`,
    /// `universe`). Returns false when the pair is still open afterwards (blocked by the data tier or unfilled).
    @discardableResult
    public func flatten(route index: Int, reason: String, nowNs: Int64) -> Bool {
        let worker = workers[index]
        guard worker.engine.position != nil else { return true }
        let a = store.read(layout.market(route: index, venue: .upbit))
        let b = store.read(layout.market(route: index, venue: .binance))
        let fx = currentFx
        if case .exit(let proposal) = worker.engine.forcedExit(reason: reason, a: a, b: b, fx: fx, nowNs: nowNs) {
            exit(index, proposal, a: a, b: b, fx: fx, nowNs: nowNs)
        }
        return worker.engine.position == nil
    }

    func dataCheck(_ a: BookSnapshot, _ b: BookSnapshot, fx: FxQuote, nowNs: Int64) -> DataCheck {
        DataCheck(
            ageAMs: Double(nowNs - a.receiveTimeNs) / 1e6, ageBMs: Double(nowNs - b.receiveTimeNs) / 1e6,
            fxAgeMs: fxSource == .book ? Double(nowNs - fx.timeNs) / 1e6 : nil,
            crossedA: a.isCrossed, crossedB: b.isCrossed, fxRate: fx.rate)
    }

    private func nextTradeId() -> String {
        let n = tradeCount.withLock { c -> Int in c += 1; return c }
        let s = String(n)
        return "T" + String(repeating: "0", count: Swift.max(0, 7 - s.count)) + s
    }

    public var tradesOpened: Int { tradeCount.withLock { $0 } }

    // MARK: Entry

    private func enter(_ index: Int, _ p: EntryProposal, a: BookSnapshot, b: BookSnapshot, fx: FxQuote, nowNs: Int64) {
        let worker = workers[index]
        let route = routes[index]
        let params = worker.engine.params
        let room = paper.withLock { Self.balanceRoom($0, route: route, direction: p.direction, priceA: p.priceA,
                                                     priceB: p.priceB, params: params) }
        let request = EntryRequest(
            route: index, direction: p.direction, quantity: p.quantity, step: route.commonStep, priceA: p.priceA,
            priceB: p.priceB, minNotionalA: route.upbit.minNotional.double,
            minNotionalB: route.binance.minNotional.double, balanceRoom: room,
            data: dataCheck(a, b, fx: fx, nowNs: nowNs), netEdgeBps: p.netEdgeBps, timeNs: nowNs)
        guard case .allowed(let quantity, let reserved, let decisionId) = coordinator.requestEntry(request) else { return }

        let tradeId = nextTradeId()
        let legs = executeLegs(route, direction: p.direction, quantity: quantity, tradeId: tradeId, unwinding: false,
                               params: params, fx: fx, a: a, b: b, nowNs: nowNs)
        let fills = legs.fills
        let pairQty = legs.pairQuantity
        let cash = fills.reduce(Fixed.zero) { $0 + $1.usdFlow }
        let fees = fills.reduce(Fixed.zero) { $0 + $1.feeUSD }
        let audit = TradeAudit(
            upbitSequence: a.sequence, binanceSequence: b.sequence, fxSequence: fx.sequence, fx: fx.fixed,
            grossEdgeBps: p.grossEdgeBps, netEdgeBps: p.netEdgeBps, slippageBps: p.slippageBps, feesUSD: fees,
            timeNs: nowNs, decisionId: decisionId)
        var trade = TradeRecord(
            id: tradeId, route: route.key, direction: p.direction, status: .open, quantity: pairQty, entry: audit,
            exit: nil, exitReason: nil, holdSeconds: nil, committedUSD: .zero, fillIds: fills.map(\.id),
            cashFlowUSD: cash, feesUSD: fees, realizedPnlUSD: nil)
        if pairQty.isPositive, let priceB = legs.binancePrice {
            trade.committedUSD = coordinator.commitEntry(route: index, reservedUSD: reserved,
                                                         filledUSD: pairQty.multiplied(by: priceB, rounding: .up))
            worker.engine.opened(trade)
        } else {
            trade.status = .aborted
            trade.realizedPnlUSD = cash
            coordinator.releaseEntry(route: index, reservedUSD: reserved, realizedUSD: cash, timeNs: nowNs)
            worker.engine.aborted(realizedUSD: cash)
        }
        if !fills.isEmpty { recorder.record(.trade(trade)) }
    }

    // MARK: Exit

    private func exit(_ index: Int, _ p: ExitProposal, a: BookSnapshot, b: BookSnapshot, fx: FxQuote, nowNs: Int64) {
        let worker = workers[index]
        guard var trade = worker.engine.position?.trade else { return }
        let route = routes[index]
        let params = worker.engine.params
        let verdict = coordinator.requestExit(
            route: index, direction: trade.direction, quantity: trade.quantity, reason: p.reason,
            data: dataCheck(a, b, fx: fx, nowNs: nowNs), edgeBps: p.unwindEdgeBps, timeNs: nowNs)
        guard case .allowed(let decisionId) = verdict else { return }
        let quantity = trade.quantity
        let legs = executeLegs(route, direction: trade.direction, quantity: quantity, tradeId: trade.id, unwinding: true,
                               params: params, fx: fx, a: a, b: b, nowNs: nowNs)
        let fills = legs.fills
        let unwound = legs.pairQuantity
        trade.fillIds += fills.map(\.id)
        trade.cashFlowUSD += fills.reduce(Fixed.zero) { $0 + $1.usdFlow }
        let exitFees = fills.reduce(Fixed.zero) { $0 + $1.feeUSD }
        trade.feesUSD += exitFees
        if unwound == quantity {
            trade.status = .closed
            trade.exit = TradeAudit(
                upbitSequence: a.sequence, binanceSequence: b.sequence, fxSequence: fx.sequence, fx: fx.fixed,
                grossEdgeBps: p.unwindEdgeBps, netEdgeBps: p.unwindEdgeBps,
                slippageBps: p.bestUnwindEdgeBps - p.unwindEdgeBps, feesUSD: exitFees, timeNs: nowNs,
                decisionId: decisionId)
            trade.exitReason = p.reason
            trade.holdSeconds = Double(nowNs - trade.entry.timeNs) / 1e9
            trade.realizedPnlUSD = trade.cashFlowUSD
            coordinator.recordClose(route: index, committedUSD: trade.committedUSD, realizedUSD: trade.cashFlowUSD,
                                    timeNs: nowNs)
            worker.engine.closed(realizedUSD: trade.cashFlowUSD)
        } else {
            trade.quantity = quantity - unwound
            worker.engine.reduced(trade)
        }
        if !fills.isEmpty { recorder.record(.trade(trade)) }
    }

    /// What both legs of an entry or exit left behind.
    private struct LegExecution {
        /// Every fill, the correction included, in execution order.
        var fills: [Fill]
        /// The quantity both venues now hold (entry) or gave back (exit).
        var pairQuantity: Fixed
        /// The Binance leg's VWAP, when it filled.
        var binancePrice: Fixed?
    }

    /// Sends both legs against the snapshots the decision was made on, then reverses the excess of the larger
    /// leg (all of it when the other did not fill) so both venues hold matching quantities. Records the fills.
    private func executeLegs(_ route: Route, direction: Direction, quantity: Fixed, tradeId: String, unwinding: Bool,
                             params: StrategyParams, fx: FxQuote, a: BookSnapshot, b: BookSnapshot,
                             nowNs: Int64) -> LegExecution {
        let role: FillRole = unwinding ? .exit : .entry
        func side(_ venue: Venue) -> Side { unwinding ? direction.entrySide(on: venue).opposite : direction.entrySide(on: venue) }
        let (ra, rb) = paper.withLock { ex in
            (ex.execute(order(route, .upbit, side(.upbit), quantity, tradeId, role, params, fx, nowNs), against: a),
             ex.execute(order(route, .binance, side(.binance), quantity, tradeId, role, params, fx, nowNs), against: b))
        }
        let fillA = try? ra.get(), fillB = try? rb.get()
        var fills = [fillA, fillB].compactMap { $0 }
        let pairing = LegPairing(direction: direction, filledA: fillA?.quantity ?? .zero, filledB: fillB?.quantity ?? .zero,
                                 unwinding: unwinding)
        if let c = pairing.correction {
            let correction = paper.withLock { ex in
                ex.execute(order(route, c.venue, c.side, c.quantity, tradeId, .correction, params, fx, nowNs),
                           against: c.venue == .upbit ? a : b)
            }
            if case .success(let f) = correction { fills.append(f) }
        }
        for f in fills { recorder.record(.fill(f)) }
        return LegExecution(fills: fills, pairQuantity: pairing.pairQuantity, binancePrice: fillB?.price)
    }

    private func order(_ route: Route, _ venue: Venue, _ side: Side, _ quantity: Fixed, _ tradeId: String,
                       _ role: FillRole, _ params: StrategyParams, _ fx: FxQuote, _ nowNs: Int64) -> MarketOrder {
        MarketOrder(venue: venue, route: route, tradeId: tradeId, role: role, side: side, quantity: quantity,
                    feeBps: Fixed(params.takerBps(venue)), fx: fx.fixed, timeNs: nowNs)
    }

    /// The largest quantity the accounts can take for an entry: inventory for the sell leg, cash (fee included)
    /// for the buy leg, at the prices the proposal was made at.
    static func balanceRoom(_ ex: PaperExchange, route: Route, direction: Direction, priceA: Double, priceB: Double,
                            params: StrategyParams) -> Fixed {
        let inventory: Fixed
        let cashUnits: Double
        switch direction {
        case .sellABuyB:
            inventory = ex.balance(.upbit, route.base)
            cashUnits = ex.balance(.binance, "USDT").double / (priceB * (1 + params.binanceTakerBps / 1e4))
        case .buyASellB:
            inventory = ex.balance(.binance, route.base)
            cashUnits = ex.balance(.upbit, "KRW").double / (priceA * (1 + params.upbitTakerBps / 1e4))
        }
        // A hair under the exact cash room, so Double rounding never turns into a rejected buy.
        let cash = Fixed(Swift.max(0, cashUnits * (1 - 1e-9)), rounding: .down)
        return Swift.min(inventory, cash)
    }
}
