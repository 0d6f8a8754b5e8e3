/// The audit trail of one side (entry or exit) of a round trip.
public struct TradeAudit: Sendable, Codable, Equatable {
    /// Sequence numbers of the Upbit and Binance snapshots the decision was made on, and of the fx book.
    public var upbitSequence: UInt64
    public var binanceSequence: UInt64
    public var fxSequence: UInt64
    public var fx: Fixed
    /// Edge at size, gross of fees (entry edge, or unwind edge for the exit).
    public var grossEdgeBps: Double
    /// Entry: gross − fees. Exit: the same as gross (exits are judged gross of fees).
    public var netEdgeBps: Double
    /// Edge at best prices − edge at size.
    public var slippageBps: Double
    public var feesUSD: Fixed
    public var timeNs: Int64
    public var decisionId: String
}

public enum TradeStatus: String, Sendable, Codable {
    case open, closed
    /// Closing by transfer: its transfers are on their way.
    case closing
    /// One leg could not fill; the other was reversed.
    case aborted
}

/// One round trip: entry legs, exit legs and any corrections, with its PnL.
public struct TradeRecord: Sendable, Codable, Equatable {
    /// `T0000001`, in entry order (deterministic in simulated time).
    public var id: String
    public var route: String
    public var direction: Direction
    public var status: TradeStatus
    public var quantity: Fixed
    public var entry: TradeAudit
    public var exit: TradeAudit?
    /// `exit_threshold`, `max_hold`, `transfer`, `emergency_stop`, `campaign_end`, `flatten`.
    public var exitReason: String?
    public var holdSeconds: Double?
    /// USD notional committed against the risk limits while open.
    public var committedUSD: Fixed
    public var fillIds: [String]
    /// Σ USD cash flows of every fill of the trade, fees included (final once closed).
    public var cashFlowUSD: Fixed
    public var feesUSD: Fixed
    /// Realized PnL once closed or aborted.
    public var realizedPnlUSD: Fixed?
    /// The quote the selling leg's venue received at entry, net of fees and corrections (its own currency), and
    /// the quantity it was for: what a close by transfer brings back.
    public var sellerProceeds: Fixed?
    public var entryQuantity: Fixed?
    /// A close by transfer: its transfers, and their withdrawal fees in USD (valued at request).
    public var transferIds: [String]?
    public var transferFeesUSD: Fixed?
}
