import ArbCore
import ArbEngine
import ArbTesting
import ArbTestSupport
import Foundation
import Testing

extension CampaignSuites {
/// Comparing campaigns: the daily series, the command line and `GET /campaigns/compare`.
@Suite struct CompareTests {
    /// An hour of the synthetic market across midnight UTC.
    static func config(entry: Double) -> JSONValue {
        multi([
            "universe": ["top_n": 3], "strategy": ["entry_threshold_bps": .double(entry)],
            "multi_symbol_risk_guard": ["cooldown_seconds": 5],
            "session": ["clock": "simulated", "max_runtime_seconds": 3600, "start_time": "2026-01-01T23:30:00Z"],
        ])
    }

    @Test func aComparisonHasEachCampaignsDaysSymbolsAndDrawdown() async throws {
        let (a, _) = try await runCampaign(Self.config(entry: -5))
        let (b, _) = try await runCampaign(Self.config(entry: 40))
        #expect(a.stats.trades.executed != b.stats.trades.executed)
        let c = StatsComparison.compare([("a", a.stats), ("b", b.stats)])
        let campaigns = try #require(c["campaigns"]?.arrayValue)
        #expect(campaigns.compactMap { $0["id"]?.stringValue } == ["a", "b"])
        for (summary, stats) in zip(campaigns, [a.stats, b.stats]) {
            #expect(summary["trades_executed"]?.intValue == Int64(stats.trades.executed))
            // Two UTC days, whose PnL adds up to the final equity.
            let days = try #require(summary["daily_pnl"]?.arrayValue)
            #expect(days.compactMap { $0["day"]?.stringValue } == ["2026-01-01", "2026-01-02"])
            let total = days.reduce(0.0) { $0 + ($1["pnl_usd"]?.doubleValue ?? .nan) }
            let final = try #require(stats.pnl.equityCurve.last).equityUSD
            #expect(abs(total - final) < 1e-9 && days.last?["equity_usd"]?.doubleValue == final)
            // The drawdown is a fall from a peak of the curve.
            let drawdown = try #require(summary["max_drawdown_usd"]?.doubleValue)
            let equity = stats.pnl.equityCurve.map(\.equityUSD)
            #expect(drawdown >= 0 && drawdown <= (equity.max() ?? 0) - (equity.min() ?? 0) + max(0, -(equity.min() ?? 0)))
        }
        // Per symbol, every symbol of either campaign.
        let symbols = try #require(c["per_symbol"]?.arrayValue)
        #expect(Set(symbols.compactMap { $0["symbol"]?.stringValue }) == Set(a.stats.perSymbol.keys).union(b.stats.perSymbol.keys))
        let btc = try #require(symbols.first { $0["symbol"]?.stringValue == "BTCUSDT" })
        #expect(btc["campaigns"]?["a"]?["trades"]?.intValue == Int64(a.stats.perSymbol["BTCUSDT"]!.trades))
        // Per day, both columns.
        let perDay = try #require(c["per_day"]?.arrayValue)
        #expect(perDay.count == 2 && perDay.allSatisfy { $0["pnl_usd"]?["a"]?.doubleValue != nil && $0["pnl_usd"]?["b"]?.doubleValue != nil })
    }

    @Test func theCommandLineComparesStatsFiles() async throws {
        let dir = try newDir()
        var files: [String] = []
        for (name, entry) in [("low.json", -5.0), ("high.json", 40.0)] {
            let config = try jsonFile(dir, "config-" + name, Self.config(entry: entry))
            let (status, out, err) = try await runCLI(["run", config, "--progress", "none"])
            #expect(status == 0, "\(err)")
            let path = dir.appendingPathComponent(name).path
            try out.write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }
        let (status, table, err) = try await runCLI(["compare"] + files)
        #expect(status == 0, "\(err)")
        #expect(table.contains("low.json") && table.contains("high.json") && table.contains("max_drawdown_usd"))
        #expect(table.contains("per symbol") && table.contains("BTCUSDT") && table.contains("2026-01-02"))
        let (s2, json, _) = try await runCLI(["compare", "--json"] + files)
        #expect(s2 == 0)
        let parsed = try ConfigLoader.json(Data(json.utf8), path: "out")
        let expected = StatsComparison.compare(try files.map { path in
            (URL(fileURLWithPath: path).lastPathComponent, try JSONTree.decode(StatsReport.self, from: ConfigLoader.json(Data(contentsOf: URL(fileURLWithPath: path)), path: path)))
        })
        #expect(parsed == expected)
        // Bad input: one file, a file that is not stats, a missing one; exit 2 naming it.
        #expect(try await runCLI(["compare", files[0]]).0 == 2)
        let notStats = try temporaryFile("config.json", #"{"universe": {"top_n": 3}}"#)
        let (s3, _, e3) = try await runCLI(["compare", files[0], notStats])
        #expect(s3 == 2 && e3.contains("config.json") && e3.contains("not campaign stats"), "\(e3)")
        let (s4, _, e4) = try await runCLI(["compare", files[0], "/nonexistent/stats.json"])
        #expect(s4 == 2 && e4.contains("/nonexistent/stats.json"), "\(e4)")
    }

    @Test func theServiceComparesCampaignsById() async throws {
        let serve = try await offPool { try ServeProcess.start() }
        defer { _ = serve.terminate() }
        let port = serve.port
        var ids: [String] = []
        for entry in [-5.0, 40.0] { ids.append(try await RecoveryTests.create(port, Self.config(entry: entry).rendered(pretty: false))) }
        for id in ids {
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, try await RecoveryTests.get(port, "/campaigns/\(id)")["status"]?.stringValue == "running" {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let c = try await RecoveryTests.get(port, "/campaigns/compare?ids=\(ids.joined(separator: ","))")
        var stats: [(label: String, stats: StatsReport)] = []
        for id in ids { stats.append((id, try JSONTree.decode(StatsReport.self, from: try await RecoveryTests.get(port, "/campaigns/\(id)/stats")))) }
        #expect(c == StatsComparison.compare(stats))
        #expect(c["campaigns"]?.arrayValue?.count == 2 && c["per_day"]?.arrayValue?.count == 2)
        for (query, status) in [("", 422), ("?ids=\(ids[0])", 422), ("?ids=\(ids[0]),\(ids[0])", 422), ("?ids=\(ids[0]),", 422),
                                ("?ids=\(ids[0]),cnope", 404)] {
            let r = try await RecoveryTests.call(port, "GET", "/campaigns/compare" + query)
            #expect(r.status == status, "\(query): \(r.json)")
        }
    }
}
}
