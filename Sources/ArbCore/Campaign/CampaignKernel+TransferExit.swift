/// Closing a pair by transfer (`strategy.exit_by_transfer`, SPEC §9): instead of trading back, the coin goes
/// back to the venue that sold it, and the quote the seller received goes back to the venue that paid, as USDT
/// (bought with KRW on the seller's `KRW-USDT` book when it is a KRW venue, sold for KRW on arrival when the
/// buyer is). The coin transfer, the conversion and the cash transfer are made together or not at all; a refusal
/// is a rejected exit decision (`route_blocked`, `wallet_suspended`, `inventory_exhausted`) and the pair keeps its
/// other exits, trying again a minute later. The pair closes, with its PnL, when both transfers have settled.
extension CampaignKernel {
    /// How long a refused close by transfer waits before it is tried again.
    static let transferRetryNs: Int64 = 60_000_000_000

    func closeByTransfer(_ index: Int, nowNs: Int64) {
        let worker = self.worker(index)
        guard var trade = worker.engine.position?.trade, !worker.engine.isClosing else { return }
        guard let proceeds = trade.sellerProceeds, let entryQuantity = trade.entryQuantity, entryQuantity.isPositive else {
            return refuseTransfer(index, TransferRefusal(.invalid, "the pair was opened without exit_by_transfer"), nowNs: nowNs)
        }
        let route = worker.route
        let (seller, buyer) = trade.direction == .sellABuyB ? (route.venues.a, route.venues.b) : (route.venues.b, route.venues.a)
        // A pair partly unwound brings back its share of the proceeds.
        let cash = trade.quantity == entryQuantity ? proceeds
            : Fixed(proceeds.double * trade.quantity.double / entryQuantity.double, rounding: .down)
        let rules = transferRules, priceUSD = markPriceUSD(route.base)
        let fxBook = conversionBook(seller)
        let feeBps = Fixed(worker.engine.params.takerBps(seller))
        let outcome = paper.withLock { live -> Result<(Transfer, Transfer, Fill?), TransferRefusal> in
            // On a copy: all three steps or none.
            var p = live
            let coin = p.requestTransfer(TransferRequest(
                asset: route.base, from: buyer, to: seller, amount: trade.quantity, purpose: .exit, tradeId: trade.id,
                priceUSD: priceUSD, krwPerUSD: seller.isKRW ? fx(seller).rate : 0), rules: rules, nowNs: nowNs)
            let coinTransfer: Transfer
            switch coin {
            case .success(let t): coinTransfer = t
            case .failure(let refusal): return .failure(refusal)
            }
            var usdt = cash, conversion: Fill?
            if seller.isKRW {
                guard let book = fxBook, let quantity = Self.usdtFor(krw: cash, book: book, feeBps: feeBps) else {
                    return .failure(TransferRefusal(.invalid, "no \(seller) KRW-USDT book to convert the proceeds"))
                }
                switch p.convert(venue: seller, side: .buy, quantity: quantity, book: book, feeBps: feeBps, fx: trade.entry.fx,
                                 route: route.key, tradeId: trade.id, timeNs: nowNs) {
                case .success(let fill): (usdt, conversion) = (fill.quantity, fill)
                case .failure(let why): return .failure(TransferRefusal(.inventoryExhausted, "\(seller) KRW-USDT conversion refused: \(why.rawValue)"))
                }
            }
            // The cash network's fee comes out of what is sent.
            let network: TransferNetwork
            switch rules.network(for: "USDT", from: seller, to: buyer, priceUSD: 1, at: nowNs) {
            case .success(let n): network = n
            case .failure(let refusal): return .failure(refusal)
            }
            let sent = p.requestTransfer(TransferRequest(
                asset: "USDT", from: seller, to: buyer, amount: usdt - network.fees[seller], network: network.name, purpose: .exit,
                tradeId: trade.id, priceUSD: 1, krwPerUSD: buyer.isKRW ? fx(buyer).rate : 0), rules: rules, nowNs: nowNs)
            let cashTransfer: Transfer
            switch sent {
            case .success(let t): cashTransfer = t
            case .failure(let refusal): return .failure(refusal)
            }
            live = p
            transferDue.store(p.nextTransferDueNs ?? .max, ordering: .releasing)
            return .success((coinTransfer, cashTransfer, conversion))
        }
        switch outcome {
        case .failure(let refusal):
            refuseTransfer(index, refusal, nowNs: nowNs)
        case .success(let (coin, cashTransfer, conversion)):
            var close = TransferClose(buyer: buyer, seller: seller, coinTransferId: coin.id, cashTransferId: cashTransfer.id,
                                      startedNs: nowNs)
            close.transferFeesUSD = Fixed(coin.feeUSD + cashTransfer.feeUSD)
            if let conversion {
                close.add(conversion: conversion)
                recorder.record(.fill(conversion))
            }
            recorder.record(.transfer(coin))
            recorder.record(.transfer(cashTransfer))
            trade.status = .closing
            trade.transferIds = [coin.id, cashTransfer.id]
            worker.engine.closing(close, trade: trade)
            worker.publishFills()
            recorder.record(.trade(trade))
        }
    }

