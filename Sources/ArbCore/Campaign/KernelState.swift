/// Everything a campaign kernel holds, as one serializable value (checkpoints, resume).
public struct KernelState: Sendable, Codable, Equatable {
    /// The route table: every route the campaign has had, by index, with room for `routeCapacity`.
    public var routes: [Route]
    public var active: [Bool]
    public var routeCapacity: Int
    public var universe: [UniverseChange]
    public var engines: [RouteEngine]
    public var failures: [String?]
    public var done: [Bool]
    /// Orders in flight per route.
    public var pending: [PendingLegs?]
    public var risk: RiskState
    public var paper: PaperExchange
    public var tradeCount: Int
    public var params: StrategyParams
    public var paused: Bool
    /// Each KRW venue's fx.
    public var fx: FxQuotes
    /// The store's newest snapshot of every market of the routes so far, by `MarketMap` index (fx first).
    public var books: [BookSnapshot]
    /// The campaign's venues; nil in checkpoints of the two-venue release (Upbit and Binance).
    public var venues: [Venue]?
}

/// Each KRW venue's fx in a checkpoint. Those of the two-venue release hold one quote (Upbit's), read into
/// Upbit's slot.
public struct FxQuotes: Sendable, Codable, Equatable {
    public var byVenue: PerVenue<FxQuote>

    public init(_ byVenue: PerVenue<FxQuote>) { self.byVenue = byVenue }

    public init(from decoder: any Decoder) throws {
        if let single = try? FxQuote(from: decoder) {
            byVenue = PerVenue(repeating: .none)
            byVenue[.upbit] = single
        } else {
            byVenue = try PerVenue(from: decoder)
        }
    }

    public func encode(to encoder: any Encoder) throws { try byVenue.encode(to: encoder) }
}

/// Where a driver was when it checkpointed.
public struct DriverState: Sendable, Codable, Equatable {
    public var nextTickNs: Int64
    public var nextSampleNs: Int64
    public var bookUpdates: Int
    public var equity: [EquityPoint]

    public init(nextTickNs: Int64, nextSampleNs: Int64, bookUpdates: Int, equity: [EquityPoint]) {
        self.nextTickNs = nextTickNs
        self.nextSampleNs = nextSampleNs
        self.bookUpdates = bookUpdates
        self.equity = equity
    }
}

/// A consistent cut of a running campaign: kernel, market source and driver, at one instant of its clock.
public struct CampaignCheckpoint: Sendable, Codable, Equatable {
    public var campaignId: String
    /// 1, 2, … per campaign.
    public var sequence: Int
    /// Campaign clock at the cut, and where the campaign started.
    public var timeNs: Int64
    public var startNs: Int64
    public var kernel: KernelState
    /// The market source's own state, opaque to the core.
    public var source: [UInt8]
    public var driver: DriverState

    public init(campaignId: String, sequence: Int, timeNs: Int64, startNs: Int64, kernel: KernelState, source: [UInt8],
                driver: DriverState) {
        self.campaignId = campaignId
        self.sequence = sequence
        self.timeNs = timeNs
        self.startNs = startNs
        self.kernel = kernel
        self.source = source
        self.driver = driver
    }

    enum CodingKeys: String, CodingKey { case campaignId, sequence, timeNs, startNs, kernel, source, driver }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        campaignId = try c.decode(String.self, forKey: .campaignId)
        sequence = try c.decode(Int.self, forKey: .sequence)
        timeNs = try c.decode(Int64.self, forKey: .timeNs)
        startNs = try c.decode(Int64.self, forKey: .startNs)
        kernel = try c.decode(KernelState.self, forKey: .kernel)
        // Base64; checkpoints written before that hold an array of byte values.
        if let text = try? c.decode(String.self, forKey: .source) {
            guard let bytes = Base64.decode(text) else {
                throw DecodingError.dataCorruptedError(forKey: .source, in: c, debugDescription: "not base64")
            }
            source = bytes
        } else {
            source = try c.decode([UInt8].self, forKey: .source)
        }
        driver = try c.decode(DriverState.self, forKey: .driver)
    }

    /// The source's state as one base64 string: as an array of numbers, its hundreds of kilobytes at a thousand
    /// routes were most of a checkpoint's encoding time (and three times its size).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(campaignId, forKey: .campaignId)
        try c.encode(sequence, forKey: .sequence)
        try c.encode(timeNs, forKey: .timeNs)
        try c.encode(startNs, forKey: .startNs)
        try c.encode(kernel, forKey: .kernel)
        try c.encode(Base64.encode(source), forKey: .source)
        try c.encode(driver, forKey: .driver)
    }
}

extension CampaignKernel {
    /// The kernel's whole state. Call only while no route is being evaluated (between events in simulated time).
    public func state() -> KernelState {
        let workers = self.workers
        return KernelState(
            routes: workers.map(\.route), active: workers.map(\.isActive), routeCapacity: routeCapacity,
            universe: universeChanges,
            engines: workers.map(\.engine), failures: workers.map(\.failure), done: workers.map(\.done),
            pending: workers.map(\.pending), risk: coordinator.snapshot(), paper: paperExchange,
            tradeCount: tradesOpened, params: strategyParams, paused: isPaused, fx: FxQuotes(fxQuotes),
            books: (0..<marketMap.count).map { store.read($0) }, venues: venues)
    }

    /// A kernel continuing from `state`, its route table included.
    /// `oneThread`: the store's books are written and read whole on one thread (`SnapshotStore.oneThread`).
    public convenience init(restoring state: KernelState, fxSource: FxSource, recorder: any CampaignRecorder,
                            latencyMs: [Double] = [0, 0], oneThread: Bool = false) {
        let capacity = Swift.max(state.routeCapacity, state.routes.count)
        let venues = state.venues ?? [.upbit, .binance]
        let store = SnapshotStore(marketCount: MarketMap.capacity(venues: venues, routes: capacity), oneThread: oneThread)
        for (i, book) in state.books.enumerated() { store.restore(i, book) }
        let coordinator = RiskCoordinator(state: state.risk, routeKeys: state.routes.map(\.key),
                                          routeVenues: state.routes.map(\.venues), routeSymbols: state.routes.map(\.base),
                                          recorder: recorder)
        self.init(routes: state.routes, store: store, coordinator: coordinator, paper: state.paper, params: state.params,
                  fxSource: fxSource, recorder: recorder, tradeCount: state.tradeCount, latencyMs: latencyMs,
                  capacity: capacity, venues: venues)
        for (i, worker) in workers.enumerated() {
            worker.engine = state.engines[i]
            worker.iterationCount.store(state.engines[i].iterations, ordering: .relaxed)
            worker.failure = state.failures[i]
            worker.done = state.done[i]
            worker.pending = state.pending[i]
            worker.isActive = state.active[i]
            worker.publishFills()
        }
        restoreUniverse(state.universe)
        setPaused(state.paused)
        restoreFx(state.fx.byVenue)
    }
}
