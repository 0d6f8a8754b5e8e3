/// Transfers between the paper accounts: the ledger side of `TransferBook`. A request debits the source by amount
/// plus fee at once; the amount is in transit until the destination is credited (or, failed, the source).
/// `initial + fills − trading fees − transfer fees == balances + in transit`, per asset over all venues, after
/// every step (`reconciliationIssues`).
extension PaperExchange {
    /// Sends `request` if the rules and the source's balance allow it, on its named network or the cheapest one
    /// open; the transfer made, or why not.
    public mutating func requestTransfer(_ request: TransferRequest, rules: TransferRules,
                                         nowNs: Int64) -> Result<Transfer, TransferRefusal> {
        let r = request
        let network: TransferNetwork
        switch rules.network(for: r.asset, from: r.from, to: r.to, named: r.network, priceUSD: r.priceUSD, at: nowNs) {
        case .success(let n): network = n
        case .failure(let refusal): return .failure(refusal)
        }
        let amount = network.truncate(r.amount)
        if amount < network.minimum || !amount.isPositive {
            return .failure(TransferRefusal(.invalid, "\(amount) \(r.asset) is below the \(network.name) minimum of \(network.minimum)"))
        }
        let fee = network.fees[r.from]
        let balance = self.balance(r.from, r.asset)
        if balance < amount + fee {
            return .failure(TransferRefusal(.inventoryExhausted,
                "\(r.from) holds \(balance) \(r.asset), short of \(amount + fee) (\(amount) and a fee of \(fee))"))
        }
        let valueUSD = amount.double * r.priceUSD
        let path = rules.draw(sequence: transferBook.transfers.count + 1, network: network, to: r.to,
                              valueKRW: valueUSD * r.krwPerUSD, requestedNs: nowNs)
        let transfer = Transfer(
            id: transferBook.nextId, asset: r.asset, network: network.name, from: r.from, to: r.to, amount: amount, fee: fee,
            purpose: r.purpose, tradeId: r.tradeId, valueUSD: valueUSD, feeUSD: fee.double * r.priceUSD, requestedNs: nowNs,
            arrivesNs: path.arrivesNs, settledNs: nil, review: path.review, fails: path.fails, state: .inTransit,
            dueNs: path.arrivesNs)
        withdraw(r.from, r.asset, amount: amount, fee: fee)
        transferBook.append(transfer)
        return .success(transfer)
    }

    /// Moves every transfer due by `nowNs` on, in time order: a delivery credits the destination (or waits for
    /// its deposits to reopen), a failure turns back, a return credits the source. The transfers that changed,
    /// in the state they reached.
    @discardableResult
    public mutating func settleTransfers(at nowNs: Int64, rules: TransferRules) -> [Transfer] {
        var changed: [Transfer] = []
        while true {
            let due = transferBook.due(by: nowNs)
            if due.isEmpty { break }
            for index in due {
                var t = transferBook.transfers[index]
                switch t.state {
                case .inTransit where t.fails:
                    t.state = .failed
                    t.dueNs = t.dueNs + Swift.max(1, Int64(rules.returnHours * 3_600e9))
                case .inTransit:
                    let open = rules.depositsOpen(venue: t.to, asset: t.asset, network: t.network, from: t.dueNs)
                    if open > t.dueNs {
                        t.dueNs = open
                    } else {
                        receive(t.to, t.asset, t.amount)
                        t.state = .credited
                        t.settledNs = t.dueNs
                    }
                case .failed:
                    receive(t.from, t.asset, t.amount)
                    t.state = .returned
                    t.settledNs = t.dueNs
                case .credited, .returned:
                    continue
                }
                transferBook.update(index, t)
                if !t.state.isOpen || t.state == .failed { changed.append(t) }
            }
        }
        return changed
    }

    /// When the next transfer changes state; nil when none is in transit.
    public var nextTransferDueNs: Int64? { transferBook.nextDueNs }

    /// Amounts in transit per asset.
    public var inTransit: [String: Fixed] { transferBook.inTransit }

    /// What does not add up, in words (empty when the ledger is exact): each account on its own, then per asset
    /// over all venues `initial + flows − fees − transfer fees == balances + in transit`, and the amounts sent
    /// less received equal to what the open transfers carry.
    public func reconciliationIssues() -> [String] {
        var issues: [String] = []
        for (venue, account) in accounts.pairs {
            for asset in account.discrepancies() { issues.append("\(venue) \(asset) does not reconcile") }
        }
        let transit = inTransit
        var assets = Set(transit.keys)
        for account in accounts.values { assets.formUnion(account.assets) }
        for asset in assets.sorted() {
            var sources = Fixed.zero, held = Fixed.zero, moved = Fixed.zero
            for account in accounts.values {
                sources += (account.initial[asset] ?? .zero) + (account.flows[asset] ?? .zero) - (account.fees[asset] ?? .zero)
                    - (account.transferFees[asset] ?? .zero)
                held += account.balance(asset)
                moved += (account.sent[asset] ?? .zero) - (account.received[asset] ?? .zero)
            }
            let carried = transit[asset] ?? .zero
            if sources != held + carried {
                issues.append("\(asset): initial + fills − fees − transfer fees = \(sources), balances + in transit = \(held + carried)")
            }
            if moved != carried { issues.append("\(asset): sent − received = \(moved), in transit = \(carried)") }
        }
        return issues
    }
}

extension PaperExchange {
    /// Buys (`.buy`) or sells `quantity` USDT for KRW on `venue`'s `KRW-USDT` book, walking it and paying the
    /// taker fee in KRW like any fill; `fx` values its KRW flow in USD (the trade's entry fx, for a pair closing
    /// by transfer).
    public mutating func convert(venue: Venue, side: Side, quantity: Fixed, book: BookSnapshot, feeBps: Fixed, fx: Fixed,
                                 route: String, tradeId: String, timeNs: Int64) -> Result<Fill, OrderRejection> {
        let levels = book.liquidity(for: side)
        guard venue.isKRW, !levels.isEmpty, quantity.isPositive else { return .failure(.noBook) }
        let walk = levels.walk(quantity)
        guard walk.filled.isPositive else { return .failure(.noBook) }
        let fee = walk.notional.basisPoints(feeBps, rounding: .up)
        switch side {
        case .buy where balance(venue, "KRW") < walk.notional + fee: return .failure(.insufficientBalance)
        case .sell where balance(venue, "USDT") < walk.filled: return .failure(.inventoryExhausted)
        default: break
        }
        let (orderId, fillId) = nextIds(venue)
        let fill = Fill(
            id: fillId, orderId: orderId, venue: venue, market: "KRW-USDT", route: route, tradeId: tradeId, role: .conversion,
            side: side, requested: quantity, quantity: walk.filled, price: walk.vwap, notional: walk.notional, fee: fee,
            fx: fx, timeNs: timeNs, bookSequence: book.sequence)
        applyConversion(fill)
        return .success(fill)
    }
}
