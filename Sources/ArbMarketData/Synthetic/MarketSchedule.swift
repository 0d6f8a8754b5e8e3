/// The synthetic market's pending book events, earliest first (by time, then order): at most one per market.
///
/// A market's next book comes at most 1.5 mean intervals after its last, so the pending events lie in a window
/// that slides with the clock. A ring of buckets `2^shift` ns wide covers it, about one event a bucket, each bucket
/// a list kept in order, a bit per bucket that holds any. The earliest event is the head of the first bucket
/// holding one from the window's start; an emission pops it and puts the market's next event into its bucket, the
/// same few steps at 41 markets as at 2,001, where a 4-ary heap's sift went down six levels of dependent loads (the
/// largest single cost of a 1,000-route campaign). Events outside the window (the joins of a refresh due before
/// the window's start, anything far ahead) wait in a heap beside it; every answer is exact either way. Under 64
/// markets the heap alone is faster (three levels in a cache line or two, against the ring's unpredictable
/// branches: 6 % against 9 % of a 10-route campaign; at 50 routes the ring takes 9 % and the heap 11 %).
struct MarketSchedule: Sendable {
    typealias Event = SyntheticMarket.Event

    /// A market's pending event and the next market in its bucket (-1: the last; `outside`: not in the ring).
    fileprivate struct Node: Sendable {
        var timeNs: Int64
        var order: Int32
        var next: Int32
    }

    fileprivate static let outside = Int32.min

    private var ring: Ring
    private let shift: Int64
    private let mask: Int
    /// The absolute bucket (`timeNs >> shift`) the window starts at: the earliest ring event's.
    private var base: Int64 = 0
    private var ringCount = 0
    private var far = EventQueue<Event>([])
    /// The earliest pending event (meaningful when `count > 0`), and whether it is the ring's.
    private var earliest = Event(timeNs: 0, order: 0, market: -1)
    private var earliestInRing = false
    /// Every event in `far`: a schedule of fewer markets than `ringFrom`.
    private let heapOnly: Bool

    /// A schedule of `events` for markets whose books come every `meanIntervalNs` on average, at most 1.5 times
    /// that apart; `markets` sizes the buckets (about one event each), and fewer than `ringFrom` keep a heap alone.
    init(_ events: [Event], meanIntervalNs: Double, markets: Int, ringFrom: Int = 64) {
        heapOnly = markets < ringFrom
        let width = Swift.max(1, meanIntervalNs / Double(Swift.max(1, markets)))
        var shift: Int64 = 0
        while shift < 40 && Double(Int64(1) << (shift + 1)) <= width { shift += 1 }
        self.shift = shift
        // The window: the longest interval and a bucket to spare, in a power of two of buckets.
        let span = (1.5 * meanIntervalNs + 2) / Double(Int64(1) << shift) + 2
        var count = 64
        while Double(count) < span && count < 1 << 20 { count *= 2 }
        mask = count - 1
        ring = Ring(buckets: heapOnly ? 64 : count, markets: heapOnly ? 0 : (events.map { Int($0.market) }.max() ?? -1) + 1)
        if heapOnly {
            far = EventQueue(events)
            return
        }
        // Sorted first: each bucket's list then builds in order by pushing at its head, the start's burst of
        // every market at one instant included.
        let sorted = events.sorted()
        guard let first = sorted.first else { return }
        base = first.timeNs >> shift
        for event in sorted.reversed() { add(event) }
        settle(from: base)
    }

    var min: Event? { heapOnly ? far.min : count > 0 ? earliest : nil }

    var count: Int { ringCount + far.count }

    /// Every pending event, in no particular order.
    var items: [Event] {
        var all = far.items
        for market in 0..<ring.markets where ring.nodes[market].next != Self.outside {
            let node = ring.nodes[market]
            all.append(Event(timeNs: node.timeNs, order: node.order, market: Int32(market)))
        }
        return all
    }

    /// Adds the event of a market that has none pending, at or after the earliest one's time.
    mutating func insert(_ event: Event) {
        if heapOnly { return far.insert(event) }
        if ringCount == 0 { base = event.timeNs >> shift }
        add(event)
        settle(from: base)
    }

    /// Replaces the earliest event with `event` (the schedule must not be empty).
    mutating func replaceMin(with event: Event) {
        if heapOnly { return far.replaceMin(with: event) }
        if earliestInRing {
            // Popped before the window moves: the new event is no earlier, so the window still holds it.
            let ring = unique()
            let popped = Int(earliest.market)
            let bucket = Int(base) & mask
            ring.heads[bucket] = ring.nodes[popped].next
            if ring.heads[bucket] < 0 { ring.occupied[bucket >> 6] &= ~(1 << UInt64(bucket & 63)) }
            ring.nodes[popped].next = Self.outside
            ringCount -= 1
        } else {
            far.removeMin()
            if ringCount == 0 { base = event.timeNs >> shift }
        }
        add(event)
        settle(from: base)
    }

