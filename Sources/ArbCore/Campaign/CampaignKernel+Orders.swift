extension CampaignKernel {
    // MARK: Entry

    /// Asks the coordinator, then sends both entry legs. Returns the next due time when legs are in flight.
    func enter(_ index: Int, _ p: EntryProposal, a: BookSnapshot, b: BookSnapshot, fx: FxQuote, nowNs: Int64) -> Int64? {
        let worker = self.worker(index)
        let route = worker.route
        let params = worker.engine.params
        let room = paper.withLock { Self.balanceRoom($0, route: route, direction: p.direction, priceA: p.priceA,
                                                     priceB: p.priceB, params: params) }
        var data = dataCheck(a, b, fx: fx, route: route, nowNs: nowNs)
        data.venueDown = venueDown(route)
        let request = entryRequest(index, p, route: route, fx: fx, balanceRoom: room, data: data, nowNs: nowNs)
        guard case .allowed(let quantity, let reserved, let decisionId) = coordinator.requestEntry(request) else { return nil }
        let audit = TradeAudit(
            upbitSequence: a.sequence, binanceSequence: b.sequence, fxSequence: fx.sequence, fx: fx.fixed,
            grossEdgeBps: p.grossEdgeBps, netEdgeBps: p.netEdgeBps, slippageBps: p.slippageBps, feesUSD: .zero,
            timeNs: nowNs, decisionId: decisionId)
        worker.pending = PendingLegs(
            kind: .entry, tradeId: nextTradeId(), direction: p.direction, quantity: quantity,
            dueNs: dueNs(route, nowNs), executed: PerLeg(repeating: false), fills: PerLeg(repeating: nil),
            audit: audit, reservedUSD: reserved, exitReason: nil)
        return deliver(route: index, nowNs: nowNs, books: (a, b))
    }

    /// An entry `decide` found refused by a cooldown or breaker: judged and counted without its books, balances
    /// or data check, none of which such a judgement reads. Should the refusal have lifted since (it cannot on
    /// the simulated clock, where both halves see one instant), the entry is made in full from the newest books.
    func enterRefused(_ index: Int, _ p: EntryProposal, fx: FxQuote, nowNs: Int64) -> Int64? {
        let worker = self.worker(index)
        let unread = DataCheck(ageAMs: 0, ageBMs: 0, fxAgeMs: nil, crossedA: false, crossedB: false, fxRate: nil)
        let request = entryRequest(index, p, route: worker.route, fx: fx, balanceRoom: p.quantity, data: unread, nowNs: nowNs)
        if coordinator.requestRefusedEntry(request) != nil { return nil }
        return enter(index, p, a: store.read(worker.markets.a), b: store.read(worker.markets.b), fx: fx, nowNs: nowNs)
    }

    private func entryRequest(_ index: Int, _ p: EntryProposal, route: Route, fx: FxQuote, balanceRoom: Fixed,
                              data: DataCheck, nowNs: Int64) -> EntryRequest {
        var request = EntryRequest(
            route: index, direction: p.direction, quantity: p.quantity, step: route.commonStep, priceA: p.priceA,
            priceB: p.priceB, minNotionalA: route.instruments.a.minNotional.double,
            minNotionalB: route.instruments.b.minNotional.double, balanceRoom: balanceRoom, data: data,
            netEdgeBps: p.netEdgeBps, timeNs: nowNs)
        request.fxB = route.divisors(fx: fx.rate).b
        return request
    }

    // MARK: Exit

    /// Asks the data tier, then sends both unwind legs. Returns the next due time when legs are in flight.
    func exit(_ index: Int, _ p: ExitProposal, a: BookSnapshot, b: BookSnapshot, fx: FxQuote, nowNs: Int64) -> Int64? {
        let worker = self.worker(index)
        guard let trade = worker.engine.position?.trade else { return nil }
        if p.reason == "transfer" {
            closeByTransfer(index, nowNs: nowNs)
            return nil
        }
        let verdict = coordinator.requestExit(
            route: index, direction: trade.direction, quantity: trade.quantity, reason: p.reason,
            data: dataCheck(a, b, fx: fx, route: worker.route, nowNs: nowNs), edgeBps: p.unwindEdgeBps, timeNs: nowNs)
        guard case .allowed(let decisionId) = verdict else { return nil }
        let audit = TradeAudit(
            upbitSequence: a.sequence, binanceSequence: b.sequence, fxSequence: fx.sequence, fx: fx.fixed,
            grossEdgeBps: p.unwindEdgeBps, netEdgeBps: p.unwindEdgeBps,
            slippageBps: p.bestUnwindEdgeBps - p.unwindEdgeBps, feesUSD: .zero, timeNs: nowNs, decisionId: decisionId)
        worker.pending = PendingLegs(
            kind: .exit, tradeId: trade.id, direction: trade.direction, quantity: trade.quantity,
            dueNs: dueNs(worker.route, nowNs), executed: PerLeg(repeating: false), fills: PerLeg(repeating: nil),
            audit: audit, reservedUSD: .zero, exitReason: p.reason)
        return deliver(route: index, nowNs: nowNs, books: (a, b))
    }

    // MARK: Legs

    /// Executes the legs of route `index` that have reached their venue by `nowNs` (all of them with `force`),
    /// against `books` when given (the decision's snapshots) or the store's newest. When both are done, pairs
    /// them and books the outcome. Returns the next due time while a leg is still on its way.
    @discardableResult
    public func deliver(route index: Int, nowNs: Int64, force: Bool = false, books: (BookSnapshot, BookSnapshot)? = nil) -> Int64? {
        let worker = self.worker(index)
        guard var p = worker.pending else { return nil }
        let route = worker.route
        let params = worker.engine.params
        for leg in Leg.allCases {
            guard !p.executed[leg], force || p.dueNs[leg] <= nowNs else { continue }
            let book = books.map { leg == .a ? $0.0 : $0.1 } ?? store.read(worker.markets[leg])
            let order = marketOrder(route, leg, p.side(on: leg), p.quantity, p.tradeId,
                                    p.kind == .entry ? .entry : .exit, params, nowNs)
            p.fills[leg] = execute(order, against: book, route: index, p)
            p.executed[leg] = true
        }
        guard p.executed.values.allSatisfy({ $0 }) else {
            worker.pending = p
            return p.nextDueNs
        }
        worker.pending = nil
        var fills = p.fills.values.compactMap { $0 }
        let pairing = LegPairing(direction: p.direction, filledA: p.fills.a?.quantity ?? .zero,
                                 filledB: p.fills.b?.quantity ?? .zero, unwinding: p.kind == .exit)
        if let c = pairing.correction {
            let book = books.map { c.leg == .a ? $0.0 : $0.1 } ?? store.read(worker.markets[c.leg])
            let order = marketOrder(route, c.leg, c.side, c.quantity, p.tradeId, .correction, params, nowNs)
            if let f = execute(order, against: book, route: index, p) { fills.append(f) }
        }
        for f in fills { recorder.record(.fill(f)) }
        switch p.kind {
        case .entry: finishEntry(index, p, fills: fills, pairQuantity: pairing.pairQuantity, nowNs: nowNs)
        case .exit: finishExit(index, p, fills: fills, unwound: pairing.pairQuantity, nowNs: nowNs)
        }
        return nil
    }

    /// Sends one leg to the paper venue; a refusal is recorded with its reason (the pairing then treats the leg
    /// as unfilled).
    private func execute(_ order: MarketOrder, against book: BookSnapshot, route index: Int, _ p: PendingLegs) -> Fill? {
        switch paper.withLock({ $0.execute(order, against: book) }) {
        case .success(let fill):
            return fill
        case .failure(let reason):
            coordinator.recordLegRejection(route: index, kind: p.kind == .entry ? .entry : .exit, order: order,
                                           reason: reason, direction: p.direction, edgeBps: p.audit.netEdgeBps)
            return nil
        }
    }

    private func finishEntry(_ index: Int, _ p: PendingLegs, fills: [Fill], pairQuantity: Fixed, nowNs: Int64) {
        let worker = self.worker(index)
        let cash = fills.reduce(Fixed.zero) { $0 + $1.usdFlow }
        let fees = fills.reduce(Fixed.zero) { $0 + $1.feeUSD }
        var audit = p.audit
        audit.feesUSD = fees
        var trade = TradeRecord(
            id: p.tradeId, route: worker.route.key, direction: p.direction, status: .open, quantity: pairQuantity,
            entry: audit, exit: nil, exitReason: nil, holdSeconds: nil, committedUSD: .zero, fillIds: fills.map(\.id),
            cashFlowUSD: cash, feesUSD: fees, realizedPnlUSD: nil)
        if worker.engine.params.exitByTransfer {
            let seller = p.direction == .sellABuyB ? worker.route.venues.a : worker.route.venues.b
            trade.sellerProceeds = fills.filter { $0.venue == seller }.reduce(Fixed.zero) { $0 + $1.quoteFlow }
            trade.entryQuantity = pairQuantity
        }
        if pairQuantity.isPositive, let fillB = p.fills.b {
            var filledUSD = pairQuantity.multiplied(by: fillB.price, rounding: .up)
            if worker.route.krwLegs.b { filledUSD = filledUSD.divided(by: fillB.fx) }
            trade.committedUSD = coordinator.commitEntry(route: index, reservedUSD: p.reservedUSD, filledUSD: filledUSD)
            worker.engine.opened(trade)
        } else {
            trade.status = .aborted
            trade.realizedPnlUSD = cash
            coordinator.releaseEntry(route: index, reservedUSD: p.reservedUSD, realizedUSD: cash, timeNs: nowNs)
            worker.engine.aborted(realizedUSD: cash, feesUSD: fees)
        }
        worker.publishFills()
        if !fills.isEmpty { recorder.record(.trade(trade)) }
    }

    private func finishExit(_ index: Int, _ p: PendingLegs, fills: [Fill], unwound: Fixed, nowNs: Int64) {
        let worker = self.worker(index)
        guard var trade = worker.engine.position?.trade else { return }
        trade.fillIds += fills.map(\.id)
        trade.cashFlowUSD += fills.reduce(Fixed.zero) { $0 + $1.usdFlow }
        let exitFees = fills.reduce(Fixed.zero) { $0 + $1.feeUSD }
        trade.feesUSD += exitFees
        if unwound == p.quantity {
            var audit = p.audit
            audit.feesUSD = exitFees
            trade.status = .closed
            trade.exit = audit
            trade.exitReason = p.exitReason
            trade.holdSeconds = Double(nowNs - trade.entry.timeNs) / 1e9
            trade.realizedPnlUSD = trade.cashFlowUSD
            coordinator.recordClose(route: index, committedUSD: trade.committedUSD, realizedUSD: trade.cashFlowUSD,
                                    timeNs: nowNs)
            worker.engine.closed(realizedUSD: trade.cashFlowUSD, feesUSD: trade.feesUSD)
        } else {
            trade.quantity = p.quantity - unwound
            worker.engine.reduced(trade)
        }
        worker.publishFills()
        if !fills.isEmpty { recorder.record(.trade(trade)) }
    }

    private func marketOrder(_ route: Route, _ leg: Leg, _ side: Side, _ quantity: Fixed, _ tradeId: String,
                             _ role: FillRole, _ params: StrategyParams, _ nowNs: Int64) -> MarketOrder {
        MarketOrder(venue: route.venues[leg], route: route, tradeId: tradeId, role: role, side: side, quantity: quantity,
                    feeBps: Fixed(params.takerBps(route, leg)), fx: fx(for: route).fixed, timeNs: nowNs)
    }

    /// When each leg of an order sent now reaches its venue.
    private func dueNs(_ route: Route, _ nowNs: Int64) -> PerLeg<Int64> {
        PerLeg { nowNs + latencyNs[route.venues[$0]] }
    }

    /// The largest quantity the accounts can take for an entry: inventory for the sell leg, cash (fee included)
    /// for the buy leg, at the prices the proposal was made at.
    static func balanceRoom(_ ex: PaperExchange, route: Route, direction: Direction, priceA: Double, priceB: Double,
                            params: StrategyParams) -> Fixed {
        let inventory: Fixed
        let cashUnits: Double
        let a = route.venues.a, b = route.venues.b
        switch direction {
        case .sellABuyB:
            inventory = ex.balance(a, route.base)
            cashUnits = ex.balance(b, b.quoteAsset).double / (priceB * (1 + params.takerBps(b) / 1e4))
        case .buyASellB:
            inventory = ex.balance(b, route.base)
            cashUnits = ex.balance(a, a.quoteAsset).double / (priceA * (1 + params.takerBps(a) / 1e4))
        }
        // A hair under the exact cash room, so Double rounding never turns into a rejected buy.
        let cash = Fixed(Swift.max(0, cashUnits * (1 - 1e-9)), rounding: .down)
        return Swift.min(inventory, cash)
    }
}
