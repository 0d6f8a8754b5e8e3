import Synchronization

/// A campaign's routes, append-only up to a capacity fixed when the campaign is built: routes joining the
/// universe while it runs (`universe.refresh_seconds`) take the next slot, and no slot ever moves or goes away,
/// so a route's index stays valid for the whole campaign.
///
/// Readers on any thread see a prefix: a slot is written before the count that publishes it (release/acquire),
/// so `list()` never shows a half-built worker. Appends are serialized by the kernel.
@usableFromInline
final class RouteTable: @unchecked Sendable {
    let capacity: Int
    // Allocated once for `capacity` slots, freed in deinit; a slot is written once, before it is published.
    private let slots: UnsafeMutablePointer<RouteWorker?>
    private let published = Atomic<Int>(0)
    /// By route: where its worker and its loop latency counters lie, apart from the workers so a driver can
    /// name them without reading the route (`CampaignKernel.evaluationMemory`).
    @usableFromInline let heads: UnsafeMutablePointer<(worker: UnsafeRawPointer, latency: UnsafeRawPointer)>

    init(capacity: Int) {
        self.capacity = Swift.max(1, capacity)
        slots = .allocate(capacity: self.capacity)
        slots.initialize(repeating: nil, count: self.capacity)
        heads = .allocate(capacity: self.capacity)
    }

    deinit {
        slots.deinitialize(count: capacity)
        slots.deallocate()
        heads.deallocate()
    }

    var count: Int { published.load(ordering: .acquiring) }

    /// Publishes `worker` at the next index; false when the table is full.
    func append(_ worker: RouteWorker) -> Bool {
        let n = published.load(ordering: .relaxed)
        guard n < capacity else { return false }
        slots[n] = worker
        heads[n] = (UnsafeRawPointer(Unmanaged.passUnretained(worker).toOpaque()), worker.loopLatency.headLine)
        published.store(n + 1, ordering: .releasing)
        return true
    }

    /// The routes published so far.
    func list() -> RouteWorkers { RouteWorkers(slots: slots, count: count, owner: self) }

    /// Route `i`'s worker without making a view (the evaluation path asks for it several times per book).
    @inline(__always)
    func worker(_ i: Int) -> RouteWorker {
        precondition(i >= 0 && i < count, "route index out of range")
        return slots[i].unsafelyUnwrapped
    }

    /// Runs `body` with route `i`'s worker, without the retain and release a reference taken out costs (an atomic
    /// add each, on every evaluation): a published worker is never removed, the table keeps it alive.
    @inline(__always)
    func withWorker<R>(_ i: Int, _ body: (RouteWorker) throws -> R) rethrows -> R {
        precondition(i >= 0 && i < count, "route index out of range")
        return try Unmanaged.passUnretained(slots[i].unsafelyUnwrapped)._withUnsafeGuaranteedRef(body)
    }
}

/// The workers of a campaign at one instant: a fixed-length view that later joins do not change.
public struct RouteWorkers: RandomAccessCollection, @unchecked Sendable {
    fileprivate let slots: UnsafeMutablePointer<RouteWorker?>
    public let count: Int
    // Keeps the storage alive as long as the view.
    fileprivate let owner: AnyObject

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> RouteWorker {
        precondition(position >= 0 && position < count, "route index out of range")
        return slots[position].unsafelyUnwrapped
    }
}

/// How a route came into or left a running campaign's universe.
public struct UniverseChange: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// A new route took the next slot.
        case joined
        /// A route that had left came back to its slot.
        case rejoined
        /// A route stopped taking entries; its open pair unwinds.
        case left
    }

    public var timeNs: Int64
    public var route: String
    public var kind: Kind

    public init(timeNs: Int64, route: String, kind: Kind) {
        self.timeNs = timeNs
        self.route = route
        self.kind = kind
    }
}
