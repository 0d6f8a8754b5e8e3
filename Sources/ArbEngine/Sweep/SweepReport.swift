import ArbCore
import Foundation

/// A sweep's results as they leave it: one JSON object (or CSV row) per run, and the ranked table.
public enum SweepReport {
    /// One run as a JSON object: number, window, overrides, objective and figures, its config, and its stats
    /// (left out with `stats: false`, for listings).
    public static func tree(_ r: SweepResult, stats: Bool = true) -> JSONValue {
        var o: [String: JSONValue] = [
            "run": .int(Int64(r.run.number)), "candidate": .int(Int64(r.run.candidate)),
            "fold": r.run.fold.map { .int(Int64($0)) } ?? .null, "window": .string(r.run.window.rawValue),
            "overrides": .object(r.run.overrides), "objective": r.objective.map(JSONValue.double) ?? .null,
            "net_pnl_usd": .double(r.netPnlUSD), "max_drawdown_usd": .double(r.maxDrawdownUSD), "trades": .int(Int64(r.trades)),
            "status": .string(r.status), "error": r.error.map(JSONValue.string) ?? .null,
            "book_updates": .int(Int64(r.bookUpdates)),
            "wall_seconds": .double(r.wallSeconds),
            "config": r.run.config,
        ]
        if stats { o["stats"] = r.stats?.tree ?? .null }
        return .object(o)
    }

    /// A run back from its JSON object (a stored sweep's runs on resume), its stats decoded when the object
    /// has them; nil when it is not one.
    public static func result(_ tree: JSONValue, objective: SweepSpec.Objective) -> SweepResult? {
        guard let number = tree["run"]?.intValue, let candidate = tree["candidate"]?.intValue,
              let window = tree["window"]?.stringValue.flatMap(SweepRun.Window.init(rawValue:)),
              let overrides = tree["overrides"]?.objectValue, let config = tree["config"] else { return nil }
        let run = SweepRun(number: Int(number), candidate: Int(candidate), fold: tree["fold"]?.intValue.map { Int($0) },
                           window: window, overrides: overrides, config: config)
        if let error = tree["error"]?.stringValue { return SweepResult(run: run, error: error) }
        if let statsTree = tree["stats"], !statsTree.isNull {
            guard let stats = try? JSONTree.decode(StatsReport.self, from: statsTree) else { return nil }
            return SweepResult(run: run, stats: stats, objective: objective)
        }
        guard let status = tree["status"]?.stringValue, let net = tree["net_pnl_usd"]?.doubleValue,
              let drawdown = tree["max_drawdown_usd"]?.doubleValue, let trades = tree["trades"]?.intValue else { return nil }
        var result = SweepResult(run: run, error: "")
        result.error = nil
        result.status = status
        result.objective = tree["objective"]?.doubleValue
        result.netPnlUSD = net
        result.maxDrawdownUSD = drawdown
        result.trades = Int(trades)
        result.bookUpdates = Int(tree["book_updates"]?.intValue ?? 0)
        result.wallSeconds = tree["wall_seconds"]?.doubleValue ?? 0
        return result
    }

