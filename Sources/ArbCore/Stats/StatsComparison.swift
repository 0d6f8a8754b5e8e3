/// Several campaigns' stats side by side (SPEC §10's comparison): headline figures with a maximum drawdown and
/// a daily PnL series each, then per symbol and per UTC day.
public enum StatsComparison {
    /// The most campaigns one comparison takes.
    public static let maxCampaigns = 20

    /// `campaigns` in the order given, each under its label (an id, a file name).
    public static func compare(_ campaigns: [(label: String, stats: StatsReport)]) -> JSONValue {
        let days = campaigns.map { daily($0.stats) }
        var summaries: [JSONValue] = []
        for (i, (label, s)) in campaigns.enumerated() {
            summaries.append([
                "id": .string(label), "status": .string(s.status), "stop_reason": s.stopReason.map(JSONValue.string) ?? .null,
                "clock": .string(s.clock), "start_time": .string(s.startTime), "end_time": .string(s.endTime),
                "runtime_seconds": .double(s.runtimeSeconds), "routes": .int(Int64(s.routes?.count ?? s.numSymbols)),
                "trades_opened": .int(Int64(s.trades.opened)), "trades_executed": .int(Int64(s.trades.executed)),
                "realized_pnl_usd": .double(s.pnl.realizedUSD), "unrealized_pnl_usd": .double(s.pnl.unrealizedUSD),
                "gross_pnl_usd": s.pnl.grossUSD.map(JSONValue.double) ?? .null, "net_pnl_usd": .double(s.netPnlUSD),
                "max_drawdown_usd": .double(maxDrawdown(s.pnl.equityCurve.map(\.equityUSD))),
                "decisions_allowed": .int(Int64(total(s.decisions.allowed))), "decisions_rejected": .int(Int64(total(s.decisions.rejected))),
                "daily_pnl": .array(days[i].map { ["day": .string($0.day), "pnl_usd": .double($0.pnl), "equity_usd": .double($0.equity)] }),
            ])
        }
        let symbols = Set(campaigns.flatMap { $0.stats.perSymbol.keys }).sorted()
        let perSymbol: [JSONValue] = symbols.map { symbol in
            var row: [String: JSONValue] = [:]
            for (label, s) in campaigns {
                row[label] = s.perSymbol[symbol].map {
                    ["trades": .int(Int64($0.trades)), "realized_pnl_usd": .double($0.realizedPnlUSD), "unrealized_pnl_usd": .double($0.unrealizedPnlUSD)]
                } ?? .null
            }
            return ["symbol": .string(symbol), "campaigns": .object(row)]
        }
        let allDays = Set(days.flatMap { $0.map(\.day) }).sorted()
        let perDay: [JSONValue] = allDays.map { day in
            var row: [String: JSONValue] = [:]
            for (i, (label, _)) in campaigns.enumerated() { row[label] = days[i].first { $0.day == day }.map { .double($0.pnl) } ?? .null }
            return ["day": .string(day), "pnl_usd": .object(row)]
        }
        return ["campaigns": .array(summaries), "per_symbol": .array(perSymbol), "per_day": .array(perDay)]
    }

    static func total(_ counts: [String: [String: Int]]) -> Int { counts.values.reduce(0) { $0 + $1.values.reduce(0, +) } }

    /// The largest fall of equity from a peak before it (equity starts at 0).
    public static func maxDrawdown(_ equity: [Double]) -> Double {
        var peak = 0.0, worst = 0.0
        for e in equity {
            peak = Swift.max(peak, e)
            worst = Swift.max(worst, peak - e)
        }
        return worst
    }

    /// PnL per UTC day from the equity curve: each day's last equity less the day before's (0 before the start).
    public static func daily(_ stats: StatsReport) -> [(day: String, pnl: Double, equity: Double)] {
        guard let start = UTCTime.parse(stats.startTime) else { return [] }
        var out: [(day: String, pnl: Double, equity: Double)] = []
        var previous = 0.0
        for sample in stats.pnl.equityCurve {
            let day = String(UTCTime.format(start + Int64(sample.t * 1e9)).prefix(10))
            if out.last?.day == day {
                out[out.count - 1].pnl = sample.equityUSD - previous
                out[out.count - 1].equity = sample.equityUSD
            } else {
                if let last = out.last { previous = last.equity }
                out.append((day, sample.equityUSD - previous, sample.equityUSD))
            }
        }
        return out
    }
}

extension StatsReport {
    /// Realized PnL after trading and every transfer fee, plus what is still open: what sweeps rank by.
    public var netPnlUSD: Double { (pnl.netOfTransfersUSD ?? pnl.realizedUSD) + pnl.unrealizedUSD }
}
