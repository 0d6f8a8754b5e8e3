/// Why a leg was sent.
public enum FillRole: String, Sendable, Codable {
    case entry, exit
    /// Brings the larger leg of a partly filled pair back to the smaller one.
    case correction
    /// Turns a pair's quote cash between KRW and USDT on a KRW venue's `KRW-USDT` book (closing by transfer).
    case conversion
}

/// One executed market order on the paper exchange.
public struct Fill: Sendable, Codable, Equatable {
    /// `U-F000001`: venue prefix and a per-venue sequence, deterministic for a given order flow.
    public var id: String
    public var orderId: String
    public var venue: Venue
    public var market: String
    public var route: String
    public var tradeId: String
    public var role: FillRole
    public var side: Side
    public var requested: Fixed
    public var quantity: Fixed
    /// Volume-weighted average price in the venue's quote currency.
    public var price: Fixed
    /// Σ price × quantity over the levels taken (quote currency).
    public var notional: Fixed
    /// Taker fee in quote currency, rounded up.
    public var fee: Fixed
    /// KRW per USDT at the fill, for converting KRW flows to USD.
    public var fx: Fixed
    public var timeNs: Int64
    /// The snapshot sequence the order walked.
    public var bookSequence: UInt64

    public var isPartial: Bool { quantity < requested }

    /// Quote-currency cash flow of the fill, fee included: +notional − fee for a sell, −notional − fee for a buy.
    public var quoteFlow: Fixed { (side == .sell ? notional : -notional) - fee }

    /// `quoteFlow` in USD(T): KRW converted at this fill's fx, rounded half to even.
    public var usdFlow: Fixed {
        venue.isKRW ? quoteFlow.divided(by: fx) : quoteFlow
    }

    /// Fee in USD(T).
    public var feeUSD: Fixed { venue.isKRW ? fee.divided(by: fx) : fee }
}
