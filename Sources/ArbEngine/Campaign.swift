import ArbCore
import Foundation
import Logging
import Synchronization

/// One campaign from config to stats: resolves the universe, primes the market, builds the kernel and runs it
/// on the configured clock.
public final class Campaign: Sendable {
    public let id: String
    public let config: CampaignConfig
    public let members: [UniverseMember]
    public let control = CampaignControl()
    public let recorder: any CampaignRecorder
    let sources: any MarketSourceFactory
    /// The running kernel and where the campaign clock started, once primed (for live stats).
    private let running = Mutex<(kernel: CampaignKernel, startNs: Int64, clock: RealtimeClock?)?>(nil)

    /// Resolves the universe; throws a config error naming the field when it cannot.
    public init(id: String = "campaign", config: CampaignConfig, recorder: any CampaignRecorder = NullRecorder(),
                sources: any MarketSourceFactory) throws(ConfigError) {
        self.id = id
        self.config = config
        self.recorder = recorder
        self.sources = sources
        members = try UniverseResolver.resolve(config.universe, engine: config.engine,
                                               listing: sources.availableListing(Self.listing(config: config, sources: sources), config: config),
                                               pairs: config.routePairs)
        var logger = Logger(label: "arbitrage.universe")
        logger[metadataKey: "campaign"] = "\(id)"
        refresh = UniverseRefresh(config: config, sources: sources, logger: logger, members: members)
    }

    /// The listing the universe is resolved from (the live one as `sources.prepare` last fetched it).
    static func listing(config: CampaignConfig, sources: any MarketSourceFactory) throws(ConfigError) -> [ListingEntry] {
        let listing: [ListingEntry]
        switch config.universe.source {
        case .synthetic: listing = try sources.syntheticListing(config: config)
        case .file: listing = try UniverseFile.load(path: config.universe.file ?? "")
        case .live: listing = try sources.liveListing(config: config)
        }
        guard config.marketData.source == .replay, let path = config.marketData.replay.instruments else { return listing }
        return UniverseFile.merge(listing, try UniverseFile.load(path: path, field: "market_data.replay.instruments"))
    }

    let refresh: UniverseRefresh

    /// The routes now, with their listing facts and whether each is in the universe: the members resolved at
    /// the start until the campaign runs, then its route table (routes that joined included, those that left
    /// marked inactive).
    public var universeNow: [(member: UniverseMember, active: Bool)] {
        guard let kernel = running.withLock({ $0?.kernel }) else { return members.map { ($0, true) } }
        let facts = refresh.facts.withLock { $0 }
        return kernel.workers.map { worker in
            var member = facts[worker.route.key] ?? UniverseMember(route: worker.route, quoteVolumeUSD: 0, referencePriceUSD: 0)
            member.route = worker.route
            return (member, worker.isActive)
        }
    }

    /// What a finished run leaves behind.
    public struct Result: Sendable {
        public var status: CampaignStatus
        public var stopReason: StopReason
        public var stats: StatsReport
        public var kernel: CampaignKernel
    }

    /// Receives checkpoints as the campaign takes them (every `session.checkpoint_seconds` of its clock, and a
    /// last one when it is interrupted). Called at the cut itself, while nothing else in the campaign moves: an
    /// implementation takes what it needs and returns at once.
    public typealias CheckpointSink = @Sendable (CampaignCheckpoint) -> Void

    /// Runs to the end and returns the final stats, handing `checkpoints` a checkpoint every
    /// `session.checkpoint_seconds` of the campaign clock.
    public func run(checkpoints: CheckpointSink? = nil) async throws(ConfigError) -> Result {
        let realtime = config.session.clock == .realtime
        var source = try sources.makeSource(members: members, config: config,
                                            startNs: realtime ? MonotonicClock.wallNanoseconds() : config.session.startTimeNs)
        let (kernel, primedNs) = try await prime(&source)
        // Live books carry wall-clock receive times: the campaign clock starts now, not at the last first book,
        // so it never runs behind them.
        let startNs = source.isLive ? Swift.max(primedNs, MonotonicClock.wallNanoseconds()) : primedNs
        kernel.startRebalancing(atNs: startNs)
        return await drive(kernel: kernel, source: source, startNs: startNs, clock: RealtimeClock(originNs: startNs, speed: clockSpeed),
                           resume: nil, sequence: 0, checkpoints: checkpoints)
    }

