@testable import ArbMarketData
import Testing

@Suite struct MarketScheduleTests {
    typealias Event = SyntheticMarket.Event

    /// A schedule checked against every pending event looked at whole, step by step.
    struct Checked {
        var schedule: MarketSchedule
        var pending: [Int32: Event] = [:]

        init(_ events: [Event], meanIntervalNs: Double, markets: Int, ringFrom: Int = 0) {
            schedule = MarketSchedule(events, meanIntervalNs: meanIntervalNs, markets: markets, ringFrom: ringFrom)
            for e in events { pending[e.market] = e }
        }

        var expected: Event? { pending.values.min() }

        mutating func replaceMin(timeNs: Int64) {
            let earliest = expected!
            let next = Event(timeNs: timeNs, order: earliest.order, market: earliest.market)
            schedule.replaceMin(with: next)
            pending[earliest.market] = next
        }

        mutating func insert(_ event: Event) {
            schedule.insert(event)
            pending[event.market] = event
        }

        func agrees() -> Bool {
            schedule.min == expected && schedule.count == pending.count
                && schedule.items.sorted() == pending.values.sorted()
        }

        /// Runs `steps` changes (`change` gets the step and the earliest event's time), checking the earliest event
        /// after each and the whole pending set every `wholeEvery` steps; the number of disagreements.
        mutating func run(_ steps: Int, wholeEvery: Int, _ change: (inout Checked, Int, Int64) -> Void) -> Int {
            var disagreements = 0
            for step in 0..<steps {
                change(&self, step, expected!.timeNs)
                if schedule.min != expected { disagreements += 1 }
                if step % wholeEvery == 0 && !agrees() { disagreements += 1 }
            }
            return disagreements
        }
    }

    struct Draws {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    }

    /// The synthetic market's pattern: every market at the start instant, then each next book 0.5–1.5 mean
    /// intervals after its last; the same earliest event as the whole set at every step, at 1 to 2,001 markets,
    /// in the ring and in the heap that small schedules keep alone.
    @Test(arguments: [1, 2, 3, 41, 64, 401, 2_001], [0, 64])
    func yieldsTheEarliestEventAsTheMarketEmits(markets: Int, ringFrom: Int) {
        let mean = 1e8
        let start: Int64 = 1_767_225_600_000_000_000
        var draws = Draws(state: 0x9E37_79B9_7F4A_7C15 ^ UInt64(markets))
        var s = Checked((0..<markets).map { Event(timeNs: start, order: Int32(markets - 1 - $0), market: Int32($0)) },
                        meanIntervalNs: mean, markets: markets, ringFrom: ringFrom)
        #expect(s.agrees())
        let disagreements = s.run(20_000, wholeEvery: 997) { s, _, t in
            s.replaceMin(timeNs: t + Swift.max(1, Int64(mean * (0.5 + draws.unit()))))
        }
        #expect(disagreements == 0)
        #expect(s.agrees())
    }

    /// Events outside the window (markets joining before the window's start, books far ahead, ties at one
    /// instant, a checkpoint's events spread wide) are kept beside it and still come out in order.
    @Test func eventsOutsideTheWindowComeOutInOrder() {
        let mean = 1e6
        var draws = Draws(state: 42)
        // A checkpoint's events: spread over a hundred mean intervals, wider than the window.
        let spread = (0..<50).map { Event(timeNs: Int64(draws.unit() * 100 * mean), order: Int32($0), market: Int32($0)) }
        var s = Checked(spread, meanIntervalNs: mean, markets: 50)
        #expect(s.agrees())
        var nextMarket: Int32 = 50
        let disagreements = s.run(30_000, wholeEvery: 1_009) { s, step, t in
            switch step % 10 {
            case 3 where nextMarket < 400:
                // A join now: at the current instant, possibly before the window's start.
                s.insert(Event(timeNs: t, order: nextMarket, market: nextMarket))
                nextMarket += 1
            case 7:
                // Far ahead of the window.
                s.replaceMin(timeNs: t + Int64(mean * (5 + 20 * draws.unit())))
            case 8:
                // A tie with the earliest.
                s.replaceMin(timeNs: t)
            default:
                s.replaceMin(timeNs: t + Swift.max(1, Int64(mean * (0.5 + draws.unit()))))
            }
        }
        #expect(disagreements == 0)
        #expect(s.agrees())
    }

    /// A copy of a schedule (a copy of the market) changes apart from the original.
    @Test func aCopyChangesApart() {
        var a = MarketSchedule((0..<8).map { Event(timeNs: Int64($0) * 10, order: Int32($0), market: Int32($0)) },
                               meanIntervalNs: 100, markets: 8, ringFrom: 0)
        let before = a.items.sorted()
        var b = a
        b.replaceMin(with: Event(timeNs: 95, order: 0, market: 0))
        b.insert(Event(timeNs: 50, order: 8, market: 8))
        #expect(a.items.sorted() == before && a.min == Event(timeNs: 0, order: 0, market: 0))
        #expect(b.count == 9 && b.min == Event(timeNs: 10, order: 1, market: 1))
        a.replaceMin(with: Event(timeNs: 71, order: 0, market: 0))
        #expect(a.min == Event(timeNs: 10, order: 1, market: 1) && a.count == 8)
        #expect(b.items.sorted().last == Event(timeNs: 95, order: 0, market: 0))
    }

    /// An empty schedule, and one that empties of ring events while the far ones remain.
    @Test func emptyAndFarOnly() {
        var empty = MarketSchedule([], meanIntervalNs: 1e8, markets: 0, ringFrom: 0)
        #expect(empty.min == nil && empty.count == 0 && empty.items.isEmpty)
        empty.insert(Event(timeNs: 5, order: 0, market: 0))
        #expect(empty.min == Event(timeNs: 5, order: 0, market: 0))
        var s = Checked([Event(timeNs: 0, order: 0, market: 0), Event(timeNs: 1_000_000_000_000, order: 1, market: 1)],
                        meanIntervalNs: 1e3, markets: 2)
        for _ in 0..<5 { s.replaceMin(timeNs: s.expected!.timeNs + 2_000_000_000_000) }
        #expect(s.agrees())
    }
}
