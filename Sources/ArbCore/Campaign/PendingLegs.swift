/// An entry or exit whose two legs have been sent: each reaches its venue after that venue's simulated latency
/// and fills against the book it finds there. With no latency both legs fill at once, against the snapshots the
/// decision was made on.
public struct PendingLegs: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case entry, exit }

    public var kind: Kind
    public var tradeId: String
    public var direction: Direction
    public var quantity: Fixed
    /// When each leg reaches its venue.
    public var dueNs: PerLeg<Int64>
    public var executed: PerLeg<Bool>
    /// Each leg's fill; nil until executed, or when the venue rejected it.
    public var fills: PerLeg<Fill?>
    /// The decision's audit trail (fees are filled in when the legs complete).
    public var audit: TradeAudit
    /// Entry: the notional the risk coordinator reserved.
    public var reservedUSD: Fixed
    /// Exit: why the pair is unwound.
    public var exitReason: String?

    /// The next leg still on its way, if any.
    public var nextDueNs: Int64? {
        Leg.allCases.filter { !executed[$0] }.map { dueNs[$0] }.min()
    }

    /// The side `leg` trades: the entry side, or its opposite when unwinding.
    public func side(on leg: Leg) -> Side {
        kind == .entry ? direction.entrySide(on: leg) : direction.entrySide(on: leg).opposite
    }
}
