import ArbCore
import ArbMarketData
import Foundation

/// One campaign from config to stats: resolves the universe, primes the market, builds the kernel and runs it
/// on the configured clock.
public final class Campaign: Sendable {
    public let config: CampaignConfig
    public let members: [UniverseMember]
    public let control = CampaignControl()
    public let recorder: any CampaignRecorder
    let sources: any MarketSourceFactory

    /// Resolves the universe; throws a config error naming the field when it cannot.
    public init(config: CampaignConfig, recorder: any CampaignRecorder = NullRecorder(),
                sources: any MarketSourceFactory = SyntheticSourceFactory()) throws(ConfigError) {
        self.config = config
        self.recorder = recorder
        self.sources = sources
        let listing: [ListingEntry]
        switch config.universe.source {
        case .synthetic: listing = SyntheticListing.listing(symbolCount: config.marketData.symbolCount)
        case .file: listing = try UniverseFile.load(path: config.universe.file ?? "")
        }
        members = try UniverseResolver.resolve(config.universe, engine: config.engine, listing: listing)
    }

    /// What a finished run leaves behind.
    public struct Result: Sendable {
        public var status: CampaignStatus
        public var stopReason: StopReason
        public var stats: JSONValue
        public var kernel: CampaignKernel
    }

    /// Runs to the end and returns the final stats.
    public func run() async throws(ConfigError) -> Result {
        let wallStart = MonotonicClock.nanoseconds()
        let resources = ResourceSampler()
        let session = config.session
        let sampleIntervalNs = Int64(Swift.max(1, session.maxRuntimeSeconds / 500) * 1e9)
        let startNs: Int64
        let realtime = session.clock == .realtime
        let clock = RealtimeClock()
        startNs = realtime ? clock.startWallNs : session.startTimeNs

        var source = try sources.makeSource(members: members, config: config, startNs: startNs)
        let kernel = prime(&source, startNs: startNs)
        let evaluator = RouteEvaluator(kernel: kernel, maxIterations: session.maxIterations,
                                       isolation: config.engine.perSymbolIsolation)

        let reason: StopReason, endNs: Int64, equity: [EquityPoint], updates: Int
        if realtime {
            let outcome = await RealtimeDriver(
                kernel: kernel, session: session, evaluator: evaluator, control: control, clock: clock,
                sampleIntervalNs: sampleIntervalNs, resources: resources).run(source: source)
            (reason, endNs, equity, updates) = (outcome.reason, outcome.endNs, outcome.equity, outcome.bookUpdates)
        } else {
            let sampler = Task.detached {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    resources.sample()
                }
            }
            let driver = SimulatedDriver(
                kernel: kernel, session: session, evaluator: evaluator, control: control, startNs: startNs,
                sampleIntervalNs: sampleIntervalNs)
            // A simulated run never waits: it gets a thread of its own instead of holding one of the few
            // threads every async task of the process shares.
            let primed = source
            let outcome = await withCheckedContinuation { (done: CheckedContinuation<DriverOutcome, Never>) in
                let thread = Thread {
                    var source = primed
                    done.resume(returning: driver.run(source: &source))
                }
                thread.name = "simulated-campaign"
                thread.start()
            }
            sampler.cancel()
            resources.sample()
            (reason, endNs, equity, updates) = (outcome.reason, outcome.endNs, outcome.equity, outcome.bookUpdates)
        }
        let wallSeconds = Double(MonotonicClock.nanoseconds() - wallStart) / 1e9
        let stats = CampaignStats(
            config: config, kernel: kernel, status: reason.status, stopReason: reason, startNs: startNs, endNs: endNs,
            equity: equity, bookUpdates: updates, wallSeconds: wallSeconds, resources: resources.summary,
            realtime: realtime).json()
        return Result(status: reason.status, stopReason: reason, stats: stats, kernel: kernel)
    }

    /// Writes every market's first snapshot (all stamped at the start), then builds the paper accounts from the
    /// first mids and fx, and the kernel over them.
    private func prime<Source: ScheduledMarketSource>(_ source: inout Source, startNs: Int64) -> CampaignKernel {
        let routes = members.map(\.route)
        let layout = MarketLayout(routeCount: routes.count)
        let store = SnapshotStore(marketCount: layout.marketCount)
        while let t = source.nextTimeNs, t == startNs { _ = source.emit(into: store) }
        let fxRate: Double
        switch config.marketData.fxSource {
        case .fixed(let rate): fxRate = rate.double
        case .book: fxRate = store.read(layout.fxMarket).mid
        }
        let paper = DefaultBalances.make(routes: routes, store: store, layout: layout, fx: fxRate, limits: config.risk,
                                         overrides: config.initialBalances)
        let coordinator = RiskCoordinator(limits: config.risk, routeKeys: routes.map(\.key), recorder: recorder)
        let kernel = CampaignKernel(routes: routes, store: store, coordinator: coordinator, paper: paper,
                                    params: config.strategy, fxSource: config.marketData.fxSource, recorder: recorder)
        kernel.fxBookUpdated()
        return kernel
    }
}
