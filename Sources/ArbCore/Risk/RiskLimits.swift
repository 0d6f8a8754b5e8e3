/// Limits of one exchange in the exchange tier.
public struct ExchangeLimits: Sendable, Codable, Equatable {
    public var maxExposureUSD: Double
    public var maxOrdersPerSecond: Int

    public init(maxExposureUSD: Double, maxOrdersPerSecond: Int) {
        self.maxExposureUSD = maxExposureUSD
        self.maxOrdersPerSecond = maxOrdersPerSecond
    }
}

/// Every limit of the risk tiers (`multi_symbol_risk_guard`), adjustable while a campaign runs.
public struct RiskLimits: Sendable, Codable, Equatable {
    // Global
    public var maxTotalExposureUSD: Double
    public var maxDailyLossUSD: Double
    public var emergencyStopLossUSD: Double
    // Portfolio
    public var totalCapitalUSD: Double
    public var maxSymbolAllocationPct: Double
    // Symbol
    public var maxPositionSizeUSD: Double
    public var maxPositionCount: Int
    public var cooldownSeconds: Double
    public var circuitBreakerConsecutiveLosses: Int
    public var circuitBreakerHaltSeconds: Double
    // Data
    public var maxDataAgeMs: Double
    public var fxBandPct: Double
    // Exchange
    public var upbit: ExchangeLimits
    public var binance: ExchangeLimits

    public init(
        maxTotalExposureUSD: Double = 10_000, maxDailyLossUSD: Double = 1_000, emergencyStopLossUSD: Double = 2_000,
        totalCapitalUSD: Double = 10_000, maxSymbolAllocationPct: Double = 0.30, maxPositionSizeUSD: Double = 1_000,
        maxPositionCount: Int = 1, cooldownSeconds: Double = 30, circuitBreakerConsecutiveLosses: Int = 3,
        circuitBreakerHaltSeconds: Double = 300, maxDataAgeMs: Double = 3_000, fxBandPct: Double = 0.02,
        upbit: ExchangeLimits = ExchangeLimits(maxExposureUSD: 10_000, maxOrdersPerSecond: 50),
        binance: ExchangeLimits = ExchangeLimits(maxExposureUSD: 10_000, maxOrdersPerSecond: 50)
    ) {
        self.maxTotalExposureUSD = maxTotalExposureUSD
        self.maxDailyLossUSD = maxDailyLossUSD
        self.emergencyStopLossUSD = emergencyStopLossUSD
        self.totalCapitalUSD = totalCapitalUSD
        self.maxSymbolAllocationPct = maxSymbolAllocationPct
        self.maxPositionSizeUSD = maxPositionSizeUSD
        self.maxPositionCount = maxPositionCount
        self.cooldownSeconds = cooldownSeconds
        self.circuitBreakerConsecutiveLosses = circuitBreakerConsecutiveLosses
        self.circuitBreakerHaltSeconds = circuitBreakerHaltSeconds
        self.maxDataAgeMs = maxDataAgeMs
        self.fxBandPct = fxBandPct
        self.upbit = upbit
        self.binance = binance
    }

    public func exchange(_ venue: Venue) -> ExchangeLimits { venue == .upbit ? upbit : binance }

    /// Each symbol's allocation cap: pct × capital.
    public var symbolCapUSD: Double { maxSymbolAllocationPct * totalCapitalUSD }
}
