import ArbCore

/// The stats of a campaign (SPEC §3.7): the seed's keys, the deterministic additions, and `performance`, the
/// only part that may differ between two simulated runs of the same config.
struct CampaignStats {
    let config: CampaignConfig
    let kernel: CampaignKernel
    let status: CampaignStatus
    let stopReason: StopReason?
    let startNs: Int64
    let endNs: Int64
    let equity: [EquityPoint]
    let bookUpdates: Int
    let wallSeconds: Double
    let resources: ResourceSampler.Summary
    let realtime: Bool
    /// A recorded source's counts; nil for the synthetic market.
    var source: MarketSourceCounters? = nil
    /// Universe refreshes done and failed (performance: a resumed run counts its own).
    var refreshes: (done: Int, failed: Int) = (0, 0)

    func report() -> StatsReport {
        // Workers first: a route joining meanwhile is in the coordinator before it is in the table.
        let workers = kernel.workers
        let risk = kernel.coordinator.snapshot()
        let symbolOf = kernel.coordinator.symbolOfRoute
        var routes: [String: StatsReport.RouteStats] = [:]
        var symbols: [String] = []
        var symbolsRisk: [String: StatsReport.RiskStats.SymbolRisk] = [:]
        var allocations: [String: Double] = [:]
        var caps: [String: Double] = [:]
        var perSymbol: [String: StatsReport.SymbolStats] = [:]
        var failed: [StatsReport.FailedRoute] = []
        var realized = 0.0, unrealized = 0.0, tradingFees = 0.0, exitTransferFees = 0.0
        for (i, worker) in workers.enumerated() {
            let key = worker.route.key, symbol = worker.route.symbol
            let r = risk.routes[i], s = risk.symbols[symbolOf[i]]
            let route = worker.summary
            let stats = Self.perSymbol(route, active: worker.isActive)
            routes[key] = .init(symbol: symbol, venues: worker.route.venues.values.map(\.rawValue), stats: stats,
                                allocationUSD: r.allocationUSD.double,
                                risk: .init(tradesExecuted: r.tradesExecuted, tradesRejected: r.tradesRejected,
                                            circuitBreakerTriggered: r.breakerTriggered))
            if let sum = perSymbol[symbol], let riskSum = symbolsRisk[symbol] {
                perSymbol[symbol] = Self.adding(stats, to: sum)
                symbolsRisk[symbol] = .init(tradesExecuted: riskSum.tradesExecuted + r.tradesExecuted,
                                            tradesRejected: riskSum.tradesRejected + r.tradesRejected,
                                            circuitBreakerTriggered: riskSum.circuitBreakerTriggered || r.breakerTriggered)
            } else {
                symbols.append(symbol)
                perSymbol[symbol] = stats
                symbolsRisk[symbol] = .init(tradesExecuted: r.tradesExecuted, tradesRejected: r.tradesRejected,
                                            circuitBreakerTriggered: s.breakerTriggered || r.breakerTriggered)
            }
            allocations[symbol] = s.allocationUSD.double
            caps[symbol] = risk.limits.symbolCapUSD
            realized += route.realizedPnlUSD.double
            tradingFees += route.feesUSD.double
            exitTransferFees += route.transferFeesUSD.double
            unrealized += route.counts.unrealizedPnlUSD
            if worker.done, let failure = worker.failure { failed.append(.init(symbol: key, error: failure)) }
        }
        let transferStats = TransferStats(kernel.transfers, rejections: risk.transferRejections ?? [:], startNs: startNs, nowNs: endNs)
        let curve = equity.map { StatsReport.PnL.EquitySample(t: $0.t, realizedUSD: $0.realizedUSD, unrealizedUSD: $0.unrealizedUSD) }
        return StatsReport(
            runtimeSeconds: Double(endNs - startNs) / 1e9, startTime: UTCTime.format(startNs), endTime: UTCTime.format(endNs),
            symbols: symbols, universeMode: config.universe.mode.rawValue, universe: universe(workers),
            engineMode: config.engine.mode.rawValue, clock: config.session.clock.rawValue, status: status.rawValue,
            stopReason: stopReason?.rawValue, failedRoutes: failed,
            riskStats: Self.riskStats(risk, symbols: symbolsRisk, allocations: allocations, caps: caps),
            perSymbol: perSymbol, routes: routes, decisions: Self.decisions(risk), balances: Self.balances(kernel.paperExchange, venues: config.venues),
            pnl: .init(realizedUSD: realized, unrealizedUSD: unrealized, equityCurve: curve, grossUSD: realized + tradingFees + exitTransferFees,
                       netOfTradingFeesUSD: realized + exitTransferFees,
                       netOfTransfersUSD: realized + exitTransferFees - transferStats.feesUSD),
            trades: .init(opened: kernel.tradesOpened, executed: risk.tradesExecuted, legsRejected: risk.legRejections ?? [:]),
            marketData: marketData(), transfers: transferStats,
            performance: performance())
    }

