import Foundation
import Testing
import ArbCore
@testable import ArbMarketData

@Suite struct SyntheticMarketTests {
    static let start = UTCTime.parse("2026-01-01T00:00:00Z")!

    func members(_ n: Int, symbolCount: Int = 0) throws -> [UniverseMember] {
        let c = try CampaignConfig.parse(["universe": ["top_n": .int(Int64(n))], "engine": ["mode": "multi", "multi_symbol_enabled": true]])
        return try UniverseResolver.resolve(c.universe, engine: c.engine, listing: SyntheticListing.listing(symbolCount: symbolCount))
    }

    func market(_ members: [UniverseMember], seed: UInt64 = 1, ups: Double = 10) -> SyntheticMarket {
        SyntheticMarket(members: members, settings: .init(seed: seed, updatesPerSecond: ups, fxStart: 1400, startNs: Self.start, includeFx: true))
    }

    /// Runs a market for `seconds` and returns every emitted (time, market, best bid, best ask).
    func trace(_ m: inout SyntheticMarket, store: SnapshotStore, seconds: Double) -> [(Int64, Int, Int64, Int64)] {
        var out: [(Int64, Int, Int64, Int64)] = []
        while let t = m.nextTimeNs, t < Self.start + Int64(seconds * 1e9) {
            let i = m.emit(into: store)
            let s = store.read(i)
            out.append((t, i, s.bids.prices[0], s.asks.prices[0]))
        }
        return out
    }

