/// A pair closing by transfer (`strategy.exit_by_transfer`): the coin on its way back to the venue that sold it,
/// the quote cash (as USDT, converted on a KRW venue's `KRW-USDT` book) on its way back to the venue that paid.
/// Checkpointed with the route's engine; the pair closes when both transfers have settled.
public struct TransferClose: Sendable, Codable, Equatable {
    /// The venue that paid for the coin at entry (where the cash goes back), and the one that sold it.
    public var buyer: Venue
    public var seller: Venue
    public var coinTransferId: String
    public var cashTransferId: String
    public var coinSettled = false
    public var cashSettled = false
    /// USD cash flows of the conversions so far: the KRW side at the trade's entry fx, plus the USDT they moved
    /// (bought +, sold −), so that entry flows + these = what the pair brought back in USD.
    public var conversionUSD = Fixed.zero
    /// The conversions' fills and fees.
    public var fillIds: [String] = []
    public var feesUSD = Fixed.zero
    /// Both transfers' withdrawal fees in USD, valued at request.
    public var transferFeesUSD = Fixed.zero
    public var startedNs: Int64

    public init(buyer: Venue, seller: Venue, coinTransferId: String, cashTransferId: String, startedNs: Int64) {
        self.buyer = buyer
        self.seller = seller
        self.coinTransferId = coinTransferId
        self.cashTransferId = cashTransferId
        self.startedNs = startedNs
    }

    public var isDone: Bool { coinSettled && cashSettled }

    /// Takes in a conversion fill: its USD flow at the trade's fx and the USDT it moved.
    mutating func add(conversion fill: Fill) {
        let usdt = fill.side == .buy ? fill.quantity : -fill.quantity
        conversionUSD += fill.usdFlow + usdt
        fillIds.append(fill.id)
        feesUSD += fill.feeUSD
    }
}