    /// Continues from one of the campaign's checkpoints: balances, positions, orders in flight, cooldowns,
    /// breakers, daily loss, the remaining runtime and iterations, the market source. A simulated campaign ends
    /// exactly as the uninterrupted run; a realtime one goes on from the checkpoint's instant of its clock, so the
    /// time the process was down does not count. The config in force (`config`, PATCHed changes included)
    /// applies from the resume on.
    public func resume(from checkpoint: CampaignCheckpoint, checkpoints: CheckpointSink? = nil) async throws(ConfigError) -> Result {
        let table = checkpoint.kernel.routes
        // Without refreshes the table is the universe the campaign resolves to; with them it is whatever the
        // refreshes made it, and the next refresh brings it up to date.
        if config.universe.refreshSeconds == 0 {
            guard table.count == members.count, zip(table, members).allSatisfy({ $0.key == $1.route.key }) else {
                throw ConfigError(field: "checkpoint", "checkpoint of \(table.count) routes does not match the campaign's \(members.count)")
            }
        }
        let facts = Dictionary(members.map { ($0.route.key, $0) }, uniquingKeysWith: { a, _ in a })
        let tableMembers = table.map { route in
            UniverseMember(route: route, quoteVolumeUSD: facts[route.key]?.quoteVolumeUSD ?? 0,
                           referencePriceUSD: facts[route.key]?.referencePriceUSD ?? 0)
        }
        let source: any ScheduledMarketSource
        do {
            source = checkpoint.source.isEmpty
                ? try sources.makeSource(members: tableMembers, config: config, startNs: checkpoint.timeNs)
                : try sources.restoreSource(members: tableMembers, config: config, startNs: checkpoint.startNs, state: checkpoint.source)
        } catch {
            throw ConfigError(field: "checkpoint", "cannot restore the market source: \(error)")
        }
        let kernel = CampaignKernel(restoring: checkpoint.kernel, fxSource: config.marketData.fxSource, recorder: recorder,
                                    latencyMs: config.latencyMs, oneThread: config.session.clock == .simulated)
        kernel.attach(health: source.venueHealth)
        configureTransfers(kernel)
        if kernel.strategyParams != config.strategy { kernel.updateParams(config.strategy) }
        kernel.coordinator.updateLimits(config.risk)
        return await drive(kernel: kernel, source: source, startNs: checkpoint.startNs,
                           clock: RealtimeClock(originNs: checkpoint.timeNs, speed: clockSpeed),
                           resume: ResumePoint(driver: checkpoint.driver, timeNs: checkpoint.timeNs),
                           sequence: checkpoint.sequence, checkpoints: checkpoints)
    }

    /// The config's transfer rules and rebalancer on `kernel`.
    private func configureTransfers(_ kernel: CampaignKernel) {
        kernel.configureTransfers(config.transferRules, rebalance: config.rebalance, orderNotionalUSD: config.strategy.orderNotionalUSD,
                                  totalCapitalUSD: config.risk.totalCapitalUSD)
    }

    /// How long a live campaign waits at its start for the first book of every market; then it starts with the
    /// routes whose books came, and the others wait, stale, until theirs arrive.
    static let liveStartWaitNs: UInt64 = 1_000_000_000

    /// The running source's counts, for live stats.
    private let sourceCountersInUse = Mutex<MarketSourceCounters?>(nil)

    /// Market time per wall second of the realtime clock: a replay's `speed`, otherwise 1.
    private var clockSpeed: Double { config.marketData.source == .replay ? config.marketData.replay.speed : 1 }

    /// The config in force: the one it started with, plus the changes applied while running.
    public var currentConfig: CampaignConfig { changes.withLock { $0 ?? config } }
    private let changes = Mutex<CampaignConfig?>(nil)

    /// Sections a running campaign accepts changes to.
    public static let liveSections: Set<String> = ["strategy", "fees", "multi_symbol_risk_guard"]

