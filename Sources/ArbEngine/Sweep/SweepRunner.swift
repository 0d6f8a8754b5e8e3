import ArbCore
import Foundation
import Synchronization

/// What one run of a sweep ended with: its figures, the objective they give, and its stats (nil with the
/// error when the run could not start).
public struct SweepResult: Sendable, Equatable {
    public var run: SweepRun
    public var status: String
    public var objective: Double?
    public var netPnlUSD: Double
    public var maxDrawdownUSD: Double
    public var trades: Int
    public var stats: StatsReport?
    public var error: String?
    /// From the stats, or as stored when a resumed sweep's run comes back without them.
    public var bookUpdates = 0
    public var wallSeconds = 0.0

    public init(run: SweepRun, stats: StatsReport, objective: SweepSpec.Objective) {
        self.run = run
        self.stats = stats
        status = stats.status
        netPnlUSD = stats.netPnlUSD
        maxDrawdownUSD = StatsComparison.maxDrawdown(stats.pnl.equityCurve.map(\.equityUSD))
        trades = stats.trades.executed
        bookUpdates = stats.performance.bookUpdates
        wallSeconds = stats.performance.wallSeconds
        switch objective {
        case .netPnl: self.objective = netPnlUSD
        case .pnlPerDrawdown: self.objective = netPnlUSD / Swift.max(1, maxDrawdownUSD)
        case .trades: self.objective = Double(trades)
        }
    }

    public init(run: SweepRun, error: String) {
        self.run = run
        status = "failed"
        netPnlUSD = 0
        maxDrawdownUSD = 0
        trades = 0
        self.error = error
    }

    /// Better first: a higher objective, then the lower candidate number; failed runs last.
    static func ranksBefore(_ a: SweepResult, _ b: SweepResult) -> Bool {
        switch (a.objective, b.objective) {
        case (let x?, let y?) where x != y: return x > y
        case (.some, nil): return true
        case (nil, .some): return false
        default: return a.run.number < b.run.number
        }
    }
}

/// Progress and stop requests of a running sweep, readable from any thread.
public final class SweepControl: Sendable {
    private let stop = Atomic<Bool>(false)
    private let done = Atomic<Int>(0)
    private let total = Atomic<Int>(0)
    private let campaigns = Mutex<[Int: CampaignControl]>([:])

    public init() {}

    /// Stops the sweep: running campaigns end at once and their runs count as not done (a resume runs them again).
    public func requestStop() {
        stop.store(true, ordering: .relaxed)
        for control in campaigns.withLock({ Array($0.values) }) { control.requestInterrupt() }
    }
    public var stopRequested: Bool { stop.load(ordering: .relaxed) }
    public var finishedRuns: Int { done.load(ordering: .relaxed) }
    /// Runs the sweep will make (a walk-forward's report runs included once its folds are known).
    public var totalRuns: Int { total.load(ordering: .relaxed) }

    func setTotal(_ n: Int) { total.store(n, ordering: .relaxed) }
    func finished() { done.add(1, ordering: .relaxed) }
    func started(_ run: Int, _ control: CampaignControl) -> Bool {
        campaigns.withLock { $0[run] = control }
        if stopRequested { control.requestInterrupt() }
        return !stopRequested
    }
    func ended(_ run: Int) { _ = campaigns.withLock { $0.removeValue(forKey: run) } }
}

/// Runs a sweep's campaigns on the simulated clock, `parallel` at a time, each on a thread of its own, all
/// reading the market data the `sources` factory shares between them. Each run is the campaign `arbitrage run`
/// makes of the run's config, so its stats are the same byte for byte (but `performance`).
public struct SweepRunner: Sendable {
    public let spec: SweepSpec
    let sources: any MarketSourceFactory
    public let control: SweepControl

    public init(spec: SweepSpec, sources: any MarketSourceFactory, control: SweepControl = SweepControl()) {
        self.spec = spec
        self.sources = sources
        self.control = control
    }

