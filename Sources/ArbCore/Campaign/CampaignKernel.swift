import Synchronization

/// The synchronous heart of a campaign, shared by both drivers: for one route at one instant, read the newest
/// snapshots, let the route engine decide, ask the risk coordinator, execute both legs on the paper exchange,
/// report fills back and record everything. No I/O and no waiting.
///
/// Safe to call concurrently for *different* routes (the realtime driver runs one task per route); a route's
/// own state is touched only by the caller that drives it.
public final class CampaignKernel: Sendable {
    public let store: SnapshotStore
    private let healthBoard = Mutex<VenueHealthBoard?>(nil)
    /// The campaign's venues, in config order.
    public let venues: [Venue]
    public let coordinator: RiskCoordinator
    public let fxSource: FxSource
    let paper: Mutex<PaperExchange>
    let recorder: any CampaignRecorder
    /// Each venue's simulated order latency, in ns.
    public let latencyNs: PerVenue<Int64>
    @usableFromInline let table: RouteTable
    /// Serializes joins; holds the universe's history.
    private let universe = Mutex<[UniverseChange]>([])
    /// Where each market is; grows as routes join (under `universe`'s lock).
    private let map: Mutex<MarketMap>
    /// Each KRW venue's `KRW-USDT` market (fixed for the campaign's life).
    private let fxMarkets: PerVenue<Int?>
    /// By venue index; read by every evaluation, written on each fx book.
    private let fx = VersionedValues(PerVenue(repeating: FxQuote.none).values)
    private let params: Mutex<(version: Int, params: StrategyParams)>
    private let paramsVersion = Atomic<Int>(0)
    private let paused = Atomic<Bool>(false)
    private let tradeCount: Mutex<Int>
    /// `transfers` rules, and when the next transfer is due (`.max`: none), read by the drivers without a lock.
    let transferSetup = Mutex(Rebalancer(config: RebalanceConfig(), rules: TransferRules(), orderNotionalUSD: 0, totalCapitalUSD: 0))
    let transferDue = Atomic<Int64>(.max)
    /// Counts settlements of closing transfers; starts at 1 so a resumed route looks once at its transfers.
    let exitSettlements = Atomic<Int>(1)

    /// A kernel over `routes` (indexed 0, 1, …) on `venues`, with room for `capacity` routes in all (`store` must
    /// hold their markets, laid out as `MarketMap` lays them); nil capacity = no room to grow.
    public init(routes: [Route], store: SnapshotStore, coordinator: RiskCoordinator, paper: PaperExchange,
                params: StrategyParams, fxSource: FxSource, recorder: any CampaignRecorder, tradeCount: Int = 0,
                latencyMs: [Double] = [0, 0], capacity: Int? = nil, venues: [Venue] = [.upbit, .binance]) {
        let capacity = Swift.max(capacity ?? routes.count, routes.count)
        precondition(store.marketCount >= MarketMap.capacity(venues: venues, routes: capacity),
                     "store too small for the route capacity")
        self.latencyNs = PerVenue { Int64((latencyMs.indices.contains($0.index) ? latencyMs[$0.index] : 0) * 1e6) }
        self.venues = venues
        let map = MarketMap(venues: venues, routes: routes, includesFx: fxSource == .book)
        self.map = Mutex(map)
        self.fxMarkets = map.fxMarkets
        self.store = store
        self.coordinator = coordinator
        self.table = RouteTable(capacity: capacity)
        for route in routes {
            _ = table.append(RouteWorker(engine: RouteEngine(route: route, params: params), markets: map.routes[route.index]))
        }
        self.fxSource = fxSource
        self.paper = Mutex(paper)
        self.recorder = recorder
        self.params = Mutex((0, params))
        self.tradeCount = Mutex(tradeCount)
        transferDue.store(paper.nextTransferDueNs ?? .max, ordering: .relaxed)
        if case .fixed(let rate) = fxSource {
            for venue in venues where venue.isKRW { fx.set(venue.index, FxQuote(rate: rate.double, fixed: rate, timeNs: 0, sequence: 0)) }
        }
    }

    /// Where each market of the routes so far is, and which routes read it.
    public var marketMap: MarketMap { map.withLock { $0 } }

