import ArbCore
@testable import ArbEngine
import Foundation
import Testing

/// Sweep files: what they may say, the errors naming their place, and the configs they expand to.
@Suite struct SweepSpecTests {
    static let base: JSONValue = ["engine": ["mode": "multi", "multi_symbol_enabled": true], "universe": ["top_n": 3]]

    func fields(_ sweep: JSONValue) -> [String] {
        do {
            _ = try SweepSpec.parse(sweep, cores: 2)
            return []
        } catch { return error.issues.map(\.field) }
    }

    @Test func badSweepsAreRefusedNamingThePlace() {
        let grid: JSONValue = ["strategy.entry_threshold_bps": [10, 20]]
        #expect(fields(["grid": grid]) == ["base"])
        #expect(fields(["base": Self.base, "grid": grid, "colour": "red"]) == ["colour"])
        #expect(fields(["base": Self.base]) == ["grid"])
        #expect(fields(["base": Self.base, "grid": grid, "random": ["draws": 3, "ranges": ["strategy.entry_threshold_bps": [1, 2]]]]) == ["random"])
        // A value the schema refuses, named by its place in the sweep.
        #expect(fields(["base": Self.base, "grid": ["strategy.entry_threshold_bps": [10, "wide"]]]) == ["grid.strategy.entry_threshold_bps[1]"])
        #expect(fields(["base": Self.base, "grid": ["universe.top_n": [3, 0]]]) == ["grid.universe.top_n[1]"])
        #expect(fields(["base": Self.base, "grid": ["strategy.entry_treshold_bps": [1]]]) == ["grid.strategy.entry_treshold_bps"])
        #expect(fields(["base": Self.base, "grid": ["strategy": [1]]]) == ["grid.strategy"])
        #expect(fields(["base": Self.base, "grid": ["session.clock": ["realtime"]]]) == ["grid.session.clock"])
        #expect(fields(["base": Self.base, "grid": ["strategy.entry_threshold_bps": []]]) == ["grid.strategy.entry_threshold_bps"])
        // The base itself, its errors under base.
        #expect(fields(["base": ["universe": ["top_n": -1]], "grid": grid]) == ["base.universe.top_n"])
        #expect(fields(["base": ["session": ["clock": "realtime"]], "grid": grid]) == ["base.session.clock"])
        #expect(fields(["base": "/nonexistent/base.yaml", "grid": grid]) == ["base.(file)"])
        // Bounds.
        let big: JSONValue = .array((0..<101).map { .int(Int64($0)) })
        #expect(fields(["base": Self.base, "grid": ["strategy.entry_threshold_bps": big, "strategy.exit_threshold_bps": big]]) == ["grid"])
        #expect(fields(["base": Self.base, "grid": grid, "objective": "sharpe"]) == ["objective"])
        #expect(fields(["base": Self.base, "grid": grid, "parallel": 0]) == ["parallel"])
        #expect(fields(["base": Self.base, "random": ["draws": 0, "ranges": ["strategy.entry_threshold_bps": [1, 2]]]]) == ["random.draws"])
        #expect(fields(["base": Self.base, "random": ["draws": 2, "seed": 1.5, "ranges": ["strategy.entry_threshold_bps": [1, 2]]]]) == ["random.seed"])
        #expect(fields(["base": Self.base, "random": ["draws": 2, "ranges": ["strategy.entry_threshold_bps": [9, 2]]]]) == ["random.ranges.strategy.entry_threshold_bps"])
        #expect(fields(["base": Self.base, "random": ["draws": 2, "ranges": ["universe.top_n": [1, 9000]]]]) == ["random.ranges.universe.top_n[1]"])
        // Walk-forward needs recorded data, and seconds.
        #expect(fields(["base": Self.base, "grid": grid, "walk_forward": ["choose_seconds": 60, "report_seconds": 30]]) == ["walk_forward"])
        let replay = Self.base.setting("market_data.source", to: "replay").setting("market_data.replay.files", to: ["x.arbcache"])
        #expect(fields(["base": replay, "grid": grid, "walk_forward": ["choose_seconds": 0, "report_seconds": 30]]) == ["walk_forward.choose_seconds"])
    }

    @Test func aGridIsEveryCombinationInOrder() throws {
        let spec = try SweepSpec.parse(["base": Self.base, "grid": [
            "strategy.exit_threshold_bps": [-10, -5], "strategy.entry_threshold_bps": [10, 20, 30],
        ], "parallel": 3], cores: 2)
        #expect(spec.parallel == 3 && spec.objective == .netPnl)
        let c = spec.candidates
        #expect(c.count == 6)
        // The first key alphabetically varies slowest.
        #expect(c.map { $0.overrides["strategy.entry_threshold_bps"]!.intValue! } == [10, 10, 20, 20, 30, 30])
        #expect(c.map { $0.overrides["strategy.exit_threshold_bps"]!.intValue! } == [-10, -5, -10, -5, -10, -5])
        // Each run's config is the base with its values, on the simulated clock.
        let config = try CampaignConfig.parse(spec.config(c[3]))
        #expect(config.strategy.entryThresholdBps == 20 && config.strategy.exitThresholdBps == -5)
        #expect(config.session.clock == .simulated && config.universe.topN == 3)
    }

