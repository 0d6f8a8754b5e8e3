/// The newest book of one market, as the snapshot store holds it.
public struct BookSnapshot: Sendable {
    public var bids = BookSide()
    public var asks = BookSide()
    /// The exchange's own timestamp (ns since epoch); event time for synthetic and replay data.
    public var exchangeTimeNs: Int64 = 0
    /// When it was stored (ns since epoch on the campaign clock). Data age is measured from here:
    /// for live feeds this is the local receive time, for synthetic and replay data the event time.
    public var receiveTimeNs: Int64 = 0
    /// Store-assigned sequence number, +1 per write of this market; 0 = never written.
    public var sequence: UInt64 = 0
    /// A generated book's levels under the top, until a reader needs them (`materialize`); nil for every other
    /// book. The snapshot store hands out only whole books.
    public var pending: PendingDepth? = nil
    /// A cache row's levels under the top, until a reader needs them: the row's offset in the store's depth
    /// source (`SnapshotStore.attach(depthSource:)`); -1 for every other book.
    public var pendingRow = -1

    public init() {}

    /// True until both sides hold at least one level.
    @inlinable public var isEmpty: Bool { bids.count == 0 || asks.count == 0 }
    /// Best bid at or above best ask.
    @inlinable public var isCrossed: Bool { !isEmpty && bids.prices[0] >= asks.prices[0] }
    @inlinable public var bestBid: Double { Double(bids.prices[0]) / 1e8 }
    @inlinable public var bestAsk: Double { Double(asks.prices[0]) / 1e8 }
    @inlinable public var mid: Double { (bestBid + bestAsk) / 2 }
    /// Exact mid in fixed point (used as the fx of fills).
    public var midFixed: Fixed { Fixed(raw: (bids.prices[0] + asks.prices[0]) / 2) }

    /// The side a market order of `side` takes liquidity from.
    @inlinable public func liquidity(for side: Side) -> BookSide { side == .buy ? asks : bids }
}