    /// The routes so far, by index (later joins do not change a view already taken).
    public var workers: RouteWorkers { table.list() }
    public var routeCount: Int { table.count }
    /// Route `index`'s worker (cheaper than `workers[index]`, which takes a view of the whole table).
    @inline(__always)
    public func worker(_ index: Int) -> RouteWorker { table.worker(index) }
    /// Runs `body` with route `index`'s worker, not retained meanwhile (the table keeps every worker alive).
    @inline(__always)
    public func withWorker<R>(_ index: Int, _ body: (RouteWorker) throws -> R) rethrows -> R { try table.withWorker(index, body) }
    /// Where an evaluation of route `index` (on books `markets`) reads first: the head of its worker (its flags,
    /// counters, markets and its engine's head lie in the first six cache lines: `RouteWorker`, `RouteEngine`), its
    /// loop latency counters (two lines) and its books' tops. A driver that knows the next event has them fetched
    /// while it handles the one before; naming them reads nothing of the route.
    @inlinable @inline(__always)
    public func evaluationMemory(route index: Int, markets: RouteMarkets) -> EvaluationMemory {
        let head = table.heads[index]
        return EvaluationMemory(worker: head.worker, latency: head.latency, topA: store.topLine(markets.a),
                                topB: store.topLine(markets.b))
    }

    /// How many routes the campaign has room for.
    public var routeCapacity: Int { table.capacity }

    // MARK: Universe

    /// Every join and leave so far, in order.
    public var universeChanges: [UniverseChange] { universe.withLock { $0 } }

    /// Adds a route joining the universe at the next index (`route.index` must be it), with `inventory` per venue
    /// deposited into the paper accounts as initial balance. Call while no route is being evaluated. Returns
    /// false when the campaign has no room left.
    @discardableResult
    public func addRoute(_ route: Route, inventory: [Venue: Fixed], nowNs: Int64) -> Bool {
        universe.withLock { log -> Bool in
            guard table.count < table.capacity, route.index == table.count else { return false }
            let (version, current) = params.withLock { ($0.version, $0.params) }
            let markets = map.withLock { m -> RouteMarkets in
                m.add([route])
                return m.routes[route.index]
            }
            let worker = RouteWorker(engine: RouteEngine(route: route, params: current), markets: markets)
            worker.paramsVersion = version
            coordinator.addRoute(key: route.key, venues: route.venues, symbol: route.base)
            paper.withLock { p in
                for (venue, amount) in inventory.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where amount > .zero {
                    p.deposit(venue, route.base, amount)
                }
            }
            _ = table.append(worker)
            log.append(UniverseChange(timeNs: nowNs, route: route.key, kind: .joined))
            return true
        }
    }

    /// Takes route `index` out of the universe (no entries; its open pair unwinds at its next evaluations) or
    /// back in.
    public func setActive(route index: Int, _ active: Bool, nowNs: Int64) {
        let worker = self.worker(index)
        guard worker.isActive != active else { return }
        universe.withLock { log in
            worker.isActive = active
            log.append(UniverseChange(timeNs: nowNs, route: worker.route.key, kind: active ? .rejoined : .left))
        }
    }

    func restoreUniverse(_ changes: [UniverseChange]) { universe.withLock { $0 = changes } }

    // MARK: Controls

    public var isPaused: Bool { paused.load(ordering: .relaxed) }
    /// Pauses or resumes entries; exits go on.
    public func setPaused(_ value: Bool) { paused.store(value, ordering: .relaxed) }

    public var strategyParams: StrategyParams { params.withLock { $0.params } }

    /// New strategy settings, picked up by each route at its next evaluation.
    public func updateParams(_ new: StrategyParams) {
        let version = params.withLock { p -> Int in
            p.version += 1
            p.params = new
            return p.version
        }
        paramsVersion.store(version, ordering: .releasing)
    }

    public var paperExchange: PaperExchange { paper.withLock { $0 } }

    /// Asks route `index` to unwind its open pair at its next evaluation (its own task does it, so the request is
    /// safe from any thread).
    public func requestFlatten(route index: Int) { worker(index).requestFlatten() }

