import Dispatch
import Foundation
import Synchronization
import Testing
@testable import ArbCore

/// The store's lock-free reads: a top or a fx quote read while another thread writes is always one whole write,
/// never half of one and half of the next.
@Suite(.serialized) struct SnapshotStoreTests {
    /// Book `n`: every field of its top follows from `n`, so a torn read shows as a mismatch.
    static func write(_ store: SnapshotStore, market: Int, _ n: Int64) {
        store.write(market) { b in
            b.bids.removeAll()
            b.asks.removeAll()
            b.bids.append(price: Fixed(raw: n * 100), quantity: Fixed(raw: n * 3))
            b.asks.append(price: Fixed(raw: n * 100 + 1), quantity: Fixed(raw: n * 5))
            b.exchangeTimeNs = n
            b.receiveTimeNs = n
        }
    }

    /// Tops read on one thread while another writes 300,000 books (the writer's thread also reading them whole,
    /// as a simulated campaign's does): each top is one book's, and the sequence never goes back.
    @Test(arguments: [true, false]) func topsReadDuringWritesAreWholeBooks(oneThread: Bool) {
        let store = SnapshotStore(marketCount: 2, oneThread: oneThread)
        let done = Atomic<Bool>(false)
        let writes: Int64 = 300_000
        let writer = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            for n in 1...writes {
                Self.write(store, market: 0, n)
                if n % 7 == 0 { _ = store.read(0) }
            }
            done.store(true, ordering: .releasing)
            writer.signal()
        }
        var reads = 0, torn = 0, backwards = 0
        var last: UInt64 = 0
        while !done.load(ordering: .acquiring) || reads == 0 {
            let top = store.top(0)
            reads += 1
            guard top.sequence > 0 else { continue }
            let n = top.receiveTimeNs
            if top.bid != n * 100 || top.ask != n * 100 + 1 || top.bidQuantity != n * 3 || top.askQuantity != n * 5
                || top.sequence != UInt64(n) { torn += 1 }
            if top.sequence < last { backwards += 1 }
            last = top.sequence
        }
        writer.wait()
        #expect(torn == 0, "\(torn) of \(reads) tops mixed two books")
        #expect(backwards == 0)
        #expect(store.sequence(0) == UInt64(writes))
        #expect(store.top(0).bid == writes * 100)
    }

    /// Two threads taking the same two books whole in opposite orders (the realtime driver's route tasks) neither
    /// wait on each other forever nor see a book mid-write.
    @Test func sharedStoreReadersOfTwoBooksNeverDeadlock() {
        let store = SnapshotStore(marketCount: 2)
        Self.write(store, market: 0, 1)
        Self.write(store, market: 1, 1)
        let group = DispatchGroup()
        let bad = Atomic<Int>(0)
        for (a, b) in [(0, 1), (1, 0)] {
            group.enter()
            Thread.detachNewThread {
                for n in 2...20_000 as ClosedRange<Int64> {
                    Self.write(store, market: a, n)
                    let ok = store.withSnapshots(a, b) { x, y in
                        x.pointee.bids.prices[0] == x.pointee.receiveTimeNs * 100
                            && y.pointee.bids.prices[0] == y.pointee.receiveTimeNs * 100
                    }
                    if !ok { bad.add(1, ordering: .relaxed) }
                }
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(bad.load(ordering: .relaxed) == 0)
    }

    /// The top kept beside each book follows every change of it: a write, a side emptied, a restore, and the levels
    /// under a generated top written when the book is read whole (the top stays). Each slot is one cache line.
    @Test func theKeptTopFollowsEveryChangeOfItsBook() {
        #expect(MemoryLayout<TopSlot>.stride == 64)
        let store = SnapshotStore(marketCount: 3, oneThread: true)
        #expect((0..<3).allSatisfy { Int(bitPattern: store.slots + $0) % 64 == 0 })
        #expect(store.top(1).isEmpty && store.top(1).sequence == 0)
        Self.write(store, market: 1, 7)
        #expect(store.top(1) == BookTop(store.read(1)) && store.top(1).bid == 700 && store.top(1).askQuantity == 35)
        store.write(1) { $0.asks.removeAll() }
        #expect(store.top(1).hasBids && !store.top(1).hasAsks && store.top(1).sequence == 2)
        let other = SnapshotStore(marketCount: 1)
        Self.write(other, market: 0, 9)
        store.restore(1, other.read(0))
        #expect(store.top(1) == BookTop(other.read(0)) && store.top(1).bid == 900 && store.sequence(1) == 1)
        store.write(2) { b in
            PendingDepth.level(0, into: &b, draw: 42, bidTicks: 1_000, askTicks: 1_001, gap: 2, tickRaw: 100, stepRaw: 10,
                               stepsPerLevel: 50)
            b.pending = PendingDepth(seed: 42, bidTicks: 1_000, askTicks: 1_001, gap: 2, tickRaw: 100, stepRaw: 10,
                                     stepsPerLevel: 50, levels: 12)
            b.receiveTimeNs = 5
        }
        let pendingTop = store.top(2)
        #expect(pendingTop.bid == 100_000 && pendingTop.ask == 100_100 && pendingTop.receiveTimeNs == 5)
        let whole = store.read(2)
        #expect(whole.bids.count == 12 && whole.asks.count == 12)
        #expect(store.top(2) == pendingTop && BookTop(whole) == pendingTop)
        #expect(store.top(0).isEmpty, "a market never written keeps an empty top")
    }

    /// Quotes read during writes are each one quote (its fields agree), and the last write is what stays.
    @Test func versionedValuesReadDuringWritesAreWhole() {
        let values = VersionedValues([FxQuote.none, FxQuote.none])
        let done = Atomic<Bool>(false)
        let writes = 200_000
        let writer = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            for n in 1...writes {
                let q = FxQuote(rate: Double(n), fixed: Fixed(raw: Int64(n)), timeNs: Int64(-n), sequence: UInt64(n))
                if n % 100 == 0 { values.setAll([q, q]) } else { values.set(1, q) }
            }
            done.store(true, ordering: .releasing)
            writer.signal()
        }
        var torn = 0, reads = 0
        while !done.load(ordering: .acquiring) || reads == 0 {
            let q = values[1]
            reads += 1
            let n = Int64(q.sequence)
            if q.rate != Double(n) || q.fixed.raw != n || q.timeNs != -n { torn += 1 }
        }
        writer.wait()
        #expect(torn == 0, "\(torn) of \(reads) quotes mixed two writes")
        #expect(values[1].sequence == UInt64(writes))
        #expect(values.all.map(\.sequence) == [UInt64(writes), UInt64(writes)])
    }
}