    /// The ring, copied first if another copy of the schedule shares it: one check per change.
    @inline(__always)
    private mutating func unique() -> Ring {
        if !isKnownUniquelyReferenced(&ring) { ring = Ring(copying: ring) }
        return ring
    }

    /// Puts `event` into its bucket, in order, or into `far` when the window cannot hold it.
    private mutating func add(_ event: Event) {
        let absolute = event.timeNs >> shift
        guard absolute >= base && absolute - base <= Int64(mask) else {
            far.insert(event)
            return
        }
        let ring = unique()
        let market = Int(event.market)
        if market >= ring.markets { ring.grow(to: market + 1) }
        let bucket = Int(absolute) & mask
        ringCount += 1
        let nodes = ring.nodes
        var previous: Int32 = -1
        var current = ring.heads[bucket]
        while current >= 0 && Self.before(nodes[Int(current)], event) {
            previous = current
            current = nodes[Int(current)].next
        }
        nodes[market] = Node(timeNs: event.timeNs, order: event.order, next: current)
        if previous < 0 { ring.heads[bucket] = event.market } else { nodes[Int(previous)].next = event.market }
        ring.occupied[bucket >> 6] |= 1 << UInt64(bucket & 63)
    }

    /// Moves the window to the first bucket holding an event, from absolute bucket `start` on, and notes the
    /// earliest event of all.
    private mutating func settle(from start: Int64) {
        guard ringCount > 0 else {
            if let head = far.min {
                earliest = head
                earliestInRing = false
            }
            return
        }
        let from = Int(start) & mask
        var found = from
        if ring.heads[from] < 0 {
            let occupied = ring.occupied, words = (mask + 1) >> 6
            var word = from >> 6
            var bits = occupied[word] & (~0 << UInt64(from & 63))
            var scanned = 0
            while bits == 0 {
                scanned += 1
                precondition(scanned <= words, "the schedule's ring holds \(ringCount) events but no bucket is marked")
                word = (word + 1) & (words - 1)
                bits = occupied[word]
            }
            found = word << 6 | bits.trailingZeroBitCount
            // Forward from `start` around the ring: the distance is the found bucket's offset in the window.
            base = start + Int64((found - from) & mask)
        }
        let head = ring.heads[found]
        let node = ring.nodes[Int(head)]
        earliest = Event(timeNs: node.timeNs, order: node.order, market: head)
        earliestInRing = true
        if far.count > 0, let other = far.min, other < earliest {
            earliest = other
            earliestInRing = false
        }
    }

    @inline(__always)
    private static func before(_ a: Node, _ b: Event) -> Bool {
        a.timeNs != b.timeNs ? a.timeNs < b.timeNs : a.order < b.order
    }
}

/// The ring's storage: nodes by market, the buckets' heads and their marks, in memory of its own and read
/// without bounds or uniqueness checks; a schedule copies it before changing one another copy shares.
private final class Ring: @unchecked Sendable {
    typealias Node = MarketSchedule.Node
    private(set) var nodes: UnsafeMutablePointer<Node>
    private(set) var markets: Int
    let heads: UnsafeMutablePointer<Int32>
    let occupied: UnsafeMutablePointer<UInt64>
    let buckets: Int

    init(buckets: Int, markets: Int) {
        self.buckets = buckets
        self.markets = markets
        nodes = .allocate(capacity: Swift.max(1, markets))
        nodes.initialize(repeating: Node(timeNs: 0, order: 0, next: MarketSchedule.outside), count: markets)
        heads = .allocate(capacity: buckets)
        heads.initialize(repeating: -1, count: buckets)
        occupied = .allocate(capacity: buckets / 64)
        occupied.initialize(repeating: 0, count: buckets / 64)
    }

    init(copying other: Ring) {
        buckets = other.buckets
        markets = other.markets
        nodes = .allocate(capacity: Swift.max(1, markets))
        nodes.initialize(from: other.nodes, count: markets)
        heads = .allocate(capacity: buckets)
        heads.initialize(from: other.heads, count: buckets)
        occupied = .allocate(capacity: buckets / 64)
        occupied.initialize(from: other.occupied, count: buckets / 64)
    }

    /// Room for markets `0..<count` (a refresh's joins), the new ones outside the ring.
    func grow(to count: Int) {
        let grown = UnsafeMutablePointer<Node>.allocate(capacity: count)
        grown.moveInitialize(from: nodes, count: markets)
        (grown + markets).initialize(repeating: Node(timeNs: 0, order: 0, next: MarketSchedule.outside), count: count - markets)
        nodes.deallocate()
        nodes = grown
        markets = count
    }

    deinit {
        nodes.deallocate()
        heads.deallocate()
        occupied.deallocate()
    }
}
