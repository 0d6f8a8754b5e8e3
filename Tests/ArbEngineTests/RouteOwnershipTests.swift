import Foundation
import Synchronization
import Testing
@testable import ArbEngine

/// The protocol between a realtime run's feed task and a route's task.
@Suite struct RouteOwnershipTests {
    @Test func anIdleRouteIsEvaluatedInlineAndABusyOneWakesItsTask() async {
        let route = RouteOwnership()
        #expect(route.claimInline(stamp: 10))
        // Busy: the feed cannot claim it, and the books that found it busy coalesce into one wake-up carrying the
        // oldest stamp.
        #expect(!route.claimInline(stamp: 11))
        #expect(!route.claimInline(stamp: 12))
        route.finishInline(sentOrder: false, stamp: 10)
        #expect(await route.next() == .evaluate(stamp: 11))
        // The task has the route now: the feed cannot take it until it is released.
        #expect(!route.claimInline(stamp: 13))
        route.release()
        // The book at 13 found the route busy: the task serves it next, then the route is idle.
        #expect(await route.next() == .evaluate(stamp: 13))
        route.release()
        #expect(route.claimInline(stamp: 14))
        route.finishInline(sentOrder: false, stamp: 14)
    }

    @Test func anOrderSentInlineIsHandedToTheTask() async {
        let route = RouteOwnership()
        #expect(route.claimInline(stamp: 1))
        route.finishInline(sentOrder: true, stamp: 1)
        // Until the task delivered the legs, no evaluation can start, inline or in the task.
        #expect(!route.claimInline(stamp: 2))
        #expect(await route.next() == .deliver)
        #expect(!route.claimInline(stamp: 3))
        route.release()
        // The books that arrived meanwhile are served by the task once it is free.
        #expect(await route.next() == .evaluate(stamp: 1))
        route.release()
    }

    @Test func aResumedOrderInFlightGoesToTheTaskFirst() async {
        let route = RouteOwnership()
        route.startHandedOff()
        #expect(!route.claimInline(stamp: 5))
        #expect(await route.next() == .deliver)
        route.release()
        #expect(route.claimInline(stamp: 6))
    }

    @Test func closingEndsTheTasksWait() async {
        let route = RouteOwnership()
        async let waited = route.next()
        try? await Task.sleep(for: .milliseconds(20))
        route.close()
        #expect(await waited == nil)
        #expect(await route.next() == nil)
    }

    @Test func evaluationsNeverOverlapUnderContention() async {
        // A feed thread offering books as fast as it can and a task serving what finds the route busy: at most
        // one evaluation at a time, and every order is delivered by the task before the next evaluation.
        let route = RouteOwnership()
        let inside = Atomic<Int>(0)
        let overlaps = Atomic<Int>(0)
        let awaitingDelivery = Atomic<Bool>(false)
        let evaluatedInline = Atomic<Int>(0)
        let evaluatedByTask = Atomic<Int>(0)
        let deliveries = Atomic<Int>(0)
        let feedDone = Atomic<Bool>(false)
        @Sendable func evaluate() -> Bool {
            if inside.add(1, ordering: .acquiringAndReleasing).newValue != 1 || awaitingDelivery.load(ordering: .acquiring) {
                overlaps.add(1, ordering: .relaxed)
            }
            let sends = Int.random(in: 0..<8) == 0
            if sends { awaitingDelivery.store(true, ordering: .releasing) }
            inside.subtract(1, ordering: .acquiringAndReleasing)
            return sends
        }
        let task = Task.detached {
            while let work = await route.next() {
                switch work {
                case .deliver:
                    deliveries.add(1, ordering: .relaxed)
                    awaitingDelivery.store(false, ordering: .releasing)
                case .evaluate:
                    evaluatedByTask.add(1, ordering: .relaxed)
                    if evaluate() {
                        deliveries.add(1, ordering: .relaxed)
                        awaitingDelivery.store(false, ordering: .releasing)
                    }
                }
                route.release()
            }
        }
        let feed = Thread {
            for i in 0..<200_000 {
                guard route.claimInline(stamp: UInt64(i)) else { continue }
                evaluatedInline.add(1, ordering: .relaxed)
                route.finishInline(sentOrder: evaluate(), stamp: UInt64(i))
            }
            feedDone.store(true, ordering: .releasing)
        }
        feed.start()
        while !feedDone.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(5)) }
        // Let the task serve what is left, then stop it.
        while route.claimInline(stamp: 0) == false { try? await Task.sleep(for: .milliseconds(1)) }
        route.finishInline(sentOrder: false, stamp: 0)
        route.close()
        await task.value
        let overlapped = overlaps.load(ordering: .relaxed), inline = evaluatedInline.load(ordering: .relaxed)
        let delivered = deliveries.load(ordering: .relaxed), undelivered = awaitingDelivery.load(ordering: .relaxed)
        #expect(overlapped == 0)
        #expect(inline > 0 && delivered > 0)
        #expect(!undelivered)
    }
}