    /// The runs as CSV: one row each, a column per varied key.
    public static func csv(_ results: [SweepResult]) -> String {
        let keys = Set(results.flatMap { $0.run.overrides.keys }).sorted()
        var lines = [(["run", "candidate", "fold", "window"] + keys + ["objective", "net_pnl_usd", "max_drawdown_usd", "trades", "status",
                                                                      "book_updates", "wall_seconds"]).joined(separator: ",")]
        for r in results {
            var cells = [String(r.run.number), String(r.run.candidate), r.run.fold.map(String.init) ?? "", r.run.window.rawValue]
            cells += keys.map { r.run.overrides[$0].map(cell) ?? "" }
            cells += [r.objective.map(number) ?? "", number(r.netPnlUSD), number(r.maxDrawdownUSD), String(r.trades), r.status,
                      String(r.bookUpdates), number(r.wallSeconds)]
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func cell(_ v: JSONValue) -> String {
        let text = v.stringValue ?? v.rendered(pretty: false)
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func number(_ d: Double) -> String { JSONValue.double(d).rendered(pretty: false) }

    /// The runs ranked by the objective (walk-forward: the report run of each fold, with what its choose runs
    /// picked), as a text table; `top` rows at most.
    public static func table(_ outcome: SweepRunner.Outcome, objective: SweepSpec.Objective, top: Int = 20) -> String {
        let results = outcome.results
        if !outcome.folds.isEmpty {
            let reports = reported(results)
            var rows = [["fold", "report from", "chosen", "overrides", "choose " + objective.rawValue, "report " + objective.rawValue,
                         "net pnl usd", "max dd usd", "trades"]]
            for (r, chosen) in reports {
                let fold = outcome.folds.first { $0.number == r.run.fold }
                rows.append([String(r.run.fold ?? 0), fold.map { UTCTime.format($0.reportFromNs) } ?? "", "#\(r.run.candidate)",
                             overrides(r.run.overrides), format(chosen?.objective), format(r.objective),
                             format(r.netPnlUSD), format(r.maxDrawdownUSD), String(r.trades)])
            }
            let net = reports.reduce(0) { $0 + $1.report.netPnlUSD }
            return render(rows) + "\nreported over \(reports.count) fold(s): net pnl \(format(net)) usd, \(reports.reduce(0) { $0 + $1.report.trades }) trades\n"
        }
        let ranked = results.sorted(by: SweepResult.ranksBefore)
        var rows = [["rank", "run", "overrides", objective.rawValue, "net pnl usd", "max dd usd", "trades", "status"]]
        for (i, r) in ranked.prefix(top).enumerated() {
            rows.append([String(i + 1), String(r.run.number), overrides(r.run.overrides), format(r.objective), format(r.netPnlUSD),
                         format(r.maxDrawdownUSD), String(r.trades), r.error.map { "failed: \($0)" } ?? r.status])
        }
        let more = ranked.count > top ? "… \(ranked.count - top) more runs\n" : ""
        return render(rows) + more
    }

    /// The ranking as the API shows it: every run, best first (`ranking`), or for a walk-forward sweep each
    /// fold's report run with what its choose runs picked (`folds`) and their sum (`reported`).
    public static func ranking(_ results: [SweepResult], top: Int = 20) -> [String: JSONValue] {
        func row(_ r: SweepResult) -> [String: JSONValue] {
            ["run": .int(Int64(r.run.number)), "candidate": .int(Int64(r.run.candidate)), "overrides": .object(r.run.overrides),
             "objective": r.objective.map(JSONValue.double) ?? .null, "net_pnl_usd": .double(r.netPnlUSD),
             "max_drawdown_usd": .double(r.maxDrawdownUSD), "trades": .int(Int64(r.trades)), "status": .string(r.status)]
        }
        let reports = reported(results)
        guard reports.isEmpty && !results.contains(where: { $0.run.window == .choose }) else {
            let folds: [JSONValue] = reports.map { r, chosen in
                var o = row(r)
                o["fold"] = .int(Int64(r.run.fold ?? 0))
                o["report_from"] = r.run.config.at("market_data.replay.from") ?? .null
                o["choose_objective"] = chosen?.objective.map(JSONValue.double) ?? .null
                return .object(o)
            }
            return ["ranking": [], "folds": .array(folds), "reported": [
                "folds": .int(Int64(reports.count)), "net_pnl_usd": .double(reports.reduce(0) { $0 + $1.report.netPnlUSD }),
                "trades": .int(Int64(reports.reduce(0) { $0 + $1.report.trades })),
            ]]
        }
        let ranked = results.sorted(by: SweepResult.ranksBefore).prefix(top).enumerated().map { i, r -> JSONValue in
            var o = row(r)
            o["rank"] = .int(Int64(i + 1))
            return .object(o)
        }
        return ["ranking": .array(ranked), "folds": .null, "reported": .null]
    }

    static func overrides(_ o: [String: JSONValue]) -> String {
        o.keys.sorted().map { "\($0)=\(o[$0]!.stringValue ?? o[$0]!.rendered(pretty: false))" }.joined(separator: " ")
    }

    static func format(_ d: Double?) -> String {
        guard let d else { return "-" }
        return String(format: "%.2f", d)
    }

    /// Columns padded to their widest cell; numbers right-aligned.
    /// A walk-forward's report runs in fold order, each with the choose run of the candidate it reports.
    static func reported(_ results: [SweepResult]) -> [(report: SweepResult, chosen: SweepResult?)] {
        results.filter { $0.run.window == .report }.sorted { ($0.run.fold ?? 0) < ($1.run.fold ?? 0) }.map { r in
            (r, results.first { $0.run.fold == r.run.fold && $0.run.window == .choose && $0.run.candidate == r.run.candidate })
        }
    }

    public static func render(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return Double(cell) != nil ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
    }
}