    /// A refused close by transfer: a rejected exit decision with the rule's reason; tried again later.
    private func refuseTransfer(_ index: Int, _ refusal: TransferRefusal, nowNs: Int64) {
        let worker = self.worker(index)
        worker.engine.deferTransfer(untilNs: nowNs + Self.transferRetryNs)
        guard let trade = worker.engine.position?.trade else { return }
        coordinator.recordTransferRejection(route: index, direction: trade.direction, quantity: trade.quantity,
                                            code: refusal.code.rawValue, detail: "close by transfer of \(trade.id) refused: \(refusal.message)",
                                            timeNs: nowNs)
    }

    /// The route closing by transfer with `transfer`, if any.
    func closingRoute(of transfer: Transfer) -> Int? {
        guard transfer.purpose == .exit, let tradeId = transfer.tradeId else { return nil }
        return workers.firstIndex { $0.engine.closing != nil && $0.engine.position?.trade.id == tradeId }
    }

    /// Moves route `index`'s close by transfer on from its transfers' states in the ledger (the truth, also right
    /// after a resume); closes the pair when both have settled. Called on the route's own thread (its evaluation)
    /// or, in simulated time, when a transfer settles.
    func syncClose(_ index: Int, nowNs: Int64) {
        let worker = self.worker(index)
        guard var close = worker.engine.closing, var trade = worker.engine.position?.trade else { return }
        let (coin, cash) = paper.withLock { ($0.transferBook.transfer(id: close.coinTransferId), $0.transferBook.transfer(id: close.cashTransferId)) }
        guard let coin, let cash else { return }
        let coinDone = !coin.state.isOpen, cashDone = !cash.state.isOpen
        guard coinDone != close.coinSettled || cashDone != close.cashSettled else { return }
        close.coinSettled = coinDone
        if cashDone && !close.cashSettled {
            close.cashSettled = true
            // The cash is back on a KRW venue as USDT: turned into KRW there.
            if cash.state == .credited && close.buyer.isKRW, let book = conversionBook(close.buyer) {
                let feeBps = Fixed(worker.engine.params.takerBps(close.buyer))
                let sold = paper.withLock {
                    $0.convert(venue: close.buyer, side: .sell, quantity: cash.amount, book: book, feeBps: feeBps,
                               fx: trade.entry.fx, route: worker.route.key, tradeId: trade.id, timeNs: nowNs)
                }
                if case .success(let fill) = sold {
                    close.add(conversion: fill)
                    recorder.record(.fill(fill))
                }
            }
        }
        guard close.isDone else {
            worker.engine.closing(close, trade: trade)
            return
        }
        trade.fillIds += close.fillIds
        trade.feesUSD += close.feesUSD
        trade.cashFlowUSD += close.conversionUSD
        trade.transferFeesUSD = close.transferFeesUSD
        let realized = trade.cashFlowUSD - close.transferFeesUSD
        let closedNs = Swift.max(coin.settledNs ?? nowNs, cash.settledNs ?? nowNs)
        trade.status = .closed
        trade.exitReason = "transfer"
        trade.exit = TradeAudit(upbitSequence: 0, binanceSequence: 0, fxSequence: fx(for: worker.route).sequence,
                                fx: fx(for: worker.route).fixed, grossEdgeBps: 0, netEdgeBps: 0, slippageBps: 0,
                                feesUSD: close.feesUSD, timeNs: closedNs, decisionId: "")
        trade.holdSeconds = Double(closedNs - trade.entry.timeNs) / 1e9
        trade.realizedPnlUSD = realized
        coordinator.recordClose(route: index, committedUSD: trade.committedUSD, realizedUSD: realized, timeNs: nowNs)
        worker.engine.closed(realizedUSD: realized, feesUSD: trade.feesUSD, transferFeesUSD: close.transferFeesUSD)
        worker.publishFills()
        recorder.record(.trade(trade))
    }

    /// `venue`'s `KRW-USDT` book now: the store's, or a deep one at the fixed rate when fx is fixed.
    func conversionBook(_ venue: Venue) -> BookSnapshot? {
        guard venue.isKRW else { return nil }
        if case .fixed(let rate) = fxSource {
            var book = BookSnapshot()
            book.bids.append(price: rate, quantity: Fixed(1_000_000_000))
            book.asks.append(price: rate, quantity: Fixed(1_000_000_000))
            return book
        }
        let market = marketMap.fxMarkets[venue]
        let book = market.map { store.read($0) }
        return book?.isEmpty == false ? book : nil
    }

    /// The most USDT `krw` buys on `book`, the taker fee included, to the cent.
    static func usdtFor(krw: Fixed, book: BookSnapshot, feeBps: Fixed) -> Fixed? {
        let asks = book.asks
        guard !asks.isEmpty, krw.isPositive else { return nil }
        let cent = Fixed(raw: 1_000_000)
        var quantity = Fixed(krw.double / (asks.best.double * (1 + feeBps.double / 1e4)), rounding: .down).rounded(toMultipleOf: cent, .down)
        // Deeper levels cost more: shrink until the walk and its fee fit.
        for _ in 0..<20 where quantity.isPositive {
            let walk = asks.walk(quantity)
            if walk.notional + walk.notional.basisPoints(feeBps, rounding: .up) <= krw { return walk.filled }
            quantity = Fixed(quantity.double * 0.999, rounding: .down).rounded(toMultipleOf: cent, .down)
        }
        return nil
    }
}
