import Foundation
import Testing
@testable import ArbCore

@Suite struct PerVenueTests {
    @Test func indexedByVenueAndEncodedAsTheArraysCheckpointsHeld() throws {
        var exposure = PerVenue(repeating: Fixed.zero)
        exposure[.binance] += Fixed(5)
        #expect(exposure[.upbit] == .zero && exposure[.binance] == Fixed(5))
        #expect(exposure.pairs.map(\.0) == Venue.allCases)
        // A checkpoint written when these were arrays reads back, and writes the same array.
        let legacy = #"["0","7"]"#
        let decoded = try JSONDecoder().decode(PerVenue<Fixed>.self, from: Data(legacy.utf8))
        #expect(decoded[.upbit] == .zero && decoded[.binance] == Fixed(7))
        #expect(String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self) == legacy)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PerVenue<Fixed>.self, from: Data(#"["0"]"#.utf8)) }
        #expect(PerVenue { $0.idPrefix }.map { $0 + "-" } == PerVenue { $0.idPrefix + "-" })
    }
}
