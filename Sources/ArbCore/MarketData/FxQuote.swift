/// The KRW per USDT rate at one moment, with where it came from.
public struct FxQuote: Sendable, Equatable, Codable {
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