    @Test func topTenIsStableAndHasNoStablecoin() throws {
        let keys = try members(10).map(\.route.key)
        #expect(keys == ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "DOGEUSDT", "SUIUSDT", "ADAUSDT", "PEPEUSDT",
                         "TRXUSDT", "LINKUSDT"])
        #expect(keys.allSatisfy { !UniverseResolver.isStablecoin($0) })
    }

    @Test func symbolCountExtendsTheListing() throws {
        #expect(SyntheticListing.listing(symbolCount: 1000).count == 1000)
        #expect(try members(1000, symbolCount: 1100).count == 1000)
        #expect(SyntheticListing.listing(symbolCount: 0) == SyntheticListing.realistic)
        #expect(SyntheticListing.listing(symbolCount: 1000) == SyntheticListing.listing(symbolCount: 1000))
    }

    @Test func sameSeedSameStreamOtherSeedOtherPrices() throws {
        let m = try members(5)
        var a = market(m), b = market(m), c = market(m, seed: 2)
        let ta = trace(&a, store: SnapshotStore(marketCount: 11), seconds: 30)
        let tb = trace(&b, store: SnapshotStore(marketCount: 11), seconds: 30)
        let tc = trace(&c, store: SnapshotStore(marketCount: 11), seconds: 30)
        let same = ta.elementsEqual(tb) { x, y in x == y }
        let samePrices = ta.elementsEqual(tc) { (x: (Int64, Int, Int64, Int64), y: (Int64, Int, Int64, Int64)) -> Bool in
            x.2 == y.2 && x.3 == y.3
        }
        #expect(same)
        #expect(!samePrices)
    }

    /// The next event's market, as a driver asks it to fetch that market's reader ahead, is the market the next
    /// emission writes, at a size that fetches ahead (401 markets) and one that does not, and after routes join.
    @Test func theUpcomingMarketIsTheOneEmittedNext() throws {
        for n in [5, 200] {
            var all = try members(n + 20, symbolCount: n + 40)
            let joining = Array(all.suffix(20))
            all.removeLast(20)
            var m = market(all)
            let store = SnapshotStore(marketCount: 2 * (n + 20) + 1)
            var emitted = 0
            for step in 0..<(40 * n) {
                if step == 20 * n { try m.addRoutes(joining, nowNs: m.nextTimeNs!) }
                let upcoming = m.upcomingMarket
                #expect(upcoming != nil)
                guard upcoming == m.emit(into: store) else {
                    Issue.record("step \(step) at \(n) routes: the upcoming market was not the one emitted")
                    break
                }
                emitted += 1
            }
            #expect(emitted == 40 * n)
        }
    }

    @Test func booksAreRealisticOnTheGrid() throws {
        let m = try members(10)
        var market = market(m)
        let store = SnapshotStore(marketCount: 21)
        let layout = MarketMap(venues: [.upbit, .binance], routes: m.map(\.route))
        _ = trace(&market, store: store, seconds: 60)
        for route in m.map(\.route) {
            for leg in Leg.allCases {
                let s = store.read(layout.routes[route.index][leg])
                let inst = route.instrument(leg)
                #expect(s.bids.count >= 15 && s.asks.count >= 15)
                #expect(s.bids.prices[0] < s.asks.prices[0])
                for i in 0..<s.bids.count {
                    #expect(s.bids.prices[i] % inst.tick.raw == 0 && s.bids.quantities[i] % inst.step.raw == 0)
                    #expect(s.bids.quantities[i] > 0)
                    if i > 0 { #expect(s.bids.prices[i] < s.bids.prices[i - 1]) }
                }
                for i in 1..<s.asks.count { #expect(s.asks.prices[i] > s.asks.prices[i - 1]) }
            }
        }
        let fxBook = store.read(layout.fxMarkets[.upbit]!)
        #expect(abs(fxBook.mid - 1400) < 20)
    }

    @Test func updateRateIsPerMarketAndJittered() throws {
        let m = try members(10)
        var market = market(m, ups: 10)
        let t = trace(&market, store: SnapshotStore(marketCount: 21), seconds: 100)
        let afterStart = t.filter { $0.0 > Self.start }
        // 21 markets × 10/s × 100 s, give or take the jitter.
        #expect(abs(Double(afterStart.count) - 21_000) < 600)
        // No aligned bursts: after the initial snapshots, hardly any two updates share a timestamp.
        let distinct = Set(afterStart.map(\.0)).count
        #expect(Double(distinct) / Double(afterStart.count) > 0.99)
        // Premiums move: both directions of the premium appear on some route over 100 s.
        let store = SnapshotStore(marketCount: 21)
        var again = self.market(m)
        var signs = Set<Bool>()
        while let time = again.nextTimeNs, time < Self.start + 100_000_000_000 {
            _ = again.emit(into: store)
            let a = store.read(1), b = store.read(2), f = store.read(0)
            if !a.isEmpty && !b.isEmpty && !f.isEmpty { signs.insert(Edge.premium(midA: a.mid, midB: b.mid, fx: f.mid) > 0) }
        }
        #expect(signs.count == 2)
    }

    @Test func storeStampsSequencesPerMarket() {
        let store = SnapshotStore(marketCount: 2)
        #expect(store.read(0).sequence == 0)
        #expect(store.write(0) { $0.receiveTimeNs = 5 } == 1)
        #expect(store.write(0) { $0.receiveTimeNs = 6 } == 2)
        #expect(store.read(0).sequence == 2 && store.read(0).receiveTimeNs == 6)
        #expect(store.sequence(1) == 0)
    }

    /// The processes' e^x: within two units in the last place of libm's over the series' range, libm's beyond.
    @Test func theSeriesExpAgreesWithLibm() {
        var worst = 0.0
        for i in -4_000...4_000 {
            let x = Double(i) / 4_000 * 0x1p-6 * 0.999_999
            let relative = abs(SyntheticMarket.exp(x) - Foundation.exp(x)) / Foundation.exp(x)
            worst = max(worst, relative)
        }
        #expect(worst <= 2 * Double.ulpOfOne, "relative error \(worst)")
        for x in [0x1p-6, -0x1p-6, 0.5, -3, 20] { #expect(SyntheticMarket.exp(x) == Foundation.exp(x)) }
    }

    /// A book's levels under its top come from its own seed: read whole at once or after the market moved on,
    /// the same book.
    @Test func aBookReadLateHasTheLevelsItWasWrittenWith() throws {
        var market = self.market(try self.members(3), seed: 9)
        let early = SnapshotStore(marketCount: market.map.count), late = SnapshotStore(marketCount: market.map.count)
        var copy = market
        var wholeAtOnce: [Int: BookSnapshot] = [:]
        for _ in 0..<200 {
            let m = market.emit(into: early)
            wholeAtOnce[m] = early.read(m)
            _ = copy.emit(into: late)
        }
        for (m, book) in wholeAtOnce where late.sequence(m) == book.sequence {
            let read = late.read(m)
            #expect(read.bids.count == book.bids.count && read.asks.count == book.asks.count)
            #expect(read.bids.count > 1 && read.asks.count > 1)
            for i in 0..<read.bids.count { #expect(read.bids.prices[i] == book.bids.prices[i] && read.bids.quantities[i] == book.bids.quantities[i]) }
            for i in 0..<read.asks.count { #expect(read.asks.prices[i] == book.asks.prices[i] && read.asks.quantities[i] == book.asks.quantities[i]) }
        }
    }
}


@Suite struct SyntheticListingTests {
    /// Five venues, not every asset on every venue, each venue's rules in its own form.
    @Test func theListingCarriesEveryVenueWithItsRules() throws {
        let listing = Dictionary(uniqueKeysWithValues: SyntheticListing.realistic.map { ($0.base, $0) })
        let btc = try #require(listing["BTC"])
        #expect(Venue.allCases.allSatisfy { btc.instruments[$0] != nil })
        #expect(btc.instruments[.bithumb] == btc.instruments[.upbit])
        #expect(btc.instruments[.okx]?.step == Fixed("0.000001") && btc.instruments[.okx]?.minNotional == Fixed(1))
        #expect(btc.instruments[.bybit]?.minNotional == Fixed(5) && btc.instruments[.bybit]?.tick == btc.instruments[.binance]?.tick)
        #expect(btc.usdtVolumes[.binance] == 1_500e6 && btc.usdtVolumes[.okx] == 525e6 && btc.usdtVolumes[.bybit] == 450e6)
        #expect(btc.usdtVolumes[.upbit] == 0 && btc.usdtVolumes[.bithumb] == 0)
        #expect(listing["SEI"]?.instruments[.bithumb] == nil && listing["SEI"]?.instruments[.okx] == nil)
        #expect(listing["LTC"]?.instruments[.bithumb] != nil && listing["LTC"]?.instruments[.upbit] == nil)
        #expect(listing["IMX"]?.instruments[.bybit] == nil && listing["BORA"]?.instruments[.bithumb] != nil)
        // Generated symbols trade everywhere.
        let syn = try #require(SyntheticListing.listing(symbolCount: 41).last)
        #expect(syn.base == "SYN0001" && Venue.allCases.allSatisfy { syn.instruments[$0] != nil })
    }

    /// `TOP_N` ranks by the 24h volume summed over the pairs' USDT venues; KRW volume does not count.
    @Test func topNRanksBySummedUSDTVolume() throws {
        let config = try CampaignConfig.parse(["universe": ["top_n": 3], "engine": ["mode": "multi", "multi_symbol_enabled": true]])
        let listing = SyntheticListing.realistic
        let seed = try UniverseResolver.resolve(config.universe, engine: config.engine, listing: listing)
        #expect(seed.map(\.route.key) == ["BTCUSDT", "ETHUSDT", "SOLUSDT"] && seed[0].quoteVolumeUSD == 1_500e6)
        let okxBybit = try UniverseResolver.resolve(config.universe, engine: config.engine, listing: listing,
                                                    pairs: [PerLeg(a: .okx, b: .bybit)])
        #expect(okxBybit.map(\.route.key) == ["BTCUSDT@okx-bybit", "ETHUSDT@okx-bybit", "SOLUSDT@okx-bybit"])
        #expect(okxBybit[0].quoteVolumeUSD == 525e6 + 450e6)
    }
}
