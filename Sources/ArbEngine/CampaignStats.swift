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

    func json() -> JSONValue {
        // Workers first: a route joining meanwhile is in the coordinator before it is in the table.
        let workers = kernel.workers
        let risk = kernel.coordinator.snapshot()
        let paper = kernel.paperExchange
        let keys = workers.map(\.route.key)
        var symbolsRisk: [String: JSONValue] = [:]
        var allocations: [String: JSONValue] = [:]
        var caps: [String: JSONValue] = [:]
        var perSymbol: [String: JSONValue] = [:]
        var failed: [JSONValue] = []
        var realized = 0.0
        var unrealized = 0.0
        for (i, worker) in workers.enumerated() {
            let key = keys[i]
            let r = risk.routes[i]
            let route = worker.summary
            symbolsRisk[key] = [
                "trades_executed": .int(Int64(r.tradesExecuted)), "trades_rejected": .int(Int64(r.tradesRejected)),
                "circuit_breaker_triggered": .bool(r.breakerTriggered),
            ]
            allocations[key] = .double(r.allocationUSD.double)
            caps[key] = .double(risk.limits.symbolCapUSD)
            realized += route.realizedPnlUSD.double
            unrealized += route.unrealizedPnlUSD
            perSymbol[key] = Self.perSymbol(route, active: worker.isActive)
            if worker.done, let failure = worker.failure {
                failed.append(["symbol": .string(key), "error": .string(failure)])
            }
        }

        let curve: [JSONValue] = equity.map {
            ["t": .double($0.t), "realized_usd": .double($0.realizedUSD), "unrealized_usd": .double($0.unrealizedUSD),
             "equity_usd": .double($0.realizedUSD + $0.unrealizedUSD)]
        }
        return [
            "runtime_seconds": .double(Double(endNs - startNs) / 1e9),
            "start_time": .string(UTCTime.format(startNs)),
            "end_time": .string(UTCTime.format(endNs)),
            "symbols": .array(keys.map { .string($0) }),
            "num_symbols": .int(Int64(keys.count)),
            "universe_mode": .string(config.universe.mode.rawValue),
            "universe": universe(workers),
            "engine_mode": .string(config.engine.mode.rawValue),
            "clock": .string(config.session.clock.rawValue),
            "status": .string(status.rawValue),
            "stop_reason": stopReason.map { .string($0.rawValue) } ?? .null,
            "failed_routes": .array(failed),
            "risk_stats": Self.riskStats(risk, symbols: symbolsRisk, allocations: allocations, caps: caps),
            "per_symbol": .object(perSymbol),
            "decisions": Self.decisions(risk),
            "balances": Self.balances(paper),
            "pnl": [
                "realized_usd": .double(realized),
                "unrealized_usd": .double(unrealized),
                "equity_curve": .array(curve),
            ],
            "trades": [
                "opened": .int(Int64(kernel.tradesOpened)),
                "executed": .int(Int64(risk.tradesExecuted)),
                "legs_rejected": .object((risk.legRejections ?? [:]).mapValues { .object($0.mapValues { .int(Int64($0)) }) }),
            ],
            "market_data": marketData(),
            "performance": performance(),
        ]
    }

    /// The risk tiers' state: global, portfolio (allocations against caps) and per symbol.
    static func riskStats(_ risk: RiskState, symbols: [String: JSONValue], allocations: [String: JSONValue],
                          caps: [String: JSONValue]) -> JSONValue {
        let dailyLoss = Swift.max(0, -(risk.realizedTodayUSD.double + risk.unrealizedUSD))
        return [
            "global": [
                "total_exposure_usd": .double(risk.totalExposureUSD.double),
                "total_daily_loss_usd": .double(dailyLoss),
                "max_daily_loss_seen_usd": .double(risk.maxDailyLossSeenUSD),
                "trades_executed": .int(Int64(risk.tradesExecuted)),
                "trades_rejected": .int(Int64(risk.tradesRejected)),
                "emergency_stopped": .bool(risk.emergencyStopped),
            ],
            "portfolio": [
                "total_capital_usd": .double(risk.limits.totalCapitalUSD),
                "total_allocated_capital": .double(risk.totalAllocatedUSD.double),
                "peak_allocated_capital": .double(risk.peakAllocatedUSD.double),
                "symbol_allocations": .object(allocations),
                "symbol_allocation_caps": .object(caps),
            ],
            "symbols": .object(symbols),
        ]
    }

    /// One route's progress, PnL, premium and open pair.
    static func perSymbol(_ route: RouteSummary, active: Bool) -> JSONValue {
        var position: JSONValue = .null
        if let pair = route.position {
            position = [
                "trade_id": .string(pair.trade.id), "direction": .string(pair.direction.rawValue),
                "quantity": .string(pair.quantity.description), "entry_time": .string(UTCTime.format(pair.entryTimeNs)),
                "committed_usd": .double(pair.trade.committedUSD.double),
            ]
        }
        return [
            "iterations": .int(Int64(route.iterations)), "trades": .int(Int64(route.trades)),
            "realized_pnl_usd": .double(route.realizedPnlUSD.double),
            "unrealized_pnl_usd": .double(route.unrealizedPnlUSD),
            "premium_bps": .double(route.premiumBps), "position": position, "active": .bool(active),
        ]
    }

    /// Decision counts by outcome, then tier (kind for allowances), then reason.
    static func decisions(_ risk: RiskState) -> JSONValue {
        var decisions: [String: [String: [String: JSONValue]]] = ["allowed": [:], "rejected": [:]]
        for (key, count) in risk.allDecisionCounts {
            let parts = key.split(separator: ".", maxSplits: 2).map(String.init)
            decisions[parts[0], default: [:]][parts[1], default: [:]][parts[2]] = .int(Int64(count))
        }
        return .object(decisions.mapValues { .object($0.mapValues { .object($0) }) })
    }

    /// Every venue's assets (initial, final, fees) and whether every account reconciles exactly.
    static func balances(_ paper: PaperExchange) -> JSONValue {
        var balances: [String: JSONValue] = [:]
        var reconciled = true
        for venue in Venue.allCases {
            let account = paper.account(venue)
            reconciled = reconciled && account.discrepancies().isEmpty
            var assets: [String: JSONValue] = [:]
            for asset in Set(account.initial.keys).union(account.balances.keys) {
                assets[asset] = [
                    "initial": .string((account.initial[asset] ?? .zero).description),
                    "final": .string(account.balance(asset).description),
                    "fees": .string((account.fees[asset] ?? .zero).description),
                ]
            }
            balances[venue.rawValue] = .object(assets)
        }
        balances["reconciled"] = .bool(reconciled)
        return .object(balances)
    }

    /// The route table and how it changed (`universe.refresh_seconds`).
    private func universe(_ workers: RouteWorkers) -> JSONValue {
        let changes: [JSONValue] = kernel.universeChanges.map {
            ["time": .string(UTCTime.format($0.timeNs)), "t": .double(Double($0.timeNs - startNs) / 1e9),
             "symbol": .string($0.route), "change": .string($0.kind.rawValue)]
        }
        return [
            "refresh_seconds": .double(config.universe.refreshSeconds),
            "routes": .int(Int64(workers.count)),
            "active": .array(workers.filter(\.isActive).map { .string($0.route.key) }),
            "capacity": .int(Int64(kernel.routeCapacity)),
            "changes": .array(changes),
        ]
    }

    private func marketData() -> JSONValue {
        var out: [String: JSONValue] = ["source": .string(config.marketData.source.rawValue)]
        if let source {
            out["files"] = .int(Int64(source.files))
            out["rows"] = .int(Int64(source.rows.load(ordering: .relaxed)))
            out["bad_rows"] = .int(Int64(source.badRows.load(ordering: .relaxed)))
            out["skipped_rows"] = .int(Int64(source.skippedRows.load(ordering: .relaxed)))
        }
        return .object(out)
    }

    private func performance() -> JSONValue {
        func summary(_ counts: [UInt64], count: UInt64, sum: UInt64, max: UInt64) -> JSONValue {
            guard count > 0 else { return .null }
            return [
                "p50": .double(Double(LatencyHistogram.quantile(0.5, of: counts)) / 1000),
                "p99": .double(Double(LatencyHistogram.quantile(0.99, of: counts)) / 1000),
                "max": .double(Double(max) / 1000),
                "avg": .double(Double(sum) / Double(count) / 1000),
                "count": .int(Int64(count)),
            ]
        }
        var loop: [String: JSONValue] = [:]
        for worker in kernel.workers {
            let h = worker.loopLatency
            loop[worker.route.key] = summary(h.counts(), count: h.count, sum: h.sumNanoseconds, max: h.maxNanoseconds)
        }
        let all = kernel.workers.map(\.loopLatency)
        loop["overall"] = summary(LatencyHistogram.merged(all), count: all.reduce(0) { $0 + $1.count },
                                  sum: all.reduce(0) { $0 + $1.sumNanoseconds }, max: all.map(\.maxNanoseconds).max() ?? 0)
        let ticks = kernel.workers.map(\.tickToDecision)
        let tickCount = ticks.reduce(0) { $0 + $1.count }
        let iterations = kernel.workers.reduce(0) { $0 + $1.iterationCount.load(ordering: .relaxed) }
        return [
            "wall_seconds": .double(wallSeconds),
            "universe_refreshes": .int(Int64(refreshes.done)),
            "universe_refresh_failures": .int(Int64(refreshes.failed)),
            "book_updates": .int(Int64(bookUpdates)),
            "book_updates_per_second": .double(wallSeconds > 0 ? Double(bookUpdates) / wallSeconds : 0),
            "iterations": .int(Int64(iterations)),
            "iterations_per_second": .double(wallSeconds > 0 ? Double(iterations) / wallSeconds : 0),
            "loop_latency_us": .object(loop),
            "tick_to_decision_us": summary(LatencyHistogram.merged(ticks), count: tickCount,
                                           sum: ticks.reduce(0) { $0 + $1.sumNanoseconds },
                                           max: ticks.map(\.maxNanoseconds).max() ?? 0),
            "resources": [
                "cpu_percent_avg": .double(resources.cpuPercentAvg), "cpu_percent_max": .double(resources.cpuPercentMax),
                "rss_mb_avg": .double(resources.rssMBAvg), "rss_mb_max": .double(resources.rssMBMax),
                "samples": .int(Int64(resources.samples)),
            ],
        ]
    }
}
