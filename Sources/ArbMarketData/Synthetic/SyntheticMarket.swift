#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ArbCore
import Foundation

/// The embedded synthetic market (SPEC §3.2.1): deterministic from `seed`.
///
/// Per base asset a random-walk USD mid and a mean-reverting Upbit premium with occasional jumps; per market
/// (each exchange × symbol, and `KRW-USDT`) its own noise, a jittered spread and 15 (Upbit) or 20 (Binance)
/// levels on the instrument's tick and step grid. Each market updates `updatesPerSecond` times a second on
/// average, at jittered intervals with random phases, so updates never come in aligned bursts (except the
/// initial snapshot of every market at the start, as a feed's first message would be).
///
/// Processes evolve lazily to the time of each event, so the stream depends only on the seed and event order,
/// which is the same whichever driver pulls it.
public struct SyntheticMarket: ScheduledMarketSource, Sendable {
    public struct Settings: Sendable, Equatable {
        public var seed: UInt64
        public var updatesPerSecond: Double
        public var fxStart: Double
        public var startNs: Int64
        /// Whether to generate the `KRW-USDT` book (false with a fixed fx rate).
        public var includeFx: Bool

        public init(seed: UInt64, updatesPerSecond: Double, fxStart: Double, startNs: Int64, includeFx: Bool) {
            self.seed = seed
            self.updatesPerSecond = updatesPerSecond
            self.fxStart = fxStart
            self.startNs = startNs
            self.includeFx = includeFx
        }
    }

    struct Asset: Sendable, Codable, Equatable {
        var midUSD: Double
        var premiumBps: Double
        var meanBps: Double
        var volPerSqrtSecond: Double
        var depthUSD: Double
        var lastNs: Int64
        var rng: Xoshiro256
    }

    struct FxProcess: Sendable, Codable, Equatable {
        var rate: Double
        var lastNs: Int64
        var rng: Xoshiro256
    }

    struct MarketState: Sendable, Codable, Equatable {
        var rng: Xoshiro256
        var spreadBps: Double
    }

    struct Event: Comparable, Sendable, Codable {
        var timeNs: Int64
        /// Tie-break: the fx market first, then by market index.
        var order: Int32
        var market: Int32
        static func < (a: Event, b: Event) -> Bool { a.timeNs != b.timeNs ? a.timeNs < b.timeNs : a.order < b.order }
    }

    // Premium dynamics: mean reversion rate (1/s), stationary deviation (bps), jump rate (1/s) and size (bps).
    static let reversion = 1.0 / 30
    static let premiumDeviation = 35.0
    static let jumpRate = 1.0 / 30
    static let jumpRange = 60.0...140.0
    static let fxVolPerSqrtSecond = 3e-5
    static let venueNoiseBps = 1.5

    public private(set) var routes: [Route]
    public private(set) var layout: MarketLayout
    public let settings: Settings
    private let meanIntervalNs: Double
    private var assets: [Asset]
    private var fx: FxProcess
    private var markets: [MarketState]
    private var heap: EventQueue<Event>

    /// A market over `members` (the resolved universe, in route order).
    public init(members: [UniverseMember], settings: Settings) {
        self.routes = members.map(\.route)
        self.layout = MarketLayout(routeCount: members.count)
        self.settings = settings
        self.meanIntervalNs = 1e9 / settings.updatesPerSecond
        var master = Xoshiro256(seed: settings.seed)
        assets = members.map { Self.asset($0, startNs: settings.startNs, rng: Xoshiro256(seed: master.next())) }
        fx = FxProcess(rate: settings.fxStart, lastNs: settings.startNs, rng: Xoshiro256(seed: master.next()))
        var states: [MarketState] = []
        for m in members { states.append(contentsOf: Self.marketStates(m, master: &master)) }
        // The fx market's generator is drawn last but its book is market 0.
        states.insert(MarketState(rng: Xoshiro256(seed: master.next()), spreadBps: 3), at: MarketLayout.fxMarket)
        markets = states
        heap = EventQueue([])
        let fxIndex = layout.fxMarket
        for market in 0..<layout.marketCount where market != fxIndex || settings.includeFx {
            heap.insert(Event(timeNs: settings.startNs, order: market == fxIndex ? -1 : Int32(market), market: Int32(market)))
        }
    }

