/// The KRW per USDT rate at one moment, with where it came from.
public struct FxQuote: Sendable, Equatable, Codable, VenueSlot {
    /// No rate yet (a KRW venue before its first fx book) or none at all (a USDT venue).
    public static let none = FxQuote(rate: 0, fixed: .zero, timeNs: 0, sequence: 0)
    /// What a route of two USDT legs prices with: USDT is its USD.
    public static let unit = FxQuote(rate: 1, fixed: Fixed(1), timeNs: 0, sequence: 0)
    public static func empty(for venue: Venue) -> FxQuote { .none }

    /// KRW per USDT for the signal.
    public var rate: Double
    /// KRW per USDT for the ledger (the `KRW-USDT` book's exact mid, or the configured fixed value).
    public var fixed: Fixed
    /// Time the rate was observed (ns since epoch on the campaign clock); age is measured from it.
    public var timeNs: Int64
    /// The fx book's sequence number; 0 for a fixed rate.
    public var sequence: UInt64

    public init(rate: Double, fixed: Fixed, timeNs: Int64, sequence: UInt64) {
        self.rate = rate
        self.fixed = fixed
        self.timeNs = timeNs
        self.sequence = sequence
    }
}