    /// The fx of the campaign's first KRW venue (the seed's Upbit); `FxQuote.none` without one.
    public var currentFx: FxQuote {
        guard let venue = venues.first(where: \.isKRW) else { return .none }
        return fx(venue)
    }

    /// `venue`'s KRW per USDT now (`FxQuote.none` for a USDT venue).
    public func fx(_ venue: Venue) -> FxQuote { fx[venue.index] }

    /// The fx a route prices with: its fx venue's (`Route.fxVenue`); `FxQuote.unit` when both legs quote in USDT.
    @inline(__always)
    public func fx(for route: Route) -> FxQuote { fx(ofVenue: route.fxVenue) }

    /// The fx of a route whose KRW leg is on `venue`; the unit quote for none.
    @inline(__always)
    func fx(ofVenue venue: Venue?) -> FxQuote {
        guard let venue else { return .unit }
        return fx[venue.index]
    }

    /// Every venue's fx now.
    var fxQuotes: PerVenue<FxQuote> { PerVenue(padding: fx.all, with: { _ in .none })! }

    func restoreFx(_ quotes: PerVenue<FxQuote>) { fx.setAll(quotes.values) }

    /// Call after every fx book changed (the campaign's first books).
    public func fxBookUpdated() {
        for venue in venues where venue.isKRW { fxBookUpdated(venue) }
    }

    /// Call after `venue`'s fx book changed: recomputes its rate and feeds its fx band's history.
    public func fxBookUpdated(_ venue: Venue) {
        guard fxSource == .book, let market = fxMarkets[venue] else { return }
        // The top is all a rate needs: reading the whole book would copy it and write out its synthetic depth.
        let top = store.top(market)
        guard !top.isEmpty else { return }
        let quote = FxQuote(rate: top.mid, fixed: Fixed(raw: (top.bid + top.ask) / 2), timeNs: top.receiveTimeNs, sequence: top.sequence)
        fx.set(venue.index, quote)
        coordinator.observeFx(quote.rate, venue: venue)
    }

    // MARK: Evaluation

    /// One iteration of route `index` at `nowNs`; `entriesAllowed` is false while the campaign is stopping.
    /// Returns when the next leg of an order in flight reaches its venue (call `deliver` then), nil when nothing
    /// is in flight. Throws when the route is broken (the caller isolates it).
    @discardableResult
    public func evaluate(route index: Int, nowNs: Int64, entriesAllowed: Bool = true) throws(RouteFailure) -> Int64? {
        try evaluate(route: index, worker: worker(index), nowNs: nowNs, entriesAllowed: entriesAllowed)
    }

    /// The same with the route's worker in hand: a caller that already holds it spares a retain and release of
    /// it per evaluation (a few percent of a simulated campaign).
    @inline(__always)
    public func evaluate(route index: Int, worker: RouteWorker, nowNs: Int64,
                         entriesAllowed: Bool = true) throws(RouteFailure) -> Int64? {
        act(route: index, try decide(route: index, worker: worker, nowNs: nowNs, entriesAllowed: entriesAllowed), nowNs: nowNs)
    }

    /// What one evaluation decided, before it is acted on: routes that see the same instant all decide first, then
    /// act in priority order (`act`).
    public enum Decision: Sendable {
        /// Nothing to send; the next leg due of an order in flight, if any.
        case settled(Int64?)
        // Boxed: with the two books inline a decision is 3 KB, copied on every evaluation's way out even when
        // it is `settled`; entries and exits are rare enough to pay for a box.
        indirect case enter(EntryProposal, a: BookSnapshot, b: BookSnapshot, fx: FxQuote)
        indirect case exit(ExitProposal, a: BookSnapshot, b: BookSnapshot, fx: FxQuote)
        /// An entry a cooldown or circuit breaker refuses (`RiskCoordinator.refusesBeforeData`): judged and counted
        /// without copies of the books, whose only part a refusal needs is the older one's receive time (the score).
        case refused(EntryProposal, fx: FxQuote, oldestBookNs: Int64)
    }