    @Test func randomDrawsAreSeededAndWithinTheirRanges() throws {
        let sweep: JSONValue = ["base": Self.base, "random": ["draws": 200, "seed": 7, "ranges": [
            "strategy.entry_threshold_bps": [5, 60], "multi_symbol_risk_guard.cooldown_seconds": [1.5, 9.5],
            "universe.top_n": [2, 4], "strategy.exit_by_transfer": [true, false, false],
        ]], "objective": "pnl_per_drawdown"]
        let a = try SweepSpec.parse(sweep, cores: 2).candidates
        #expect(a == (try SweepSpec.parse(sweep, cores: 2).candidates))
        let other = try SweepSpec.parse(sweep.setting("random.seed", to: 8), cores: 2).candidates
        #expect(a != other)
        let entry = a.map { $0.overrides["strategy.entry_threshold_bps"]!.doubleValue! }
        #expect(entry.allSatisfy { $0 >= 5 && $0 <= 60 } && Set(entry).count > 150)
        let cooldown = a.map { $0.overrides["multi_symbol_risk_guard.cooldown_seconds"]!.doubleValue! }
        #expect(cooldown.allSatisfy { $0 >= 1.5 && $0 <= 9.5 })
        // An integer key draws whole numbers, every one of its range.
        let topN = a.map { $0.overrides["universe.top_n"]! }
        #expect(Set(topN.compactMap { v -> Int64? in if case .int(let i) = v { return i } else { return nil } }) == Set<Int64>([2, 3, 4]))
        // A list is picked from.
        let flags = a.map { $0.overrides["strategy.exit_by_transfer"]!.boolValue! }
        #expect(flags.contains(true) && flags.filter { !$0 }.count > flags.filter { $0 }.count)
    }

    @Test func walkForwardFoldsCoverTheRecordingOnWholeSeconds() throws {
        let replay = Self.base.setting("market_data.source", to: "replay").setting("market_data.replay.files", to: ["x.arbcache"])
        let spec = try SweepSpec.parse(["base": replay, "grid": ["strategy.entry_threshold_bps": [10, 20]],
                                        "walk_forward": ["choose_seconds": 600, "report_seconds": 300]], cores: 2)
        let first: Int64 = 1_767_225_600_250_000_000  // 2026-01-01T00:00:00.25Z
        let folds = try spec.folds(firstNs: first, endNs: first + 1_800_000_000_000)
        // From 00:00:01: choose 10 min, report 5 min, moving on by 5 min while the report ends by 00:30:00.25
        // (folds from 00:00:01, 00:05:01 and 00:10:01; a fourth would report until 00:30:01).
        #expect(folds.count == 3)
        #expect(folds[0].chooseFromNs == 1_767_225_601_000_000_000 && folds[0].reportFromNs == folds[0].chooseFromNs + 600_000_000_000)
        #expect(folds[1].chooseFromNs == folds[0].chooseFromNs + 300_000_000_000)
        let runs = spec.firstRuns(folds: folds)
        #expect(runs.count == 6 && runs.map(\.number) == Array(1...6))
        #expect(runs[2].fold == 2 && runs[2].candidate == 1 && runs[2].window == .choose)
        let config = try CampaignConfig.parse(runs[2].config)
        #expect(config.marketData.replay.fromNs == folds[1].chooseFromNs && config.session.maxRuntimeSeconds == 600)
        let report = spec.reportRun(fold: folds[1], folds: 3, chosen: spec.candidates[1])
        #expect(report.number == 8 && report.window == .report)
        let reportConfig = try CampaignConfig.parse(report.config)
        #expect(reportConfig.marketData.replay.fromNs == folds[1].reportFromNs && reportConfig.session.maxRuntimeSeconds == 300)
        #expect(reportConfig.strategy.entryThresholdBps == 20)
        // Too short a recording names what one fold needs.
        #expect(throws: ConfigError.self) { try spec.folds(firstNs: first, endNs: first + 800_000_000_000) }
    }

    @Test func drawdownIsTheLargestFallFromAPeak() {
        #expect(StatsComparison.maxDrawdown([]) == 0)
        #expect(StatsComparison.maxDrawdown([1, 2, 3]) == 0)
        #expect(StatsComparison.maxDrawdown([-2, 1]) == 2)
        #expect(StatsComparison.maxDrawdown([5, 1, 7, 4, 8]) == 4)
    }
}
