#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ArbCore
import CPrefetch
import Foundation

/// The embedded synthetic market (SPEC §3.2.1, §8): deterministic from `seed`.
///
/// Per base asset a random-walk USD mid and a mean-reverting KRW premium with occasional jumps, shared by every
/// venue that lists it; per market (each venue × symbol, and each KRW venue's `KRW-USDT`) its own noise, a
/// jittered spread scaled by the venue's (`VenueInfo.spreadScale`) and as many levels as the venue's feed gives,
/// on the instrument's tick and step grid. Upbit carries the premium and Binance the USD mid as they are; every
/// other venue adds its own deviation, a fast mean-reverting walk with occasional short-lived dislocations (KRW
/// venues a few bps around the premium, USDT venues a few bps around Binance), so routes between two venues of one
/// quote trade too. Each market updates `updatesPerSecond` times a second on average, at jittered intervals with
/// random phases, so updates never come in aligned bursts (except the initial snapshot of every market at the
/// start, as a feed's first message would be).
///
/// Processes evolve lazily to the time of each event, so the stream depends only on the seed and event order,
/// which is the same whichever driver pulls it.
public struct SyntheticMarket: ScheduledMarketSource, Sendable {
    public struct Settings: Sendable, Equatable {
        public var seed: UInt64
        public var updatesPerSecond: Double
        public var fxStart: Double
        public var startNs: Int64
        /// Whether to generate the `KRW-USDT` books (false with a fixed fx rate).
        public var includeFx: Bool
        /// The campaign's venues (each KRW venue gets a `KRW-USDT` book).
        public var venues: [Venue]

