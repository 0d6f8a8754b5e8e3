import Synchronization

/// Who evaluates a route of a realtime campaign, and how the route's own task is woken: the protocol between
/// the feed task, which evaluates an idle route inline as its book arrives (no task switch per book), and the
/// route's task, which takes over while an order is in flight and serves the books that found the route busy.
///
/// States: idle → inline (the feed task evaluates) → idle, or → handed off (an order was sent: the route's task
/// waits for its legs) → idle; idle → task (the route's task evaluates a book that found the route busy) → idle.
/// At most one evaluation of a route runs at a time, and an order's legs are always waited for by its task.
final class RouteOwnership: Sendable {
    private static let idle: UInt8 = 0, evaluating: UInt8 = 1, handedOff: UInt8 = 2
    private let owner = Atomic<UInt8>(0)
    private let signal = WakeSignal()

    init() {}

    // MARK: The feed task

    /// Claims an idle route for an evaluation on the feed task. When it is busy, its task is told that a book
    /// stored at monotonic time `stamp` waits for it, and the claim fails.
    @inline(__always)
    func claimInline(stamp: UInt64) -> Bool {
        if owner.compareExchange(expected: Self.idle, desired: Self.evaluating, ordering: .acquiring).exchanged { return true }
        signal.notify(stamp)
        return false
    }

    /// Ends the feed task's evaluation: the route is idle again, or, when the evaluation sent an order, handed
    /// to its task, which waits for the legs.
    @inline(__always)
    func finishInline(sentOrder: Bool, stamp: UInt64) {
        if sentOrder {
            owner.store(Self.handedOff, ordering: .releasing)
            signal.notify(stamp)
        } else {
            owner.store(Self.idle, ordering: .releasing)
        }
    }

    /// A route resumed with an order in flight starts with its task, which waits for the legs first.
    func startHandedOff() { owner.store(Self.handedOff, ordering: .releasing) }

    // MARK: The route's task

    /// A job for the route's task.
    enum Work: Equatable {
        /// Wait for the order in flight and deliver its legs.
        case deliver
        /// Evaluate: a book stored at monotonic time `stamp` (the oldest one not served) found the route busy.
        case evaluate(stamp: UInt64)
    }

    /// Waits for the task's next job; nil once closed. The route is the task's until `release()`.
    func next() async -> Work? {
        while true {
            if owner.load(ordering: .acquiring) == Self.handedOff { return .deliver }
            guard let stamp = await signal.wait() else { return nil }
            if owner.load(ordering: .acquiring) == Self.handedOff { return .deliver }
            // Being evaluated inline with the newest book: nothing is left to serve.
            if owner.compareExchange(expected: Self.idle, desired: Self.evaluating, ordering: .acquiring).exchanged {
                return .evaluate(stamp: stamp)
            }
        }
    }

    /// The task is done with its job: the route is idle again.
    func release() { owner.store(Self.idle, ordering: .releasing) }

    /// Ends the task's waiting for good (the run stops).
    func close() { signal.close() }
}