    static func asset(_ m: UniverseMember, startNs: Int64, rng: Xoshiro256) -> Asset {
        var rng = rng
        let mean = -10 + 40 * rng.unit()
        return Asset(
            midUSD: m.referencePriceUSD, premiumBps: mean + Self.premiumDeviation * rng.gaussian(),
            meanBps: mean, volPerSqrtSecond: 1.5e-4 + 1.5e-4 * rng.unit(),
            depthUSD: Swift.min(80_000, Swift.max(3_000, m.quoteVolumeUSD / 20_000)), lastNs: startNs, rng: rng)
    }

    /// The Upbit and Binance markets of `m`.
    static func marketStates(_ m: UniverseMember, master: inout Xoshiro256) -> [MarketState] {
        let base = Swift.min(15, Swift.max(1, 3e4 / Swift.max(1, m.quoteVolumeUSD).squareRoot()))
        return (0..<2).map { _ in
            var rng = Xoshiro256(seed: master.next())
            return MarketState(rng: rng, spreadBps: base * (0.8 + 0.4 * rng.unit()))
        }
    }

    /// Routes joining the campaign: their processes start at `nowNs` from the listing's reference price, seeded
    /// by the campaign seed and the symbol (so a run and its resume generate the same books), first books now.
    public mutating func addRoutes(_ members: [UniverseMember], nowNs: Int64) throws(ConfigError) {
        for m in members {
            precondition(m.route.index == routes.count, "routes join at the next index")
            var master = Xoshiro256(seed: settings.seed ^ Self.fnv1a(m.route.key))
            routes.append(m.route)
            assets.append(Self.asset(m, startNs: nowNs, rng: Xoshiro256(seed: master.next())))
            markets.append(contentsOf: Self.marketStates(m, master: &master))
            layout = MarketLayout(routeCount: routes.count)
            for leg in Leg.allCases {
                let market = layout.market(route: m.route.index, leg: leg)
                heap.insert(Event(timeNs: nowNs, order: Int32(market), market: Int32(market)))
            }
        }
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return h
    }

    public var nextTimeNs: Int64? { heap.min?.timeNs }

    /// Every process and pending event: what a checkpoint needs to continue the same stream.
    struct State: Codable {
        var assets: [Asset]
        var fx: FxProcess
        var markets: [MarketState]
        var events: [Event]
    }

    public func checkpointState() throws -> [UInt8] {
        let state = State(assets: assets, fx: fx, markets: markets, events: heap.items.sorted())
        return Array(try JSONEncoder().encode(state))
    }

    /// The market of a checkpoint, continuing after its last event.
    public init(members: [UniverseMember], settings: Settings, state bytes: [UInt8]) throws {
        self.init(members: members, settings: settings)
        let state = try JSONDecoder().decode(State.self, from: Data(bytes))
        guard state.assets.count == assets.count, state.markets.count == markets.count else {
            throw StoreError(.invalidState, "checkpoint of \(state.assets.count) routes does not fit a market of \(assets.count)")
        }
        assets = state.assets
        fx = state.fx
        markets = state.markets
        heap = EventQueue(state.events)
    }

    public mutating func emit(into store: SnapshotStore) -> Int {
        // The event stays at the top until its successor replaces it: one sift instead of a removal and an insertion.
        let event = heap.min!
        let market = Int(event.market)
        let t = event.timeNs
        var state = markets[market]
        // The fx process moves only when a book that shows it is drawn (a KRW venue's and KRW-USDT): a geometric
        // walk taken in one step or in several has the same law, and USDT books skip a draw.
        let book = layout.route(ofMarket: market).map { (route: $0.route, venue: routes[$0.route].venues[$0.leg], leg: $0.leg) }
        if let book, !book.venue.isKRW {} else { evolveFx(to: t) }
        let fxRate = fx.rate
        if let (route, venue, leg) = book {
            evolve(route, to: t)
            let asset = assets[route]
            let noise = 1 + state.rng.gaussian() * Self.venueNoiseBps / 1e4
            let instrument = routes[route].instrument(leg)
            let mid: Double
            let priceUSD: Double
            if venue.isKRW {
                mid = asset.midUSD * fxRate * (1 + asset.premiumBps / 1e4) * noise
                priceUSD = mid / fxRate
            } else {
                mid = asset.midUSD * noise
                priceUSD = mid
            }
            let levels = venue.info.bookLevels
            store.write(market) { snap in
                Self.build(&snap, mid: mid, instrument: instrument, spreadBps: state.spreadBps, levels: levels,
                           unitsPerLevel: asset.depthUSD / priceUSD, rng: &state.rng)
                snap.exchangeTimeNs = t
                snap.receiveTimeNs = t
            }
        } else {
            store.write(market) { snap in
                Self.build(&snap, mid: fxRate, instrument: SyntheticListing.fxInstrument, spreadBps: state.spreadBps,
                           levels: 15, unitsPerLevel: 200_000, rng: &state.rng)
                snap.exchangeTimeNs = t
                snap.receiveTimeNs = t
            }
        }
        let interval = Int64(meanIntervalNs * (0.5 + state.rng.unit()))
        markets[market] = state
        heap.replaceMin(with: Event(timeNs: t + Swift.max(1, interval), order: event.order, market: event.market))
        return market
    }

