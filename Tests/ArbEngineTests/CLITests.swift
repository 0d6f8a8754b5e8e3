import ArbCore
import ArbEngine
import Foundation
import Testing

/// The `arbitrage` executable itself: exit codes, messages naming the field, stats on stdout.
extension CampaignSuites {
@Suite struct CLITests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func seedConfigIsAcceptedAsItIs() async throws {
        let (status, out, err) = try await runCLI(["config", "validate", Self.repo.appendingPathComponent("examples/top10_paper.yaml").path])
        #expect(status == 0, "\(err)")
        #expect(out.contains("10 route(s)"))
        let config = try ConfigLoader.load(path: Self.repo.appendingPathComponent("examples/top10_paper.yaml").path)
        #expect(config.engine.mode == .multi && config.risk.maxPositionCount == 2 && config.session.loopIntervalMs == 500)
        #expect(config.env == "development" && config.universe.blacklist.isEmpty)
    }

    @Test(arguments: [
        ("universe:\n  top_m: 3\n", "universe.top_m"),
        ("session:\n  max_runtime_seconds: forever\n", "session.max_runtime_seconds"),
        ("multi_symbol_risk_guard:\n  max_daily_loss_usd: -1\n", "multi_symbol_risk_guard.max_daily_loss_usd"),
        ("universe:\n  top_n: 0\n", "universe.top_n"),
        ("universe:\n  mode: FIXED_LIST\n  whitelist: []\n", "universe.whitelist"),
        ("multi_symbol_risk_guard:\n  max_symbol_allocation_pct: 1.2\n", "multi_symbol_risk_guard.max_symbol_allocation_pct"),
        ("engine:\n  mode: multi\n  multi_symbol_enabled: false\n", "engine.multi_symbol_enabled"),
        ("universe: [unclosed\n", "(file)"),
        ("universe:\n  top_n: 3\n  top_n: 4\n", "universe.top_n"),
    ])
    func badConfigsExitTwoNamingTheField(yaml: String, field: String) async throws {
        let path = try temporaryFile("bad.yaml", yaml)
        for command in [["config", "validate", path], ["run", path, "--progress", "none"]] {
            let (status, out, err) = try await runCLI(command)
            #expect(status == 2, "\(command): \(err)")
            #expect(err.contains(field + ":"), "\(err)")
            #expect(out.isEmpty)
        }
    }

    @Test func validateResolvesReplayAndLiveUniverses() async throws {
        // A live listing from exchanges that cannot be reached: exit 2 naming a request (whichever venue fails first).
        let live = try temporaryFile("live.yaml", "universe: {source: live}\nmarket_data: {live: {binance_rest_url: 'http://127.0.0.1:1', upbit_rest_url: 'http://127.0.0.1:1'}}\n")
        let (status, _, errors) = try await runCLI(["config", "validate", live])
        #expect(status == 2)
        #expect(errors.contains("universe.source: cannot fetch the live listing: GET http://127.0.0.1:1/"), "\(errors)")
        // Replay: the files are read for their markets.
        let missing = try temporaryFile("replay.yaml", "market_data: {source: replay, replay: {files: [/nonexistent/x.jsonl]}}\n")
        let (s2, _, e2) = try await runCLI(["config", "validate", missing])
        #expect(s2 == 2 && e2.contains("market_data.replay.files[0]: /nonexistent/x.jsonl"))
    }

    @Test func malformedJSONIsAConfigError() async throws {
        let path = try temporaryFile("bad.json", "{\"universe\": {\"top_n\": 3,}")
        let (status, _, err) = try await runCLI(["config", "validate", path])
        #expect(status == 2 && err.contains("not valid JSON"))
        let missing = try await runCLI(["run", "/nonexistent/config.yaml"])
        #expect(missing.0 == 2 && missing.2.contains("cannot read"))
    }

    @Test func runPrintsStatsJSONOnStdout() async throws {
        let path = try temporaryFile("c.json", #"{"universe": {"top_n": 2}, "engine": {"mode": "multi", "multi_symbol_enabled": true}, "session": {"clock": "simulated", "max_runtime_seconds": 120}}"#)
        let (status, out, err) = try await runCLI(["run", path, "--progress", "lines", "--compact"])
        #expect(status == 0, "\(err)")
        let stats = try JSONDecoder().decode(JSONValue.self, from: Data(out.utf8))
        #expect(stats["status"] == "completed" && stats["symbols"] == ["BTCUSDT", "ETHUSDT"])
        #expect(err.contains("progress 100%"))
    }

    @Test func sigintStopsGracefullyAndStillPrintsStats() async throws {
        let path = try temporaryFile("rt.yaml", "universe: {top_n: 2}\nengine: {mode: multi, multi_symbol_enabled: true}\nsession: {max_runtime_seconds: 60}\n")
        let (status, out, err) = try await runCLI(["run", path, "--progress", "none"], interruptAfter: 1.0)
        #expect(status == 0, "\(err)")
        let stats = try JSONDecoder().decode(JSONValue.self, from: Data(out.utf8))
        #expect(stats["status"] == "stopped" && stats["stop_reason"] == "requested")
    }

    @Test func defaultsAndSchemaPrint() async throws {
        let (s1, defaults, _) = try await runCLI(["config", "defaults"])
        #expect(s1 == 0)
        let tree = try JSONDecoder().decode(JSONValue.self, from: Data(defaults.utf8))
        #expect(try CampaignConfig.parse(tree) == CampaignConfig.defaults)
        let (s2, schema, _) = try await runCLI(["config", "schema"])
        #expect(s2 == 0 && schema.contains("\"additionalProperties\": false"))
    }

    @Test func benchRunsEveryCaseAndReportsIt() async throws {
        let (status, out, err) = try await runCLI(["bench", "--routes", "2,3", "--clock", "both", "--duration", "1",
                                                   "--simulated-seconds", "60", "--json"])
        #expect(status == 0, "\(err)")
        let rows = try #require(try JSONDecoder().decode(JSONValue.self, from: Data(out.utf8)).arrayValue)
        #expect(rows.count == 4)
        #expect(rows.compactMap { $0["clock"]?.stringValue }.sorted() == ["realtime", "realtime", "simulated", "simulated"])
        for row in rows {
            #expect(row["status"] == "completed" && row["stop_reason"] == "runtime")
            #expect((row["book_updates"]?.doubleValue ?? 0) > 0 && (row["iterations"]?.doubleValue ?? 0) > 0)
            #expect(row["loop_latency_us"]?["p99"] != nil && (row["rss_mb_max"]?.doubleValue ?? 0) > 0)
        }
        let (badStatus, _, _) = try await runCLI(["bench", "--routes", "0"])
        #expect(badStatus != 0)
    }

    @Test func docsConfigMatchesTheSchema() async throws {
        let docs = try String(contentsOf: Self.repo.appendingPathComponent("docs/config.md"), encoding: .utf8)
        #expect(docs == ConfigReference.markdown(), "docs/config.md is stale: run `arbitrage config docs > docs/config.md`")
    }
}
}