    /// The risk tiers' state: global, portfolio (allocations against caps) and per symbol.
    static func riskStats(_ risk: RiskState, symbols: [String: StatsReport.RiskStats.SymbolRisk],
                          allocations: [String: Double], caps: [String: Double]) -> StatsReport.RiskStats {
        let dailyLoss = Swift.max(0, -(risk.realizedTodayUSD.double + risk.unrealizedUSD))
        return .init(
            global: .init(totalExposureUSD: risk.totalExposureUSD.double, totalDailyLossUSD: dailyLoss,
                          maxDailyLossSeenUSD: risk.maxDailyLossSeenUSD, tradesExecuted: risk.tradesExecuted,
                          tradesRejected: risk.tradesRejected, emergencyStopped: risk.emergencyStopped),
            portfolio: .init(totalCapitalUSD: risk.limits.totalCapitalUSD, totalAllocatedCapital: risk.totalAllocatedUSD.double,
                             peakAllocatedCapital: risk.peakAllocatedUSD.double, symbolAllocations: allocations,
                             symbolAllocationCaps: caps),
            symbols: symbols)
    }

    /// One route's progress, PnL, premium and open pair.
    static func perSymbol(_ route: RouteSummary, active: Bool) -> StatsReport.SymbolStats {
        let position = route.position.map { pair in
            StatsReport.SymbolStats.Position(
                tradeId: pair.trade.id, direction: pair.direction.rawValue, quantity: pair.quantity.description,
                entryTime: UTCTime.format(pair.entryTimeNs), committedUSD: pair.trade.committedUSD.double)
        }
        let c = route.counts
        return .init(iterations: c.iterations, trades: c.trades, realizedPnlUSD: route.realizedPnlUSD.double,
                     unrealizedPnlUSD: c.unrealizedPnlUSD, premiumBps: c.premiumBps, position: position, active: active)
    }

    /// An asset's numbers with one more of its routes: counts and PnL added, the first route's premium kept, the
    /// first open pair kept, active while any route is.
    static func adding(_ route: StatsReport.SymbolStats, to sum: StatsReport.SymbolStats) -> StatsReport.SymbolStats {
        var s = sum
        s.iterations += route.iterations
        s.trades += route.trades
        s.realizedPnlUSD += route.realizedPnlUSD
        s.unrealizedPnlUSD += route.unrealizedPnlUSD
        s.position = s.position ?? route.position
        s.active = s.active || route.active
        return s
    }

    /// Decision counts by outcome, then tier (kind for allowances), then reason.
    static func decisions(_ risk: RiskState) -> StatsReport.Decisions {
        var decisions = StatsReport.Decisions()
        for (key, count) in risk.allDecisionCounts {
            let parts = key.split(separator: ".", maxSplits: 2).map(String.init)
            if parts[0] == "allowed" {
                decisions.allowed[parts[1], default: [:]][parts[2]] = count
            } else {
                decisions.rejected[parts[1], default: [:]][parts[2]] = count
            }
        }
        return decisions
    }

    /// The campaign's venues' assets (initial, final, fees) and whether every account reconciles exactly.
    static func balances(_ paper: PaperExchange, venues campaignVenues: [Venue]) -> StatsReport.Balances {
        var venues: [String: [String: StatsReport.Balances.Asset]] = [:]
        let reconciled = Venue.allCases.allSatisfy { paper.account($0).isReconciled }
        for venue in campaignVenues {
            let account = paper.account(venue)
            var assets: [String: StatsReport.Balances.Asset] = [:]
            for asset in Set(account.initial.keys).union(account.balances.keys) {
                assets[asset] = .init(initial: (account.initial[asset] ?? .zero).description,
                                      final: account.balance(asset).description,
                                      fees: (account.fees[asset] ?? .zero).description)
            }
            venues[venue.rawValue] = assets
        }
        return .init(venues: venues, reconciled: reconciled)
    }