    private mutating func evolve(_ i: Int, to t: Int64) {
        var a = assets[i]
        let dt = Double(t - a.lastNs) / 1e9
        guard dt > 0 else { return }
        let sigma = a.volPerSqrtSecond
        a.midUSD *= exp(sigma * dt.squareRoot() * a.rng.gaussian() - sigma * sigma * dt / 2)
        let decay = exp(-Self.reversion * dt)
        let spread = Self.premiumDeviation * (1 - decay * decay).squareRoot()
        a.premiumBps = a.meanBps + (a.premiumBps - a.meanBps) * decay + spread * a.rng.gaussian()
        if a.rng.unit() < 1 - exp(-Self.jumpRate * dt) {
            let size = Self.jumpRange.lowerBound + (Self.jumpRange.upperBound - Self.jumpRange.lowerBound) * a.rng.unit()
            a.premiumBps += a.rng.unit() < 0.5 ? size : -size
        }
        a.lastNs = t
        assets[i] = a
    }

    private mutating func evolveFx(to t: Int64) {
        let dt = Double(t - fx.lastNs) / 1e9
        guard dt > 0 else { return }
        let s = Self.fxVolPerSqrtSecond
        fx.rate *= exp(s * dt.squareRoot() * fx.rng.gaussian() - s * s * dt / 2)
        fx.lastNs = t
    }

    /// Writes a book around `mid` on the instrument's grid: best prices a jittered spread apart, then one level
    /// about every basis point, quantities random around `unitsPerLevel` and growing with depth.
    static func build(_ snap: inout BookSnapshot, mid: Double, instrument: Instrument, spreadBps: Double, levels: Int,
                      unitsPerLevel: Double, rng: inout Xoshiro256) {
        let tickRaw = instrument.tick.raw
        let tick = instrument.tick.double
        let stepRaw = instrument.step.raw
        let step = instrument.step.double
        let half = Swift.max(mid * spreadBps * (0.7 + 0.6 * rng.unit()) / 2e4, tick / 2)
        let bidTicks = Int64(((mid - half) / tick).rounded(.down))
        let askTicks = Swift.max(bidTicks + 1, Int64(((mid + half) / tick).rounded(.up)))
        let gap = Swift.max(1, Int64((mid * 1e-4 / tick).rounded()))
        snap.bids.removeAll()
        snap.asks.removeAll()
        // Steps per level, divided once: forty divisions a book were a good part of the synthetic market's time.
        let stepsPerLevel = unitsPerLevel / step
        for k in 0..<levels {
            let scale = stepsPerLevel * (1 + 0.15 * Double(k))
            // Both sides' sizes from one draw, 32 bits each: plenty for a quantity, half the generator's work.
            let draw = rng.next()
            let bidUnits = Swift.max(1, Int64(scale * (0.4 + 1.2 * (Double(draw >> 32) * 0x1.0p-32))))
            let askUnits = Swift.max(1, Int64(scale * (0.4 + 1.2 * (Double(draw & 0xFFFF_FFFF) * 0x1.0p-32))))
            let bid = (bidTicks - Int64(k) * gap) * tickRaw
            if bid > 0 { snap.bids.append(price: Fixed(raw: bid), quantity: Fixed(raw: bidUnits * stepRaw)) }
            snap.asks.append(price: Fixed(raw: (askTicks + Int64(k) * gap) * tickRaw), quantity: Fixed(raw: askUnits * stepRaw))
        }
    }
}
