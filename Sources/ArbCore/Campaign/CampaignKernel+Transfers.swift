/// Transfers on the campaign clock: a request is made under the paper lock (so balances, fills and transfers
/// change one at a time and the ledger reconciles after each), and the driver settles the due ones at
/// `nextTransferDueNs`. Every request and state change is recorded as a `transfer` event.
extension CampaignKernel {
    /// The rules transfers follow (`transfers` in the config).
    public var transferRules: TransferRules { transferSetup.withLock { $0.rules } }

    /// Sets the rules and the rebalancer (at start and resume, before the drivers run, and when the config
    /// changes).
    public func configureTransfers(_ rules: TransferRules, rebalance: RebalanceConfig = RebalanceConfig(),
                                   orderNotionalUSD: Double = 0, totalCapitalUSD: Double = 0) {
        transferSetup.withLock {
            $0 = Rebalancer(config: rebalance, rules: rules, orderNotionalUSD: orderNotionalUSD, totalCapitalUSD: totalCapitalUSD)
        }
    }

    /// Starts the rebalancer's schedule at `startNs` (a fresh campaign; a resumed one carries its own).
    public func startRebalancing(atNs startNs: Int64) {
        let setup = transferSetup.withLock { $0.config }
        guard setup.policy == .band else { return }
        paper.withLock { p in
            if p.transferBook.nextRebalanceNs == nil {
                p.transferBook.nextRebalanceNs = startNs + Swift.max(1, Int64(setup.checkSeconds * 1e9))
            }
            transferDue.store(p.nextTransferDueNs ?? .max, ordering: .releasing)
        }
    }

    /// When the next transfer changes state; nil when none is in transit. One atomic load: the simulated driver
    /// asks before every step.
    @inline(__always)
    public var nextTransferDueNs: Int64? {
        let due = transferDue.load(ordering: .acquiring)
        return due == .max ? nil : due
    }

    /// Makes `request` at `nowNs` if the rules and balances allow it; the transfer, or why not.
    public func requestTransfer(_ request: TransferRequest, nowNs: Int64) -> Result<Transfer, TransferRefusal> {
        let rules = transferRules
        let outcome = paper.withLock { p -> Result<Transfer, TransferRefusal> in
            let result = p.requestTransfer(request, rules: rules, nowNs: nowNs)
            transferDue.store(p.nextTransferDueNs ?? .max, ordering: .releasing)
            return result
        }
        if case .success(let transfer) = outcome { recorder.record(.transfer(transfer)) }
        return outcome
    }

    /// Moves on every transfer due by `nowNs`; the ones that changed, in the state they reached. With
    /// `closingPairs` (the simulated driver, one thread) the pairs closing by transfer move on at once; otherwise
    /// each route's own evaluation picks up its transfers' states (the realtime driver, a task per route).
    @discardableResult
    public func settleTransfers(nowNs: Int64, closingPairs: Bool = true) -> [Transfer] {
        guard let due = nextTransferDueNs, due <= nowNs else { return [] }
        let rules = transferRules
        var changed = paper.withLock { p -> [Transfer] in
            let changed = p.settleTransfers(at: nowNs, rules: rules)
            transferDue.store(p.nextTransferDueNs ?? .max, ordering: .releasing)
            return changed
        }
        changed += rebalance(nowNs: nowNs)
        for transfer in changed {
            recorder.record(.transfer(transfer))
            guard transfer.purpose == .exit else { continue }
            exitSettlements.add(1, ordering: .releasing)
            if closingPairs, let index = closingRoute(of: transfer) { syncClose(index, nowNs: nowNs) }
        }
        return changed
    }

    /// The rebalancer's look, when due: the transfers it made (in transit).
    private func rebalance(nowNs: Int64) -> [Transfer] {
        let rebalancer = transferSetup.withLock { $0 }
        guard rebalancer.config.policy == .band,
              let due = paper.withLock({ $0.transferBook.nextRebalanceNs }), due <= nowNs else { return [] }
        var pairs: [(asset: String, venues: PerLeg<Venue>)] = []
        for worker in workers where worker.isActive {
            pairs.append((worker.route.base, worker.route.venues))
            // The routes' USDT venues share cash; a KRW venue's cash cannot move.
            if !worker.route.venues.a.isKRW && !worker.route.venues.b.isKRW { pairs.append(("USDT", worker.route.venues)) }
        }
        var prices: [String: Double] = [:]
        for (asset, _) in pairs where prices[asset] == nil { prices[asset] = markPriceUSD(asset) }
        let (made, refusals) = paper.withLock { p -> ([Transfer], [TransferRefusal]) in
            let interval = Swift.max(1, Int64(rebalancer.config.checkSeconds * 1e9))
            var next = due
            while next <= nowNs { next += interval }
            p.transferBook.nextRebalanceNs = next
            var (requests, refusals) = rebalancer.plan(p, pairs: pairs, priceUSD: { prices[$0] ?? 0 }, nowNs: nowNs)
            var made: [Transfer] = []
            for var request in requests {
                if request.to.isKRW { request.krwPerUSD = fx(request.to).rate }
                switch p.requestTransfer(request, rules: rebalancer.rules, nowNs: nowNs) {
                case .success(let t): made.append(t)
                case .failure(let refusal): refusals.append(refusal)
                }
            }
            transferDue.store(p.nextTransferDueNs ?? .max, ordering: .releasing)
            return (made, refusals)
        }
        for transfer in made { recorder.record(.transfer(transfer)) }
        for refusal in refusals { coordinator.countTransferRejection(code: refusal.code.rawValue) }
        return made
    }

    /// `asset`'s USD price now: 1 for USDT, else the mid of the first of its routes' books that has one (a KRW
    /// book at its venue's fx); 0 when none has.
    public func markPriceUSD(_ asset: String) -> Double {
        if asset == "USDT" { return 1 }
        for worker in workers where worker.route.base == asset {
            for leg in Leg.allCases {
                let top = store.top(worker.markets[leg])
                let venue = worker.route.venues[leg]
                let rate = venue.isKRW ? fx(venue).rate : 1
                if !top.isEmpty && top.bid > 0 && rate > 0 { return top.mid / rate }
            }
        }
        return 0
    }

    /// Every transfer so far, in request order.
    public var transfers: [Transfer] { paper.withLock { $0.transferBook.transfers } }

    /// Sets the due time from the paper exchange (after a restore).
    func refreshTransferDue() {
        paper.withLock { transferDue.store($0.nextTransferDueNs ?? .max, ordering: .releasing) }
    }
}