    /// The first half of an evaluation: the route's engine looks at the newest books and says what it wants.
    @inline(__always)
    public func decide(route index: Int, worker: RouteWorker, nowNs: Int64,
                       entriesAllowed: Bool = true) throws(RouteFailure) -> Decision {
        let version = paramsVersion.load(ordering: .acquiring)
        if version != worker.paramsVersion {
            worker.engine.params = params.withLock { $0.params }
            worker.paramsVersion = version
        }
        // A pair closing by transfer moves on once one of the campaign's closing transfers has settled since the
        // route last looked (the realtime driver settles them on another task).
        if worker.engine.isClosing {
            let settled = exitSettlements.load(ordering: .acquiring)
            if settled != worker.seenExitSettlements {
                worker.seenExitSettlements = settled
                syncClose(index, nowNs: nowNs)
            }
        }
        if worker.takeFlattenRequest() {
            flatten(route: index, reason: "flatten", nowNs: nowNs)
        }
        // A route that left the universe unwinds, retrying at each evaluation while the data tier blocks it.
        let active = worker.isActive
        if !active && worker.engine.isHolding && !worker.isWaiting {
            flatten(route: index, reason: "universe_exit", nowNs: nowNs)
        }
        let marketA = worker.markets.a, marketB = worker.markets.b
        let fx = self.fx(ofVenue: worker.fxVenue)
        let allowEntries = entriesAllowed && active && !isPaused && !coordinator.isEmergencyStopped
        if worker.engine.quickLook(a: store.top(marketA), b: store.top(marketB), fx: fx, nowNs: nowNs,
                                   entriesAllowed: allowEntries) {
            worker.countIteration()
            worker.publishGauges()
            if worker.engine.isHolding {
                coordinator.updateUnrealized(route: index, usd: worker.engine.unrealizedPnlUSD, timeNs: nowNs)
            }
            return .settled(worker.isWaiting ? worker.pending?.nextDueNs : nil)
        }
        // The books are read where they lie; only an entry or an exit takes copies of them.
        let decided = try store.withSnapshots(marketA, marketB) { (a, b) throws(RouteFailure) -> Decision in
            switch try worker.engine.evaluate(a: a, b: b, fx: fx, nowNs: nowNs, entriesAllowed: allowEntries) {
            case .none: return .settled(nil)
            case .enter(let proposal):
                if coordinator.refusesBeforeData(route: index, timeNs: nowNs) {
                    return .refused(proposal, fx: fx, oldestBookNs: Swift.min(a.pointee.receiveTimeNs, b.pointee.receiveTimeNs))
                }
                return .enter(proposal, a: a.pointee, b: b.pointee, fx: fx)
            case .exit(let proposal): return .exit(proposal, a: a.pointee, b: b.pointee, fx: fx)
            }
        }
        worker.countIteration()
        worker.publishGauges()
        if worker.engine.isHolding {
            coordinator.updateUnrealized(route: index, usd: worker.engine.unrealizedPnlUSD, timeNs: nowNs)
        }
        // While an order is in flight the route waits for its fills.
        if worker.isWaiting { return .settled(worker.pending?.nextDueNs) }
        return decided
    }

    /// The second half: sends what the route decided (entries through the risk tiers). Returns when the next leg
    /// of an order in flight reaches its venue, nil when nothing is in flight.
    @inline(__always)
    public func act(route index: Int, _ decision: Decision, nowNs: Int64) -> Int64? {
        switch decision {
        case .settled(let due): return due
        case .enter(let proposal, let a, let b, let fx): return enter(index, proposal, a: a, b: b, fx: fx, nowNs: nowNs)
        case .exit(let proposal, let a, let b, let fx): return exit(index, proposal, a: a, b: b, fx: fx, nowNs: nowNs)
        case .refused(let proposal, let fx, _): return enterRefused(index, proposal, fx: fx, nowNs: nowNs)
        }
    }

    /// How strongly an entry deserves the room the limits have left, when several routes propose at one instant
    /// (SPEC §8): its net edge at size, scaled by how much of the wanted notional the books hold within the
    /// slippage budget, less up to 10 bps as its older leg nears the data tier's age limit.
    public func score(_ p: EntryProposal, a: BookSnapshot, b: BookSnapshot, route: Route, fx: FxQuote, nowNs: Int64) -> Double {
        score(p, oldestBookNs: Swift.min(a.receiveTimeNs, b.receiveTimeNs), route: route, fx: fx, nowNs: nowNs)
    }

