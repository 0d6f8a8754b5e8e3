import ArbCore
import ArbEngine
import ArgumentParser
import Foundation

/// `arbitrage compare A.json B.json …`: campaigns' stats side by side (what `arbitrage run` prints, `GET
/// /campaigns/{id}/stats` answers, or a line of `arbitrage sweep --out` holds), per symbol and per UTC day.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare campaigns' stats side by side: headline figures, max drawdown, per symbol and per UTC day."
    )

    @Argument(help: "Stats files (JSON): 2 to 20.")
    var files: [String]

    @Flag(help: "Print the comparison as JSON (what GET /campaigns/compare answers) instead of tables.")
    var json = false

    func run() throws {
        guard files.count >= 2 && files.count <= StatsComparison.maxCampaigns else {
            fail("compare takes 2 to \(StatsComparison.maxCampaigns) stats files, got \(files.count)")
        }
        let names = files.map { URL(fileURLWithPath: $0).lastPathComponent }
        let labels = Set(names).count == names.count ? names : files
        var campaigns: [(label: String, stats: StatsReport)] = []
        for (file, label) in zip(files, labels) {
            do { campaigns.append((label, try Self.stats(file))) } catch { fail("\(file): \(error)") }
        }
        let comparison = StatsComparison.compare(campaigns)
        print(json ? comparison.rendered() : Self.tables(comparison, labels: labels), terminator: json ? "\n" : "")
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        Foundation.exit(2)
    }

    /// A stats object, or a sweep's run line holding one under `stats`.
    static func stats(_ path: String) throws -> StatsReport {
        let tree: JSONValue
        do { tree = try ConfigLoader.json(try Data(contentsOf: URL(fileURLWithPath: path)), path: path) } catch let error as ConfigError {
            throw ValidationError(error.issues.map(\.message).joined(separator: "; "))
        }
        let stats = tree["stats"].flatMap { $0.isNull ? nil : $0 } ?? tree
        do { return try JSONTree.decode(StatsReport.self, from: stats) } catch {
            throw ValidationError("not campaign stats (what `arbitrage run` prints): \(error)")
        }
    }

    static func tables(_ c: JSONValue, labels: [String]) -> String {
        let campaigns = c["campaigns"]?.arrayValue ?? []
        let keys = ["status", "start_time", "end_time", "runtime_seconds", "routes", "trades_executed", "realized_pnl_usd",
                    "unrealized_pnl_usd", "net_pnl_usd", "max_drawdown_usd", "decisions_allowed", "decisions_rejected"]
        var rows = [[""] + labels]
        for key in keys { rows.append([key] + campaigns.map { cell($0[key]) }) }
        var out = SweepReport.render(rows)
        var symbols = [["symbol"] + labels.map { "\($0) pnl usd (trades)" }]
        for row in c["per_symbol"]?.arrayValue ?? [] {
            symbols.append([row["symbol"]?.stringValue ?? ""] + labels.map { label in
                guard let s = row["campaigns"]?[label], !s.isNull else { return "-" }
                return "\(cell(s["realized_pnl_usd"])) (\(s["trades"]?.intValue ?? 0))"
            })
        }
        out += "\nper symbol\n" + SweepReport.render(symbols)
        var days = [["day (UTC)"] + labels.map { "\($0) pnl usd" }]
        for row in c["per_day"]?.arrayValue ?? [] {
            days.append([row["day"]?.stringValue ?? ""] + labels.map { cell(row["pnl_usd"]?[$0]) })
        }
        return out + "\nper day\n" + SweepReport.render(days)
    }

    static func cell(_ v: JSONValue?) -> String {
        guard let v, !v.isNull else { return "-" }
        if case .double(let d) = v { return String(format: "%.2f", d) }
        return v.stringValue ?? v.rendered(pretty: false)
    }
}