    /// What a sweep ended with: every run's result by number, and the ranking.
    public struct Outcome: Sendable {
        public var results: [SweepResult]
        /// Complete: every run finished (false when stopped).
        public var complete: Bool
        public var folds: [SweepFold]
    }

    /// The folds of a walk-forward sweep (none otherwise), cut from the recording the base replays.
    public func folds() throws(ConfigError) -> [SweepFold] {
        guard spec.walkForward != nil else { return [] }
        let base = try SweepSpec.prefixed("base") { () throws(ConfigError) in try CampaignConfig.parse(spec.base) }
        let span = try SweepSpec.prefixed("base") { () throws(ConfigError) in try sources.recordedSpan(config: base) }
        return try spec.folds(firstNs: span.firstNs, endNs: span.endNs)
    }

    /// Runs what `finished` (a resumed sweep's results so far) does not hold, handing each result to `onResult`
    /// as its run ends.
    public func run(finished: [SweepResult] = [], onResult: @escaping @Sendable (SweepResult) -> Void = { _ in })
        async throws(ConfigError) -> Outcome {
        let folds = try self.folds()
        var results = Dictionary(finished.map { ($0.run.number, $0) }, uniquingKeysWith: { a, _ in a })
        let first = spec.firstRuns(folds: folds)
        control.setTotal(first.count + folds.count)
        for _ in results.values { control.finished() }
        for result in await execute(first.filter { results[$0.number] == nil }, onResult: onResult) { results[result.run.number] = result }
        guard !control.stopRequested else { return Outcome(results: sorted(results), complete: false, folds: folds) }
        if !folds.isEmpty {
            let candidates = spec.candidates
            // Every choose run has a result here (a run that cannot start has its error); a fold without one has
            // nothing to report.
            let reports = folds.compactMap { fold -> SweepRun? in
                let choose = first.filter { $0.fold == fold.number }.compactMap { results[$0.number] }
                guard let best = choose.min(by: SweepResult.ranksBefore), candidates.indices.contains(best.run.candidate - 1) else { return nil }
                return spec.reportRun(fold: fold, folds: folds.count, chosen: candidates[best.run.candidate - 1])
            }
            for result in await execute(reports.filter { results[$0.number] == nil }, onResult: onResult) { results[result.run.number] = result }
        }
        return Outcome(results: sorted(results), complete: !control.stopRequested, folds: folds)
    }

    private func sorted(_ results: [Int: SweepResult]) -> [SweepResult] { results.values.sorted { $0.run.number < $1.run.number } }

    /// `runs`, at most `spec.parallel` at once; a run stopped by a stop request is left out.
    private func execute(_ runs: [SweepRun], onResult: @escaping @Sendable (SweepResult) -> Void) async -> [SweepResult] {
        var pending = runs[...]
        var out: [SweepResult] = []
        await withTaskGroup(of: SweepResult?.self) { group in
            func launch() {
                guard !control.stopRequested, let run = pending.popFirst() else { return }
                group.addTask { await self.one(run) }
            }
            for _ in 0..<spec.parallel { launch() }
            for await result in group {
                if let result {
                    out.append(result)
                    control.finished()
                    onResult(result)
                }
                launch()
            }
        }
        return out
    }

    /// One run: the campaign of its config, as `arbitrage run` builds it.
    func one(_ run: SweepRun) async -> SweepResult? {
        let campaign: Campaign
        do {
            let config = try CampaignConfig.parse(run.config)
            try await sources.prepare(config: config)
            campaign = try Campaign(id: "sweep-run-\(run.number)", config: config, sources: sources)
        } catch {
            return SweepResult(run: run, error: error.description)
        }
        guard control.started(run.number, campaign.control) else { return nil }
        defer { control.ended(run.number) }
        do {
            let result = try await campaign.run()
            if control.stopRequested && result.status != .completed { return nil }
            return SweepResult(run: run, stats: result.stats, objective: spec.objective)
        } catch {
            return SweepResult(run: run, error: error.description)
        }
    }
}