    /// Validates a partial config (`strategy`, `fees`, `multi_symbol_risk_guard`) merged over the one in force and
    /// applies it at once: routes pick up the strategy at their next evaluation, new proposals meet the new limits.
    /// Nothing changes when it is invalid.
    public func applyChanges(_ patch: JSONValue) throws(ConfigError) -> CampaignConfig {
        guard case .object(let sections) = patch else { throw ConfigError(field: "(root)", "expected an object") }
        var issues: [ConfigIssue] = []
        for key in sections.keys.sorted() where !Self.liveSections.contains(key) {
            issues.append(ConfigIssue(field: key, message: "cannot be changed while a campaign runs (only strategy, fees, multi_symbol_risk_guard)"))
        }
        if !issues.isEmpty { throw ConfigError(issues) }
        guard let kernel = running.withLock({ $0?.kernel }) else { throw ConfigError(field: "(campaign)", "not running") }
        return try changes.withLock { current throws(ConfigError) -> CampaignConfig in
            let base = current ?? config
            let updated = try CampaignConfig.parse(Self.merge(base.tree, patch))
            kernel.updateParams(updated.strategy)
            kernel.coordinator.updateLimits(updated.risk)
            current = updated
            return updated
        }
    }

    /// `patch` laid over `tree`, objects merged key by key.
    static func merge(_ tree: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(var base) = tree, case .object(let over) = patch else { return patch }
        for (key, value) in over { base[key] = merge(base[key] ?? .null, value) }
        return .object(base)
    }

    /// Moves `amount` of `asset` between two of the campaign's venues now (an operator's transfer); nil when the
    /// campaign is not running.
    public func requestTransfer(asset: String, from: Venue, to: Venue, amount: Fixed,
                                network: String?) -> Swift.Result<Transfer, TransferRefusal>? {
        guard let (kernel, startNs, clock) = running.withLock({ $0 }) else { return nil }
        let now = clock?.now() ?? startNs + control.elapsedNs
        let request = TransferRequest(asset: asset, from: from, to: to, amount: amount, network: network, purpose: .manual,
                                      priceUSD: kernel.markPriceUSD(asset), krwPerUSD: to.isKRW ? kernel.fx(to).rate : 0)
        return kernel.requestTransfer(request, nowNs: now)
    }

    /// Asks every route of the asset `symbol` (`BTCUSDT`) to unwind its open pair; false when the campaign is not running or
    /// has no route of it.
    public func requestFlatten(symbol: String) -> Bool {
        guard let kernel = running.withLock({ $0?.kernel }) else { return false }
        let routes = kernel.workers.indices.filter { kernel.workers[$0].route.symbol == symbol }
        for index in routes { kernel.requestFlatten(route: index) }
        return !routes.isEmpty
    }

    /// Asks one route (by key) to unwind its open pair; false when the campaign has no such route.
    public func requestFlatten(route key: String) -> Bool {
        guard let kernel = running.withLock({ $0?.kernel }),
              let index = kernel.workers.firstIndex(where: { $0.route.key == key }) else { return false }
        kernel.requestFlatten(route: index)
        return true
    }

    /// Whether entries are paused.
    public var isPaused: Bool { running.withLock { $0?.kernel.isPaused } ?? false }

    /// Pauses or resumes entries (exits go on); false before the campaign started.
    @discardableResult
    public func setPaused(_ paused: Bool) -> Bool {
        guard let kernel = running.withLock({ $0?.kernel }) else { return false }
        kernel.setPaused(paused)
        return true
    }

    /// What the metrics exposition reads: the kernel and the campaign clock now; nil before it started.
    public func probe() -> CampaignProbe? {
        guard let (kernel, startNs, clock) = running.withLock({ $0 }) else { return nil }
        return CampaignProbe(id: id, kernel: kernel, startNs: startNs, nowNs: clock?.now() ?? startNs + control.elapsedNs)
    }

