import ArbCore
@testable import ArbEngine
import ArbMarketData
import ArbTesting
import Foundation
import Logging
import Synchronization
import Testing

extension CampaignSuites {
/// Sweeps over a recorded market: runs equal to `arbitrage run` of their configs, walk-forward, stop and resume.
@Suite struct SweepTests {
    static let base: JSONValue = multi([
        "universe": ["top_n": 3], "multi_symbol_risk_guard": ["cooldown_seconds": 5],
        "paper": ["latency_ms": ["upbit": 80, "binance": 30]],
        "session": ["max_runtime_seconds": 900],
        "market_data": ["source": "replay", "max_data_age_ms": 450, "replay": ["files": []]],
    ])

    static func sweep(cache: String, _ extra: [String: JSONValue]) -> JSONValue {
        var o: [String: JSONValue] = [
            "base": base.setting("market_data.replay.files", to: [.string(cache)]),
            "grid": ["strategy.entry_threshold_bps": [-5, 5], "strategy.exit_threshold_bps": [-20, -10]],
        ]
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    /// A JSON file's tree.
    static func tree(_ text: String) throws -> JSONValue { try ConfigLoader.json(Data(text.utf8), path: "output") }

    @Test func everyRunIsTheCampaignArbitrageRunMakesOfItsConfig() async throws {
        let (_, cache, _) = try await CacheReplayTests.recordingAndCache()
        let dir = try newDir()
        let file = try jsonFile(dir, "sweep.json", Self.sweep(cache: cache, ["parallel": 2]))
        let out = dir.appendingPathComponent("runs.jsonl").path
        let (status, table, err) = try await runCLI(["sweep", file, "--out", out, "--progress", "lines"])
        #expect(status == 0, "\(err)")
        #expect(err.contains("sweep 4/4 runs"), "\(err)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map { try Self.tree(String($0)) }
        #expect(lines.map { $0["run"]?.intValue } == [1, 2, 3, 4])
        // Different configs trade differently (the sweep really varied them).
        let nets = lines.map { $0["net_pnl_usd"]!.doubleValue! }
        #expect(Set(nets).count > 1 && lines.allSatisfy { ($0["trades"]?.intValue ?? 0) > 0 })
        // The table ranks by net PnL, best first.
        let ranked = table.split(separator: "\n").dropFirst().prefix(4).compactMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
        let expected = lines.sorted { ($0["objective"]!.doubleValue!, -$0["run"]!.intValue!) > ($1["objective"]!.doubleValue!, -$1["run"]!.intValue!) }
        #expect(ranked == expected.map { Int($0["run"]!.intValue!) }, "\(table)")
        // Three runs, byte for byte: `arbitrage run` of the run's config prints the same stats (but performance).
        for line in [lines[0], lines[2], lines[3]] {
            let config = try jsonFile(dir, "run.json", try #require(line["config"]))
            let (s, printed, e) = try await runCLI(["run", config, "--progress", "none", "--compact"])
            #expect(s == 0, "\(e)")
            #expect(results(try Self.tree(printed)) == results(try #require(line["stats"])))
        }
        // CSV: a column per varied key.
        let csv = dir.appendingPathComponent("runs.csv").path
        let (s2, _, e2) = try await runCLI(["sweep", file, "--out", csv, "--progress", "none", "--parallel", "1"])
        #expect(s2 == 0, "\(e2)")
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 5 && rows[0].hasPrefix("run,candidate,fold,window,strategy.entry_threshold_bps,strategy.exit_threshold_bps,objective"))
        #expect(rows[1].hasPrefix("1,1,,all,-5,-20,"))
    }

    @Test func aSweepFileWithErrorsExitsTwoNamingThePlace() async throws {
        let path = try temporaryFile("bad-sweep.yaml", "base: {universe: {top_n: 3}}\ngrid:\n  strategy.entry_threshold_bps: [10, wide]\n")
        let (status, out, err) = try await runCLI(["sweep", path])
        #expect(status == 2 && out.isEmpty)
        #expect(err.contains("grid.strategy.entry_threshold_bps[1]:"), "\(err)")
        let good = try temporaryFile("sweep.yaml", "base: {universe: {top_n: 3}}\ngrid:\n  strategy.entry_threshold_bps: [10]\n")
        for (flags, field) in [(["--top", "0"], "--top:"), (["--parallel", "0"], "--parallel:")] {
            let (s, o, e) = try await runCLI(["sweep", good] + flags)
            #expect(s == 2 && o.isEmpty && e.contains(field), "\(flags): \(e)")
        }
    }

    @Test func walkForwardReportsTheChosenConfigOnTheNextWindow() async throws {
        let (_, cache, _) = try await CacheReplayTests.recordingAndCache()
        let spec = try SweepSpec.parse(Self.sweep(cache: cache, ["walk_forward": ["choose_seconds": 240, "report_seconds": 120]]), cores: 2)
        let sources = StandardSourceFactory(caches: MarketCacheReaders())
        let outcome = try await SweepRunner(spec: spec, sources: sources).run()
        #expect(outcome.complete)
        // 600 s recorded: folds at 0, 120, 240 s (the third reports until 600 s).
        #expect(outcome.folds.count == 3)
        #expect(outcome.results.count == 3 * 4 + 3)
        for fold in outcome.folds {
            let choose = outcome.results.filter { $0.run.fold == fold.number && $0.run.window == .choose }
            let report = try #require(outcome.results.first { $0.run.fold == fold.number && $0.run.window == .report })
            #expect(choose.count == 4)
            let best = choose.max { ($0.objective!, -$0.run.number) < ($1.objective!, -$1.run.number) }!
            #expect(report.run.candidate == best.run.candidate && report.run.overrides == best.run.overrides)
            // The report run trades the window after the choice, and nothing before it.
            let stats = try #require(report.stats)
            #expect(try #require(UTCTime.parse(stats.startTime)) >= fold.reportFromNs)
            for run in choose {
                let chooseStats = try #require(run.stats)
                #expect(try #require(UTCTime.parse(chooseStats.startTime)) >= fold.chooseFromNs)
                #expect(try #require(UTCTime.parse(chooseStats.startTime)) < fold.reportFromNs)
            }
            // And it is the campaign of its config.
            let (alone, _) = try await runCampaign(report.run.config)
            #expect(results(alone.stats) == results(stats))
        }
        let table = SweepReport.table(outcome, objective: spec.objective)
        #expect(table.contains("reported over 3 fold(s)"), "\(table)")
    }

    @Test func aStoppedSweepResumesWithItsFinishedRunsToTheSameEnd() async throws {
        let (_, cache, _) = try await CacheReplayTests.recordingAndCache()
        let spec = try SweepSpec.parse(Self.sweep(cache: cache, ["parallel": 1]), cores: 2)
        let sources = StandardSourceFactory(caches: MarketCacheReaders())
        let whole = try await SweepRunner(spec: spec, sources: sources).run()
        // Stopped after its second run: the runs that finished are kept, the one running is dropped.
        let control = SweepControl()
        let kept = Mutex<[SweepResult]>([])
        let stopped = try await SweepRunner(spec: spec, sources: sources, control: control).run { result in
            let n = kept.withLock { $0.append(result); return $0.count }
            if n == 2 { control.requestStop() }
        }
        #expect(!stopped.complete && stopped.results.count == 2)
        // Resumed from what a store would hold (each result through its JSON line), it ends as the whole sweep.
        let stored = stopped.results.map { SweepReport.result(SweepReport.tree($0), objective: spec.objective)! }
        #expect(stored.map { results(try! #require($0.stats)) } == stopped.results.map { results($0.stats!) })
        let ran = Mutex(0)
        let resumed = try await SweepRunner(spec: spec, sources: sources).run(finished: stored) { _ in ran.withLock { $0 += 1 } }
        #expect(resumed.complete && ran.withLock { $0 } == 2)
        #expect(resumed.results.map { results($0.stats!) } == whole.results.map { results($0.stats!) })
        #expect(SweepReport.table(resumed, objective: .netPnl) == SweepReport.table(whole, objective: .netPnl))
    }

    @Test func aReplayFromATimeStartsThereOnTheCacheAsOnTheRecording() async throws {
        let (jsonl, cache, _) = try await CacheReplayTests.recordingAndCache()
        let from = "2026-01-01T00:05:00Z"
        let window = Self.base.setting("session.clock", to: "simulated").setting("market_data.replay.from", to: .string(from))
        let (onCache, _) = try await runCampaign(window.setting("market_data.replay.files", to: [.string(cache)]))
        let (onJSONL, _) = try await runCampaign(window.setting("market_data.replay.files", to: [.string(jsonl)]))
        let (whole, _) = try await runCampaign(Self.base.setting("session.clock", to: "simulated").setting("market_data.replay.files", to: [.string(cache)]))
        #expect(try #require(UTCTime.parse(onCache.stats.startTime)) >= UTCTime.parse(from)!)
        #expect(results(onCache.stats) == results(onJSONL.stats))
        #expect(onCache.stats.trades.opened > 0)
        // Only the rows from that time on are read.
        let rows = try #require(onCache.stats.marketData.rows), all = try #require(whole.stats.marketData.rows)
        #expect(rows + (onCache.stats.marketData.skippedRows ?? 0) < all + (whole.stats.marketData.skippedRows ?? 0))
        // A window needs recorded data.
        await #expect(throws: ConfigError.self) { try await runCampaign(multi(["market_data": ["replay": ["from": .string(from)]]])) }
    }
}
}