    /// The route table and how it changed (`universe.refresh_seconds`).
    private func universe(_ workers: RouteWorkers) -> StatsReport.Universe {
        let changes = kernel.universeChanges.map {
            StatsReport.Universe.Change(time: UTCTime.format($0.timeNs), t: Double($0.timeNs - startNs) / 1e9,
                                        symbol: $0.route, change: $0.kind.rawValue)
        }
        return .init(refreshSeconds: config.universe.refreshSeconds, routes: workers.count,
                     active: workers.filter(\.isActive).map(\.route.key), capacity: kernel.routeCapacity, changes: changes)
    }

    private func marketData() -> StatsReport.MarketData {
        if config.marketData.source == .live {
            let map = kernel.marketMap
            let waiting = map.readMarkets.filter { kernel.store.sequence($0) == 0 }
            let gone = Set(waiting)
            let routes = kernel.workers.filter { w in w.isActive && (gone.contains(w.markets.a) || gone.contains(w.markets.b)) }
            return .init(source: "live", waitingMarkets: waiting.map { "\(map.keys[$0].venue):\(map.keys[$0].symbol)" },
                         waitingRoutes: routes.map(\.route.key))
        }
        guard let source else { return .init(source: config.marketData.source.rawValue) }
        return .init(source: config.marketData.source.rawValue, files: source.files,
                     rows: Int(source.rows.load(ordering: .relaxed)), badRows: Int(source.badRows.load(ordering: .relaxed)),
                     skippedRows: Int(source.skippedRows.load(ordering: .relaxed)))
    }

    private func performance() -> StatsReport.Performance {
        func summary(_ counts: @autoclosure () -> [UInt64], count: UInt64, sum: UInt64, max: UInt64) -> StatsReport.Latency? {
            guard count > 0 else { return nil }
            let counts = counts()
            return .init(p50: Double(LatencyHistogram.quantile(0.5, of: counts)) / 1000,
                         p99: Double(LatencyHistogram.quantile(0.99, of: counts)) / 1000,
                         max: Double(max) / 1000, avg: Double(sum) / Double(count) / 1000, count: Int(count))
        }
        var loop: [String: StatsReport.Latency?] = [:]
        let workers = kernel.workers
        loop.reserveCapacity(workers.count + 1)
        for worker in workers {
            let h = worker.loopLatency
            let count = h.count
            guard count > 0 else {
                loop[worker.route.key] = .some(nil)
                continue
            }
            let (p50, p99) = h.quantiles(0.5, 0.99)
            loop[worker.route.key] = .some(StatsReport.Latency(
                p50: Double(p50) / 1000, p99: Double(p99) / 1000, max: Double(h.maxNanoseconds) / 1000,
                avg: Double(h.sumNanoseconds) / Double(count) / 1000, count: Int(count)))
        }
        let all = workers.map(\.loopLatency)
        loop["overall"] = .some(summary(LatencyHistogram.merged(all), count: all.reduce(0) { $0 + $1.count },
                                        sum: all.reduce(0) { $0 + $1.sumNanoseconds }, max: all.map(\.maxNanoseconds).max() ?? 0))
        let ticks = workers.map(\.tickToDecision)
        let tickCount = ticks.reduce(0) { $0 + $1.count }
        let iterations = workers.reduce(0) { $0 + $1.iterationCount.load(ordering: .relaxed) }
        return .init(
            wallSeconds: wallSeconds, universeRefreshes: refreshes.done, universeRefreshFailures: refreshes.failed,
            bookUpdates: bookUpdates, iterations: Int(iterations), loopLatencyUs: loop,
            tickToDecisionUs: summary(LatencyHistogram.merged(ticks), count: tickCount,
                                      sum: ticks.reduce(0) { $0 + $1.sumNanoseconds }, max: ticks.map(\.maxNanoseconds).max() ?? 0),
            resources: .init(cpuPercentAvg: resources.cpuPercentAvg, cpuPercentMax: resources.cpuPercentMax,
                             rssMBAvg: resources.rssMBAvg, rssMBMax: resources.rssMBMax, samples: resources.samples))
    }
}
