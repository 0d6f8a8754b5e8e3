import ArbCore
import Synchronization

/// What a realtime run's tasks share: the stop flag, counters, the equity curve, the cut gate, each route's
/// ownership, and the hand-over of routes joining the universe (refresher → feed task → supervisor).
final class RealtimeRunState: Sendable {
    let stopping = Atomic<Bool>(false)
    /// A route failed and the campaign fails with it (`per_symbol_isolation: false`).
    let failedHard = Atomic<Bool>(false)
    let updates: Atomic<Int>
    let nextSampleNs: Atomic<Int64>
    let equity: Mutex<[EquityPoint]>
    /// The source's state when the feed stopped (an interrupted run only).
    let finalSource = Mutex<[UInt8]>([])
    let gate = CutGate()
    /// Where a recorded source's data ends, once the feed has read it all.
    let dataEndNs = Atomic<Int64>(.max)
    /// One per slot of the route table.
    let ownership: [RouteOwnership]
    private let joining = Mutex<[UniverseMember]>([])
    let hasJoining = Atomic<Bool>(false)
    private let joined = Mutex<[Int]>([])

    init(routeCapacity: Int, updates: Int, nextSampleNs: Int64, equity: [EquityPoint]) {
        ownership = (0..<routeCapacity).map { _ in RouteOwnership() }
        self.updates = Atomic(updates)
        self.nextSampleNs = Atomic(nextSampleNs)
        self.equity = Mutex(equity)
    }

    /// The loop's state for a checkpoint.
    func driverState() -> DriverState {
        DriverState(nextTickNs: 0, nextSampleNs: nextSampleNs.load(ordering: .relaxed),
                    bookUpdates: updates.load(ordering: .relaxed), equity: equity.withLock { $0 })
    }

    /// The refresher hands routes to join to the feed task.
    func offerJoins(_ members: [UniverseMember]) {
        joining.withLock { $0 = members }
        hasJoining.store(true, ordering: .releasing)
    }

    /// The feed task takes the routes to join, if any.
    func takeJoining() -> [UniverseMember]? {
        guard hasJoining.load(ordering: .acquiring) else { return nil }
        return joining.withLock { j -> [UniverseMember] in
            defer { j.removeAll(); hasJoining.store(false, ordering: .releasing) }
            return j
        }
    }

    /// The feed task reports the route indexes that joined; the supervisor takes them to start their tasks.
    func reportJoined(_ routes: [Int]) { joined.withLock { $0.append(contentsOf: routes) } }
    func takeJoined() -> [Int] { joined.withLock { j -> [Int] in defer { j.removeAll() }; return j } }
}