        public init(seed: UInt64, updatesPerSecond: Double, fxStart: Double, startNs: Int64, includeFx: Bool,
                    venues: [Venue] = [.upbit, .binance]) {
            self.seed = seed
            self.updatesPerSecond = updatesPerSecond
            self.fxStart = fxStart
            self.startNs = startNs
            self.includeFx = includeFx
            self.venues = venues
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

    /// A venue's own move away from the reference venue of its quote (Upbit's premium, Binance's mid), in bps.
    struct Deviation: Sendable, Codable, Equatable {
        var bps: Double
        var lastNs: Int64
        var rng: Xoshiro256
    }

    struct MarketState: Sendable, Codable, Equatable {
        var rng: Xoshiro256
        var spreadBps: Double
        /// Nil on the reference venues (their books keep the seed's draws) and on fx books.
        var deviation: Deviation?
    }

    struct Event: Comparable, Sendable, Codable {
        var timeNs: Int64
        /// Tie-break: the fx markets first, then by market index.
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
    // A non-reference venue's deviation: reversion (1/s), stationary deviation (bps) per quote, dislocations.
    static let deviationReversion = 1.0 / 8
    static let deviationBps = (krw: 8.0, usdt: 3.0)
    static let dislocationRate = 1.0 / 400
    static let dislocationRange = (krw: 50.0...120.0, usdt: 40.0...90.0)
    /// A KRW venue's `KRW-USDT` mid against the shared rate, at most this many bps away (fixed per venue and seed).
    static let fxOffsetBps = 4.0

    public private(set) var map: MarketMap
    public let settings: Settings
    private let meanIntervalNs: Double
    /// One per base asset, in order of first appearance.
    private var assets: [Asset]
    private var assetIndex: [String: Int] = [:]
    private var fx: FxProcess
    /// By market index.
    private var markets: [MarketState]
    /// By market index: what generating its book reads of it.
    private var shapes: [Shape] = []
    /// By market index: its shape's asset, apart from the shapes (8 KB at 2,001 markets, where the shapes take
    /// 128 KB): what a prefetch of the next emission reads first.
    private var assetOfMarket: [Int32] = []
    private var schedule = MarketSchedule([], meanIntervalNs: 1, markets: 0)

    /// A market over `members` (the resolved universe, in route order).
    public init(members: [UniverseMember], settings: Settings) {
        let map = MarketMap(venues: settings.venues, routes: members.map(\.route), includesFx: settings.includeFx)
        self.map = map
        self.settings = settings
        self.meanIntervalNs = 1e9 / settings.updatesPerSecond
        var master = Xoshiro256(seed: settings.seed)
        assets = []
        for m in members where assetIndex[m.route.base] == nil {
            assetIndex[m.route.base] = assets.count
            assets.append(Self.asset(m, startNs: settings.startNs, rng: Xoshiro256(seed: master.next())))
        }
        fx = FxProcess(rate: settings.fxStart, lastNs: settings.startNs, rng: Xoshiro256(seed: master.next()))
        let fxCount = map.count - map.routes.reduce(into: Set<Int>()) { $0.insert($1.a); $0.insert($1.b) }.count
        markets = []
        shapes = (0..<fxCount).map { Shape(SyntheticListing.fxInstrument, venue: map.keys[$0].venue, levels: 15, asset: -1) }
        assetOfMarket = shapes.map(\.asset)
        appendBooks(members, master: &master)
        // The fx markets' generators are drawn last but their books come first.
        let fxStates = (0..<fxCount).map { _ in MarketState(rng: Xoshiro256(seed: master.next()), spreadBps: 3) }
        markets.insert(contentsOf: fxStates, at: 0)
        let events = (0..<map.count).filter(map.isRead).map { market in
            let order = map.fxVenue(ofMarket: market) != nil ? Int32(market - fxCount) : Int32(market)
            return Event(timeNs: settings.startNs, order: order, market: Int32(market))
        }
        schedule = MarketSchedule(events, meanIntervalNs: meanIntervalNs, markets: events.count)
    }

    /// The generators of the members' book markets not made yet, drawn from `master` in market order, each from
    /// the first member that reads it.
    private mutating func appendBooks(_ members: [UniverseMember], master: inout Xoshiro256) {
        for m in members {
            for leg in Leg.allCases {
                let market = map.routes[m.route.index][leg]
                guard market == shapes.count else { continue }
                let venue = m.route.venues[leg]
                // The spread is drawn from a copy: the book's generator starts where the market's seed put it.
                let rng = Xoshiro256(seed: master.next())
                var draw = rng
                let spread = Self.spreadBase(m) * (0.8 + 0.4 * draw.unit()) * venue.info.spreadScale
                markets.append(MarketState(rng: rng, spreadBps: spread, deviation: deviation(venue, m.route.base)))
                shapes.append(Shape(m.route.instrument(leg), venue: venue, levels: venue.info.bookLevels,
                                    asset: Int32(assetIndex[m.route.base]!)))
                assetOfMarket.append(shapes[shapes.count - 1].asset)
            }
        }
    }

    static func asset(_ m: UniverseMember, startNs: Int64, rng: Xoshiro256) -> Asset {
        var rng = rng
        let mean = -10 + 40 * rng.unit()
        return Asset(
            midUSD: m.referencePriceUSD, premiumBps: mean + Self.premiumDeviation * rng.normal(),
            meanBps: mean, volPerSqrtSecond: 1.5e-4 + 1.5e-4 * rng.unit(),
            depthUSD: Swift.min(80_000, Swift.max(3_000, m.quoteVolumeUSD / 20_000)), lastNs: startNs, rng: rng)
    }

    /// The typical spread of a member's markets, in bps: wider for thinner assets.
    static func spreadBase(_ m: UniverseMember) -> Double {
        Swift.min(15, Swift.max(1, 3e4 / Swift.max(1, m.quoteVolumeUSD).squareRoot()))
    }

    /// A non-reference venue's deviation process for `base`, seeded by the campaign seed, venue and asset (so the
    /// reference venues' draws stay the seed's); nil on Upbit and Binance.
    private func deviation(_ venue: Venue, _ base: String) -> Deviation? {
        guard venue != .upbit && venue != .binance else { return nil }
        var rng = Xoshiro256(seed: settings.seed ^ Self.fnv1a(venue.rawValue + ":" + base))
        let sd = venue.isKRW ? Self.deviationBps.krw : Self.deviationBps.usdt
        return Deviation(bps: sd * rng.normal(), lastNs: settings.startNs, rng: rng)
    }

    /// A KRW venue's fx mid against the shared rate (Upbit's is the rate itself).
    private func fxFactor(_ venue: Venue) -> Double {
        guard venue != .upbit else { return 1 }
        var rng = Xoshiro256(seed: settings.seed ^ Self.fnv1a("fx:" + venue.rawValue))
        return 1 + Self.fxOffsetBps * (2 * rng.unit() - 1) / 1e4
    }

    /// Routes joining the campaign: their processes start at `nowNs` from the listing's reference price, seeded
    /// by the campaign seed and the route (so a run and its resume generate the same books), first books now.
    public mutating func addRoutes(_ members: [UniverseMember], nowNs: Int64) throws(ConfigError) {
        for m in members {
            var master = Xoshiro256(seed: settings.seed ^ Self.fnv1a(m.route.key))
            if assetIndex[m.route.base] == nil {
                assetIndex[m.route.base] = assets.count
                assets.append(Self.asset(m, startNs: nowNs, rng: Xoshiro256(seed: master.next())))
            }
            let added = map.add([m.route])
            appendBooks([m], master: &master)
            for market in added {
                schedule.insert(Event(timeNs: nowNs, order: Int32(market), market: Int32(market)))
            }
        }
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return h
    }

    public var nextTimeNs: Int64? { schedule.min?.timeNs }

    public var upcomingMarket: Int? { schedule.min.map { Int($0.market) } }

    /// From this many markets on, an emission has the next one's state and book fetched ahead (with fewer they stay
    /// in a core's caches).
    static let prefetchFrom = 128

    /// Every process and pending event: what a checkpoint needs to continue the same stream.
    struct State: Codable {
        var assets: [Asset]
        var fx: FxProcess
        var markets: [MarketState]
        var events: [Event]
    }

    public func checkpointState() throws -> [UInt8] {
        let state = State(assets: assets, fx: fx, markets: markets, events: schedule.items.sorted())
        return Array(try JSONEncoder().encode(state))
    }

    /// The market of a checkpoint, continuing after its last event.
    public init(members: [UniverseMember], settings: Settings, state bytes: [UInt8]) throws {
        self.init(members: members, settings: settings)
        let state = try JSONDecoder().decode(State.self, from: Data(bytes))
        guard state.assets.count == assets.count, state.markets.count == markets.count else {
            throw StoreError(.invalidState, "checkpoint of \(state.assets.count) assets and \(state.markets.count) markets does not fit a market of \(assets.count) and \(markets.count)")
        }
        assets = state.assets
        fx = state.fx
        markets = state.markets
        schedule = MarketSchedule(state.events, meanIntervalNs: meanIntervalNs, markets: state.events.count)
    }

    public mutating func emit(into store: SnapshotStore) -> Int {
        // The event stays pending until its successor replaces it.
        let event = schedule.min!
        let market = Int(event.market)
        let t = event.timeNs
        let shape = shapes[market]
        let venue = shape.venue, krw = shape.isKRW, levels = shape.levels, instrument = shape.instrument
        // The fx process moves only when a book that shows it is drawn (a KRW venue's and KRW-USDT): a geometric
        // walk taken in one step or in several has the same law, and USDT books skip a draw.
        if krw { evolveFx(to: t) }
        let fxRate = fx.rate
        let assetIndex = Int(shape.asset)
        let asset = assetIndex >= 0 ? evolve(assetIndex, to: t) : nil
        let meanIntervalNs = self.meanIntervalNs
        let fxMid = assetIndex >= 0 || venue == .upbit ? fxRate : fxRate * fxFactor(venue)
        // The market's state changed where it lies: copied out and back it was a tenth of the synthetic market's
        // time (130 bytes at odd offsets, each way).
        let interval = markets.withUnsafeMutableBufferPointer { states -> Int64 in
            let state = states.baseAddress! + market
            // A `KRW-USDT` book sits around the rate; an asset's around its processes' price, on the venue's levels.
            var mid = fxMid, unitsPerLevel = 200_000.0
            if let asset {
                let noise = 1 + state.pointee.rng.normal() * (Self.venueNoiseBps * 1e-4)
                if let d = state.pointee.deviation { state.pointee.deviation = Self.evolve(d, krw: krw, to: t) }
                let deviationBps = state.pointee.deviation?.bps
                let priceUSD: Double
                if krw {
                    let premium = deviationBps.map { asset.premiumBps + $0 } ?? asset.premiumBps
                    priceUSD = asset.midUSD * (1 + premium * 1e-4) * noise
                    mid = priceUSD * fxRate
                } else {
                    mid = deviationBps.map { asset.midUSD * (1 + $0 * 1e-4) * noise } ?? asset.midUSD * noise
                    priceUSD = mid
                }
                unitsPerLevel = asset.depthUSD / priceUSD
            }
            store.write(market) { snap in
                Self.build(&snap, mid: mid, instrument: instrument, spreadBps: state.pointee.spreadBps, levels: levels,
                           unitsPerLevel: unitsPerLevel, rng: &state.pointee.rng)
                snap.exchangeTimeNs = t
                snap.receiveTimeNs = t
            }
            return Int64(meanIntervalNs * (0.5 + state.pointee.rng.unit()))
        }
        schedule.replaceMin(with: Event(timeNs: t + Swift.max(1, interval), order: event.order, market: event.market))
        if markets.count >= Self.prefetchFrom, let next = schedule.min { prefetchEmission(of: Int(next.market), store) }
        return market
    }

    /// Has the CPU fetch what emitting `market` reads and writes: its state, its asset's processes and its book's
    /// best levels, counts, times and top (at 1,000 routes each a cache miss an event later). Mutating, so self is
    /// not copied for the call.
    private mutating func prefetchEmission(of market: Int, _ store: SnapshotStore) {
        markets.withUnsafeBufferPointer { states in
            let state = UnsafeRawPointer(states.baseAddress! + market)
            arb_prefetch(state)
            arb_prefetch(state + MemoryLayout<MarketState>.size - 1)
        }
        shapes.withUnsafeBufferPointer { shapes in
            let shape = UnsafeRawPointer(shapes.baseAddress! + market)
            arb_prefetch(shape)
            arb_prefetch(shape + MemoryLayout<Shape>.size - 1)
        }
        let asset = Int(assetOfMarket[market])
        if asset >= 0 {
            assets.withUnsafeBufferPointer { assets in
                let a = UnsafeRawPointer(assets.baseAddress! + asset)
                arb_prefetch(a)
                arb_prefetch(a + MemoryLayout<Asset>.size - 1)
            }
        }
        let book = store.bookAddress(market)
        let bids = MemoryLayout<BookSnapshot>.offset(of: \.bids)!, asks = MemoryLayout<BookSnapshot>.offset(of: \.asks)!
        let quantities = MemoryLayout<BookSide>.offset(of: \.quantities)!, count = MemoryLayout<BookSide>.offset(of: \.count)!
        arb_prefetch(book + bids)
        arb_prefetch(book + bids + quantities)
        arb_prefetch(book + bids + count)
        arb_prefetch(book + asks)
        arb_prefetch(book + asks + quantities)
        arb_prefetch(book + asks + count)
        arb_prefetch(book + MemoryLayout<BookSnapshot>.offset(of: \.pending)!)
        arb_prefetch(store.topLine(market))
    }

    /// A deviation moved to `t`: mean reversion to zero, noise, and now and then a dislocation.
    static func evolve(_ d: Deviation, krw: Bool, to t: Int64) -> Deviation {
        var d = d
        let dt = Double(t - d.lastNs) * 1e-9
        guard dt > 0 else { return d }
        let decay = Self.exp(-deviationReversion * dt)
        let sd = krw ? deviationBps.krw : deviationBps.usdt
        d.bps = d.bps * decay + sd * (1 - decay * decay).squareRoot() * d.rng.normal()
        if d.rng.unit() < 1 - Self.exp(-dislocationRate * dt) {
            let range = krw ? dislocationRange.krw : dislocationRange.usdt
            let size = range.lowerBound + (range.upperBound - range.lowerBound) * d.rng.unit()
            d.bps += d.rng.unit() < 0.5 ? size : -size
        }
        d.lastNs = t
        return d
    }

    /// Moves asset `i`'s processes to `t`; its mid, premium and depth. Handed back from registers: read back from
    /// the memory just written, the book waited on those stores.
    private mutating func evolve(_ i: Int, to t: Int64) -> (midUSD: Double, premiumBps: Double, depthUSD: Double) {
        assets.withUnsafeMutableBufferPointer { assets in
            let a = assets.baseAddress! + i
            let dt = Double(t - a.pointee.lastNs) * 1e-9
            guard dt > 0 else { return (a.pointee.midUSD, a.pointee.premiumBps, a.pointee.depthUSD) }
            let sigma = a.pointee.volPerSqrtSecond
            let mid = a.pointee.midUSD * Self.exp(sigma * dt.squareRoot() * a.pointee.rng.normal() - sigma * sigma * dt / 2)
            let decay = Self.exp(-Self.reversion * dt)
            let spread = Self.premiumDeviation * (1 - decay * decay).squareRoot()
            let mean = a.pointee.meanBps
            var premium = mean + (a.pointee.premiumBps - mean) * decay + spread * a.pointee.rng.normal()
            // The jump rate is the reversion rate: the chance of no jump in `dt` is the decay already computed.
            let noJump = Self.jumpRate == Self.reversion ? decay : Self.exp(-Self.jumpRate * dt)
            if a.pointee.rng.unit() < 1 - noJump {
                let size = Self.jumpRange.lowerBound + (Self.jumpRange.upperBound - Self.jumpRange.lowerBound) * a.pointee.rng.unit()
                premium += a.pointee.rng.unit() < 0.5 ? size : -size
            }
            a.pointee.midUSD = mid
            a.pointee.premiumBps = premium
            a.pointee.lastNs = t
            return (mid, premium, a.pointee.depthUSD)
        }
    }

    /// e^x by its series to x^7 where |x| < 1/64 (the error, under 1e-19, is below a double's rounding), libm's
    /// `exp` beyond: the processes' steps are small, and two or three libm calls a book were a twentieth of the
    /// synthetic market's time.
    @inline(__always)
    static func exp(_ x: Double) -> Double {
        guard abs(x) < 0x1p-6 else { return Foundation.exp(x) }
        return 1 + x * (1 + x * (0.5 + x * (1.0 / 6 + x * (1.0 / 24 + x * (1.0 / 120 + x * (1.0 / 720 + x * (1.0 / 5040)))))))
    }

    private mutating func evolveFx(to t: Int64) {
        let dt = Double(t - fx.lastNs) * 1e-9
        guard dt > 0 else { return }
        let s = Self.fxVolPerSqrtSecond
        fx.rate *= Self.exp(s * dt.squareRoot() * fx.rng.normal() - s * s * dt / 2)
        fx.lastNs = t
    }
}
