import Foundation
import Testing
@testable import ArbCore

@Suite struct PerVenueTests {
    @Test func indexedByVenueAndEncodedAsTheArraysCheckpointsHeld() throws {
        var exposure = PerVenue(repeating: Fixed.zero)
        exposure[.binance] += Fixed(5)
        #expect(exposure[.upbit] == .zero && exposure[.binance] == Fixed(5))
        #expect(exposure.pairs.map(\.0) == Venue.allCases)
        // A checkpoint of the two-venue release reads back, the later venues empty, and writes every venue.
        let legacy = #"["0","7"]"#
        let decoded = try JSONDecoder().decode(PerVenue<Fixed>.self, from: Data(legacy.utf8))
        #expect(decoded[.upbit] == .zero && decoded[.binance] == Fixed(7) && decoded[.bybit] == .zero)
        #expect(String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self) == #"["0","7","0","0","0"]"#)
        #expect(try JSONDecoder().decode(PerVenue<Fixed>.self, from: try JSONEncoder().encode(decoded)) == decoded)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PerVenue<Fixed>.self, from: Data(#"["0"]"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PerVenue<Fixed>.self, from: Data(#"["0","0","0","0","0","0"]"#.utf8)) }
        let accounts = try JSONDecoder().decode(PerVenue<Account>.self, from: try JSONEncoder().encode([Account(venue: .upbit, initial: ["KRW": Fixed(5)])]
                                                                                                     + [Account(venue: .binance, initial: [:])]))
        #expect(accounts[.okx] == Account(venue: .okx, initial: [:]) && accounts[.upbit].balance("KRW") == Fixed(5))
        #expect(PerVenue { $0.idPrefix }.map { $0 + "-" } == PerVenue { $0.idPrefix + "-" })
    }
}

@Suite struct VenueRegistryTests {
    @Test func venuesAreDataWithTheirNamingAndQuote() throws {
        #expect(Venue.allCases.map(\.rawValue) == ["upbit", "binance", "bithumb", "okx", "bybit"])
        #expect(Venue.allCases.map(\.index) == [0, 1, 2, 3, 4])
        #expect(Venue.allCases.filter(\.isKRW) == [.upbit, .bithumb])
        #expect(Venue.allCases.map { $0.info.market(base: "BTC") } == ["KRW-BTC", "BTCUSDT", "KRW-BTC", "BTC-USDT", "BTCUSDT"])
        #expect(Venue.allCases.map { $0.info.base(ofMarket: $0.info.market(base: "DOGE")) } == Array(repeating: "DOGE", count: 5))
        #expect(Venue.okx.info.base(ofMarket: "BTCUSDT") == nil && Venue.upbit.info.base(ofMarket: "KRW-") == nil)
        #expect(Venue.upbit.info.fxMarket == "KRW-USDT" && Venue.bithumb.info.fxMarket == "KRW-USDT" && Venue.okx.info.fxMarket == nil)
        #expect(Set(Venue.allCases.map(\.idPrefix)).count == 5)
        #expect(Venue(rawValue: "okx") == .okx && Venue(rawValue: "okex") == nil)
        // On the wire a venue is its name, as the enumeration was.
        #expect(String(decoding: try JSONEncoder().encode([Venue.bithumb]), as: UTF8.self) == #"["bithumb"]"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Venue].self, from: Data(#"["kraken"]"#.utf8)) }
    }

    @Test func routeKeysCarryTheirPairUnlessItIsTheSeeds() throws {
        #expect(Route.key(base: "BTC", venues: Route.seedPair) == "BTCUSDT")
        #expect(Route.key(base: "BTC", venues: PerLeg(a: .bithumb, b: .okx)) == "BTCUSDT@bithumb-okx")
        let inst = Instrument(tick: Fixed(1), step: Fixed(1), minNotional: Fixed(1))
        let route = Route(index: 0, key: "BTCUSDT@bithumb-okx", base: "BTC", venues: PerLeg(a: .bithumb, b: .okx),
                          instruments: PerLeg(repeating: inst))
        #expect(route.market(.a) == "KRW-BTC" && route.market(.b) == "BTC-USDT" && route.crossQuote)
        #expect(route.leg(on: .okx) == .b && route.leg(on: .upbit) == nil)
        #expect(try JSONDecoder().decode(Route.self, from: try JSONEncoder().encode(route)) == route)
        // A route of the two-venue release's checkpoints reads as the seed's pair.
        let legacy = #"{"index":3,"key":"ETHUSDT","base":"ETH","upbit":{"tick":"1000","step":"0.00000001","minNotional":"5000"},"binance":{"tick":"0.01","step":"0.0001","minNotional":"5"}}"#
        let old = try JSONDecoder().decode(Route.self, from: Data(legacy.utf8))
        #expect(old.venues == Route.seedPair && old.instruments.a.tick == Fixed(1000) && old.instruments.b.step == Fixed("0.0001"))
    }
}