    /// Stats of the campaign as it runs, from what its routes publish; nil before it started.
    public func liveStats() -> StatsReport? {
        guard let probe = probe() else { return nil }
        return CampaignStats(
            config: config, kernel: probe.kernel, status: .running, stopReason: nil, startNs: probe.startNs, endNs: probe.nowNs,
            equity: [], bookUpdates: 0, wallSeconds: 0, resources: ResourceSampler.Summary(),
            realtime: config.session.clock == .realtime, source: sourceCountersInUse.withLock { $0 },
            refreshes: refresh.counts.withLock { $0 }).report()
    }

    private func drive(kernel: CampaignKernel, source: any ScheduledMarketSource, startNs: Int64, clock: RealtimeClock,
                       resume: ResumePoint?, sequence: Int, checkpoints: CheckpointSink?) async -> Result {
        let realtime = config.session.clock == .realtime
        running.withLock { $0 = (kernel, startNs, realtime ? clock : nil) }
        let sourceCounters = source.counters
        sourceCountersInUse.withLock { $0 = sourceCounters }
        let wallStart = MonotonicClock.nanoseconds()
        let resources = ResourceSampler()
        let session = config.session
        let plan = CampaignRun.Plan(
            startNs: startNs, runtimeSeconds: session.maxRuntimeSeconds, loopIntervalMs: session.loopIntervalMs,
            sampleIntervalNs: Int64(Swift.max(1, session.maxRuntimeSeconds / 500) * 1e9),
            checkpointSeconds: checkpoints == nil ? nil : session.checkpointSeconds,
            refreshSeconds: config.universe.refreshSeconds)
        let evaluator = RouteEvaluator(kernel: kernel, maxIterations: session.maxIterations,
                                       isolation: config.engine.perSymbolIsolation)
        let id = self.id
        let counter = Mutex(sequence)
        var hook: CheckpointHook?
        if let sink = checkpoints {
            hook = { (timeNs: Int64, state: DriverState, bytes: [UInt8]) in
                let n = counter.withLock { n -> Int in n += 1; return n }
                kernel.coordinator.flushOpenRejections()
                sink(CampaignCheckpoint(campaignId: id, sequence: n, timeNs: timeNs, startNs: startNs,
                                        kernel: kernel.state(), source: bytes, driver: state))
            }
        }
        var outcome: DriverOutcome
        if realtime {
            var driver = RealtimeDriver(
                kernel: kernel, session: session, evaluator: evaluator, control: control, clock: clock, plan: plan,
                resources: resources, refresh: refresh)
            driver.resume = resume
            driver.onCheckpoint = hook
            outcome = await driver.run(source: source)
        } else {
            let sampler = Task.detached {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    resources.sample()
                }
            }
            var driver = SimulatedDriver(
                kernel: kernel, session: session, evaluator: evaluator, control: control, plan: plan, refresh: refresh)
            driver.resume = resume
            driver.onCheckpoint = hook
            // A simulated run never waits: it gets a thread of its own instead of holding one of the few
            // threads every async task of the process shares.
            let runner = driver
            outcome = await withCheckedContinuation { (done: CheckedContinuation<DriverOutcome, Never>) in
                let thread = Thread {
                    var source = source
                    done.resume(returning: runner.run(source: &source))
                }
                thread.name = "simulated-campaign"
                thread.start()
            }
            sampler.cancel()
            resources.sample(final: true)
        }
        // An interrupted run's last checkpoint: nothing moves any more, so the kernel as it stands is the cut.
        if let cut = outcome.cut { hook?(outcome.endNs, cut.driver, cut.source) }
        kernel.coordinator.flushOpenRejections()
        let wallSeconds = Double(MonotonicClock.nanoseconds() - wallStart) / 1e9
        let stats = CampaignStats(
            config: config, kernel: kernel, status: outcome.reason.status, stopReason: outcome.reason, startNs: startNs,
            endNs: outcome.endNs, equity: outcome.equity, bookUpdates: outcome.bookUpdates, wallSeconds: wallSeconds,
            resources: resources.summary, realtime: realtime, source: sourceCounters,
            refreshes: refresh.counts.withLock { $0 }).report()
        return Result(status: outcome.reason.status, stopReason: outcome.reason, stats: stats, kernel: kernel)
    }

    /// Writes the stream into a new store until every market of the campaign has a book (the synthetic market
    /// stamps all its first books at the start; a replay's come one by one), then whatever else shares that
    /// instant, which is where the campaign starts. A live campaign waits at most `liveStartWaitNs` (or until it
    /// is stopped): a market that never sends (an asset suspended on a venue) must not hold the others back.
    /// Builds the paper accounts from the first mids and fx (the listing's price and `fx.krw_per_usdt` where no
    /// book came yet), and the kernel over them.
    private func prime<Source: ScheduledMarketSource>(_ source: inout Source) async throws(ConfigError) -> (CampaignKernel, startNs: Int64) {
        let routes = members.map(\.route)
        let map = MarketMap(config: config, routes: routes)
        let capacity = config.universe.routeCapacity(startingWith: routes.count)
        // A simulated campaign's books are written and read whole on its driver's thread alone.
        let store = SnapshotStore(marketCount: MarketMap.capacity(venues: config.venues, routes: capacity),
                                  oneThread: config.session.clock == .simulated)
        var missing = Set(map.readMarkets)
        var startNs = Int64.min
        let deadline = MonotonicClock.nanoseconds() + Self.liveStartWaitNs
        while !missing.isEmpty {
            if let t = source.nextTimeNs {
                missing.remove(source.emit(into: store))
                startNs = t
                continue
            }
            let now = MonotonicClock.nanoseconds()
            guard source.isLive, now < deadline, !control.stopRequested else { break }
            await source.waitForEvent(timeoutNs: Swift.min(Int64(deadline - now), 50_000_000))
        }
        if !missing.isEmpty {
            let names = missing.sorted().prefix(5).map { "\(map.keys[$0].venue):\(map.keys[$0].symbol)" }
            let more = missing.count > 5 ? " and \(missing.count - 5) more" : ""
            guard source.isLive else {
                throw ConfigError(field: "market_data.replay.files",
                                  "the data ends before every book has been seen (none for \(names.joined(separator: ", "))\(more))")
            }
            var logger = Logger(label: "arbitrage.campaign")
            logger[metadataKey: "campaign"] = "\(id)"
            logger.warning("campaign starts without a book from \(names.joined(separator: ", "))\(more); their routes wait for them")
        }
        while let t = source.nextTimeNs, t == startNs { _ = source.emit(into: store) }
        let fx = PerVenue { venue -> Double in
            switch config.marketData.fxSource {
            case .fixed(let rate): return rate.double
            case .book:
                guard let market = map.fxMarkets[venue] else { return 1 }
                let book = store.read(market)
                return book.isEmpty ? config.marketData.fxStart : book.mid
            }
        }
        let prices = Dictionary(members.map { ($0.route.base, $0.referencePriceUSD) }, uniquingKeysWith: { a, _ in a })
        let paper = DefaultBalances.make(venues: config.venues, routes: routes, store: store, map: map, fx: fx,
                                         limits: config.risk, overrides: config.initialBalances, referencePricesUSD: prices)
        let coordinator = RiskCoordinator(limits: config.risk, routeKeys: routes.map(\.key), routeVenues: routes.map(\.venues),
                                          routeSymbols: routes.map(\.base), recorder: recorder)
        let kernel = CampaignKernel(routes: routes, store: store, coordinator: coordinator, paper: paper,
                                    params: config.strategy, fxSource: config.marketData.fxSource, recorder: recorder,
                                    latencyMs: config.latencyMs, capacity: capacity, venues: config.venues)
        kernel.fxBookUpdated()
        kernel.attach(health: source.venueHealth)
        configureTransfers(kernel)
        return (kernel, startNs)
    }
}

/// A running (or just finished) campaign as the metrics exposition sees it.
public struct CampaignProbe: Sendable {
    public let id: String
    public let kernel: CampaignKernel
    public let startNs: Int64
    /// The campaign clock at the time of the probe.
    public let nowNs: Int64

    public init(id: String, kernel: CampaignKernel, startNs: Int64, nowNs: Int64) {
        self.id = id
        self.kernel = kernel
        self.startNs = startNs
        self.nowNs = nowNs
    }
}
