import Synchronization

/// Everything one route owns while a campaign runs: its engine, its latency histograms and its outcome.
///
/// `@unchecked Sendable`: the mutable fields are touched only by the single task that drives the route (the
/// realtime driver's route task, or the simulated loop), and by the campaign after that task has been joined.
/// Other readers use the atomic counters or the coordinator's state.
public final class RouteWorker: @unchecked Sendable {
    // Stored in the order an evaluation reads them (a class is laid out in declaration order): flags, counters,
    // the latency histogram and the markets, then the engine (its own hot fields first), so one evaluation reads
    // a few lines at the head of the object; the legs in flight, the fill summary and the route (800 bytes) after.
    @usableFromInline let finished = Atomic<Bool>(false)
    /// True once the route has stopped evaluating (iterations reached or failed). Readable from any thread;
    /// `failure` may be read once this is true. Inlinable: the drivers ask it twice an evaluation.
    @inlinable public var done: Bool {
        get { finished.load(ordering: .acquiring) }
        set { finished.store(newValue, ordering: .releasing) }
    }
    /// Whether an order is in flight (cheaper to ask than `pending != nil`).
    public private(set) var isWaiting = false
    private let activeFlag = Atomic<Bool>(true)
    /// Whether the route is in the universe: one that left (`universe.refresh_seconds`) takes no entries and
    /// unwinds its open pair. Readable from any thread.
    public var isActive: Bool {
        get { activeFlag.load(ordering: .relaxed) }
        set { activeFlag.store(newValue, ordering: .relaxed) }
    }
    private let flattenRequested = Atomic<Bool>(false)
    var paramsVersion = 0
    /// The kernel's count of closing-transfer settlements when this route last looked at its close by transfer.
    var seenExitSettlements = 0
    /// Evaluations so far, readable from any thread (progress, metrics).
    public let iterationCount = Atomic<Int>(0)
    /// The newest premium and mark, as `Double` bits, readable from any thread without a lock.
    private let premiumBits = Atomic<UInt64>(0)
    private let unrealizedBits = Atomic<UInt64>(0)
    public let loopLatency = LatencyHistogram()
    /// The store's markets of the route's legs.
    public let markets: RouteMarkets
    /// The venue of its KRW leg, whose fx it reads (`Route.fxVenue`): the route itself lies at the object's end.
    let fxVenue: Venue?
    public var engine: RouteEngine
    public let tickToDecision = LatencyHistogram()
    /// The entry or exit whose legs are on their way to the venues.
    public var pending: PendingLegs? {
        didSet { isWaiting = pending != nil }
    }
    /// Why the route stopped with an error; nil while healthy. Written before `done` is set.
    public var failure: String?
    /// What changes only on fills, published for readers on other threads.
    private let fills = Mutex(FillSummary())
    public let route: Route

    /// One evaluation more. Only the route's driver counts, so a load and a store do: an atomic add's locked
    /// instruction on every evaluation is not needed for readers that only load.
    @inline(__always)
    func countIteration() { iterationCount.store(iterationCount.load(ordering: .relaxed) &+ 1, ordering: .relaxed) }

    /// Asks the route to unwind its open pair at its next evaluation.
    public func requestFlatten() { flattenRequested.store(true, ordering: .relaxed) }

    /// Whether a flatten was asked for since the last call.
    @inline(__always)
    func takeFlattenRequest() -> Bool {
        flattenRequested.load(ordering: .relaxed) && flattenRequested.exchange(false, ordering: .relaxed)
    }

    public init(engine: RouteEngine, markets: RouteMarkets) {
        self.engine = engine
        self.route = engine.route
        self.markets = markets
        fxVenue = engine.route.fxVenue
        publishFills()
    }

    struct FillSummary: Sendable {
        var trades = 0
        var sellABuyBTrades = 0
        var realizedPnlUSD = Fixed.zero
        var position: OpenPair?
        var feesUSD = Fixed.zero
        var transferFeesUSD = Fixed.zero
    }

    /// Publishes the gauges after an evaluation (two relaxed stores).
    @inline(__always)
    func publishGauges() {
        premiumBits.store(engine.premiumBps.bitPattern, ordering: .relaxed)
        unrealizedBits.store((engine.isHolding ? engine.unrealizedPnlUSD : 0).bitPattern, ordering: .relaxed)
    }

    /// Publishes trades, realized PnL and the open pair after fills changed them.
    func publishFills() {
        let summary = FillSummary(trades: engine.trades, sellABuyBTrades: engine.sellABuyBTrades,
                                  realizedPnlUSD: engine.realizedPnlUSD, position: engine.position,
                                  feesUSD: engine.closedFeesUSD ?? .zero, transferFeesUSD: engine.closedTransferFeesUSD ?? .zero)
        fills.withLock { $0 = summary }
        publishGauges()
    }

    /// The route as readers on other threads may see it at any time.
    public var summary: RouteSummary {
        let f = fills.withLock { $0 }
        return RouteSummary(counts: counts(trades: f.trades, sellABuyB: f.sellABuyBTrades, realized: f.realizedPnlUSD),
                            realizedPnlUSD: f.realizedPnlUSD, position: f.position, feesUSD: f.feesUSD,
                            transferFeesUSD: f.transferFeesUSD)
    }

    /// The summary's numbers without the open pair (no strings to copy: what a metrics scrape reads per route).
    public var counts: RouteCounts {
        let (trades, sellABuyB, realized) = fills.withLock { ($0.trades, $0.sellABuyBTrades, $0.realizedPnlUSD) }
        return counts(trades: trades, sellABuyB: sellABuyB, realized: realized)
    }

    private func counts(trades: Int, sellABuyB: Int, realized: Fixed) -> RouteCounts {
        RouteCounts(
            iterations: iterationCount.load(ordering: .relaxed), trades: trades, sellABuyBTrades: sellABuyB,
            realizedPnlUSD: realized.double, unrealizedPnlUSD: Double(bitPattern: unrealizedBits.load(ordering: .relaxed)),
            premiumBps: Double(bitPattern: premiumBits.load(ordering: .relaxed)))
    }
}

/// A route's published numbers.
public struct RouteCounts: Sendable, Equatable {
    public var iterations: Int
    public var trades: Int
    public var sellABuyBTrades: Int
    public var realizedPnlUSD: Double
    public var unrealizedPnlUSD: Double
    public var premiumBps: Double
}

/// A route's progress as published to other threads (stats and the API read this, never the engine): its
/// numbers, its realized PnL exact, and its open pair.
public struct RouteSummary: Sendable, Equatable {
    public var counts: RouteCounts
    public var realizedPnlUSD: Fixed
    public var position: OpenPair?
    /// Trading and withdrawal fees of the round trips closed so far (USD).
    public var feesUSD = Fixed.zero
    public var transferFeesUSD = Fixed.zero
}