    /// The same from the older book's receive time, all a score reads of the books.
    public func score(_ p: EntryProposal, oldestBookNs: Int64, route: Route, fx: FxQuote, nowNs: Int64) -> Double {
        let params = strategyParams
        let usd = p.quantity.double * p.priceB / route.divisors(fx: fx.rate).b
        let depth = params.orderNotionalUSD > 0 ? Swift.min(1, usd / params.orderNotionalUSD) : 1
        let age = Double(nowNs - oldestBookNs) / 1e6
        let limit = coordinator.limits.maxDataAgeMs
        return p.netEdgeBps * depth - 10 * Swift.min(1, Swift.max(0, age) / Swift.max(limit, 1))
    }

    /// Unwinds route `index`'s open pair now, whatever its edge (`campaign_end`, `flatten`, `emergency_stop`).
    /// Returns false when the pair is still open afterwards (blocked by the data tier or unfilled). Orders
    /// still in flight are delivered first, whatever their latency.
    @discardableResult
    public func flatten(route index: Int, reason: String, nowNs: Int64) -> Bool {
        let worker = self.worker(index)
        if worker.isWaiting { deliver(route: index, nowNs: nowNs, force: true) }
        guard worker.engine.isHolding else { return true }
        let a = store.read(worker.markets.a)
        let b = store.read(worker.markets.b)
        let fx = self.fx(for: worker.route)
        if case .exit(let proposal) = worker.engine.forcedExit(reason: reason, a: a, b: b, fx: fx, nowNs: nowNs) {
            if exit(index, proposal, a: a, b: b, fx: fx, nowNs: nowNs) != nil {
                deliver(route: index, nowNs: nowNs, force: true)
            }
        }
        return !worker.engine.isHolding
    }

    /// What the data tier judges; a route with no KRW leg (USDT–USDT) has no fx to be stale or out of its band.
    func dataCheck(_ a: BookSnapshot, _ b: BookSnapshot, fx: FxQuote, route: Route, nowNs: Int64) -> DataCheck {
        DataCheck(
            ageAMs: Double(nowNs - a.receiveTimeNs) / 1e6, ageBMs: Double(nowNs - b.receiveTimeNs) / 1e6,
            fxAgeMs: fxSource == .book && route.needsFx ? Double(nowNs - fx.timeNs) / 1e6 : nil,
            crossedA: a.isCrossed, crossedB: b.isCrossed, fxRate: route.needsFx ? fx.rate : nil, fxVenue: route.fxVenue)
    }

    func nextTradeId() -> String {
        let n = tradeCount.withLock { c -> Int in c += 1; return c }
        let s = String(n)
        return "T" + String(repeating: "0", count: Swift.max(0, 7 - s.count)) + s
    }

    public var tradesOpened: Int { tradeCount.withLock { $0 } }

    /// Reads the live feeds' health: entries on a venue that is down are refused (data tier, `venue_down`).
    public func attach(health: VenueHealthBoard?) { healthBoard.withLock { $0 = health } }

    /// The first of the route's venues whose feed is down, with why; nil for sources without feeds.
    func venueDown(_ route: Route) -> DataCheck.VenueDown? {
        guard let board = healthBoard.withLock({ $0 }) else { return nil }
        for venue in route.venues.values where board.isDown(venue) {
            return DataCheck.VenueDown(venue: venue, reason: board.health(venue).reason ?? "down")
        }
        return nil
    }
}

/// Addresses of the memory an evaluation reads first (`CampaignKernel.evaluationMemory`), for prefetch hints.
public struct EvaluationMemory {
    public static let workerLines = 6
    public let worker: UnsafeRawPointer
    public let latency: UnsafeRawPointer
    public let topA: UnsafeRawPointer
    public let topB: UnsafeRawPointer

    @inlinable
    init(worker: UnsafeRawPointer, latency: UnsafeRawPointer, topA: UnsafeRawPointer, topB: UnsafeRawPointer) {
        self.worker = worker
        self.latency = latency
        self.topA = topA
        self.topB = topB
    }
}
