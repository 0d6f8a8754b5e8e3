/// Strategy settings of a campaign (`strategy` and `fees`), adjustable while it runs.
public struct StrategyParams: Sendable, Codable, Equatable {
    /// Enter when the net edge at size is at least this (bps).
    public var entryThresholdBps: Double
    /// Unwind when the unwind edge at size, gross of fees, is at most this (bps).
    public var exitThresholdBps: Double
    public var maxHoldSeconds: Double
    public var orderNotionalUSD: Double
    /// Most the edge may lose to walking the books (bps); each leg gets half.
    public var maxSlippageBps: Double
    public var upbitTakerBps: Double
    public var binanceTakerBps: Double

    public init(entryThresholdBps: Double = 30, exitThresholdBps: Double = 0, maxHoldSeconds: Double = 600,
                orderNotionalUSD: Double = 200, maxSlippageBps: Double = 10, upbitTakerBps: Double = 5,
                binanceTakerBps: Double = 10) {
        self.entryThresholdBps = entryThresholdBps
        self.exitThresholdBps = exitThresholdBps
        self.maxHoldSeconds = maxHoldSeconds
        self.orderNotionalUSD = orderNotionalUSD
        self.maxSlippageBps = maxSlippageBps
        self.upbitTakerBps = upbitTakerBps
        self.binanceTakerBps = binanceTakerBps
    }

    public var feesBps: Double { upbitTakerBps + binanceTakerBps }
    public func takerBps(_ venue: Venue) -> Double { venue == .upbit ? upbitTakerBps : binanceTakerBps }
}
