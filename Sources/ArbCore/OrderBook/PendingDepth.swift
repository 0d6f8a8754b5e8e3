/// The levels under the top of a generated book, not yet written: the book's seed and shape. Most evaluations read
/// only the tops, so a generated book writes its best level at once and the rest when something reads the whole
/// book (`SnapshotStore.read`, `withSnapshots`): the same levels as writing them at once, from the same draws.
public struct PendingDepth: Sendable {
    /// Level `k`'s sizes come from `draw(seed, k)`: any level from the seed alone, with no generator to carry.
    public var seed: UInt64
    public var bidTicks: Int64
    public var askTicks: Int64
    /// Ticks between levels.
    public var gap: Int64
    public var tickRaw: Int64
    public var stepRaw: Int64
    public var stepsPerLevel: Double
    public var levels: Int

    public init(seed: UInt64, bidTicks: Int64, askTicks: Int64, gap: Int64, tickRaw: Int64, stepRaw: Int64,
                stepsPerLevel: Double, levels: Int) {
        self.seed = seed
        self.bidTicks = bidTicks
        self.askTicks = askTicks
        self.gap = gap
        self.tickRaw = tickRaw
        self.stepRaw = stepRaw
        self.stepsPerLevel = stepsPerLevel
        self.levels = levels
    }

    /// Level `k`'s draw: SplitMix64's `k`th output from `seed`.
    @inlinable @inline(__always)
    public static func draw(_ seed: UInt64, _ k: Int) -> UInt64 { Xoshiro256.splitMix(seed, k) }

    /// Level `k` of the book: each level's sizes from one draw, 32 bits a side; a bid at or under zero is left
    /// out. The generator writes level 0 with this and `write(into:)` the others.
    @inlinable @inline(__always)
    public static func level(_ k: Int, into snap: inout BookSnapshot, draw: UInt64, bidTicks: Int64, askTicks: Int64, gap: Int64,
                             tickRaw: Int64, stepRaw: Int64, stepsPerLevel: Double) {
        let scale = stepsPerLevel * (1 + 0.15 * Double(k))
        let bidUnits = Swift.max(1, Int64(scale * (0.4 + 1.2 * (Double(draw >> 32) * 0x1.0p-32))))
        let askUnits = Swift.max(1, Int64(scale * (0.4 + 1.2 * (Double(draw & 0xFFFF_FFFF) * 0x1.0p-32))))
        let bid = (bidTicks - Int64(k) * gap) * tickRaw
        if bid > 0 { snap.bids.append(price: Fixed(raw: bid), quantity: Fixed(raw: bidUnits * stepRaw)) }
        snap.asks.append(price: Fixed(raw: (askTicks + Int64(k) * gap) * tickRaw), quantity: Fixed(raw: askUnits * stepRaw))
    }

    /// Writes levels 1 and below into `snap`, whose top is written.
    @inlinable
    public func write(into snap: inout BookSnapshot) {
        for k in 1..<Swift.max(1, levels) {
            PendingDepth.level(k, into: &snap, draw: PendingDepth.draw(seed, k), bidTicks: bidTicks, askTicks: askTicks, gap: gap, tickRaw: tickRaw,
                               stepRaw: stepRaw, stepsPerLevel: stepsPerLevel)
        }
    }
}

extension BookSnapshot {
    /// Writes the levels still pending, if any: a whole book from here on.
    @inlinable
    public mutating func materialize() {
        guard let depth = pending else { return }
        pending = nil
        depth.write(into: &self)
    }

    /// The book with every level written.
    @inlinable
    public var materialized: BookSnapshot {
        guard pending != nil else { return self }
        var copy = self
        copy.materialize()
        return copy
    }
}

/// Where the levels under a stored book's top come from when a reader needs them and the book is a recorded
/// one: a market-data cache, whose rows the store's books point into (`BookSnapshot.pendingRow`).
public protocol BookDepthSource: AnyObject, Sendable {
    /// Writes the levels under each side's best of the row at `offset` into `book`, whose best levels are written.
    func writeDepth(ofRowAt offset: Int, into book: inout BookSnapshot)
}
