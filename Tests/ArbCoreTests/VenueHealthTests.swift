import ArbCore
import Testing

@Suite struct VenueHealthJudgeTests {
    static let silence: Int64 = 15_000_000_000

    func judged(wanted: Int = 2, open: Int = 2, closed: Int64 = 0, age: Int64? = 100_000_000,
                _ counts: (inout VenueHealth) -> Void = { _ in }) -> VenueHealth {
        var h = VenueHealth()
        counts(&h)
        h.judge(.init(connectionsWanted: wanted, connectionsOpen: open, allClosedNs: closed, dataAgeNs: age, silenceNs: Self.silence))
        return h
    }

    @Test func statesAndReasons() {
        #expect(judged(wanted: 0, age: nil).state == .idle)
        let fine = judged()
        #expect(fine.state == .healthy && fine.reason == nil && fine.dataAgeMs == 100)
        // A reconnect that takes milliseconds is not down; two seconds without any connection is.
        #expect(judged(open: 0, closed: 500_000_000).state == .degraded)
        let closed = judged(open: 0, closed: 2_500_000_000)
        #expect(closed.state == .down && closed.reason == "no connection open for 2.5 s (2 wanted)")
        let silent = judged(age: 16_040_000_000)
        #expect(silent.state == .down && silent.reason == "no book for 16.0 s")
        let both = judged(open: 0, closed: 3_000_000_000, age: 20_000_000_000)
        #expect(both.reason == "no connection open for 3.0 s (2 wanted); no book for 20.0 s")
        let noisy = judged { $0.reconnects = 2; $0.sequenceGaps = 1; $0.marketsWithoutBook = ["KRW-SOL"] }
        #expect(noisy.state == .degraded)
        #expect(noisy.reason == "2 reconnects in the last minute; 1 sequence gaps in the last minute; no book yet from KRW-SOL")
        #expect(judged { $0.restErrors = 1 }.reason == "1 failed REST calls in the last minute")
    }

    @Test func theBoardTellsTheEnginesWhichVenuesAreDown() {
        let board = VenueHealthBoard()
        var all = PerVenue<VenueHealth>(repeating: VenueHealth())
        all[.okx] = judged(age: 30_000_000_000)
        all[.bybit] = judged { $0.parseErrors = 3 }
        board.publish(all)
        #expect(board.isDown(.okx) && !board.isDown(.bybit) && !board.isDown(.upbit))
        #expect(board.health(.okx).reason == "no book for 30.0 s")
        all[.okx] = judged()
        board.publish(all)
        #expect(!board.isDown(.okx))
    }
}
