/// Limits of one exchange in the exchange tier.
public struct ExchangeLimits: Sendable, Codable, Equatable {
    public var maxExposureUSD: Double
    public var maxOrdersPerSecond: Int

    /// What a venue allows when the config says nothing of it.
    public static let standard = ExchangeLimits(maxExposureUSD: 10_000, maxOrdersPerSecond: 50)

    public init(maxExposureUSD: Double, maxOrdersPerSecond: Int) {
        self.maxExposureUSD = maxExposureUSD
        self.maxOrdersPerSecond = maxOrdersPerSecond
    }
}

/// Every limit of the risk tiers (`multi_symbol_risk_guard`), adjustable while a campaign runs.
public struct RiskLimits: Sendable, Equatable {
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
    public var exchanges: PerVenue<ExchangeLimits>
    // Route
    public var route = RouteLimits()

    public init(
        maxTotalExposureUSD: Double = 10_000, maxDailyLossUSD: Double = 1_000, emergencyStopLossUSD: Double = 2_000,
        totalCapitalUSD: Double = 10_000, maxSymbolAllocationPct: Double = 0.30, maxPositionSizeUSD: Double = 1_000,
        maxPositionCount: Int = 1, cooldownSeconds: Double = 30, circuitBreakerConsecutiveLosses: Int = 3,
        circuitBreakerHaltSeconds: Double = 300, maxDataAgeMs: Double = 3_000, fxBandPct: Double = 0.02,
        exchanges: PerVenue<ExchangeLimits> = PerVenue(repeating: .standard)
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
        self.exchanges = exchanges
    }

    @inline(__always) public func exchange(_ venue: Venue) -> ExchangeLimits { exchanges[venue] }

    /// Each symbol's allocation cap: pct × capital.
    public var symbolCapUSD: Double { maxSymbolAllocationPct * totalCapitalUSD }
}

extension RiskLimits: Codable {
    enum CodingKeys: String, CodingKey {
        case maxTotalExposureUSD, maxDailyLossUSD, emergencyStopLossUSD, totalCapitalUSD, maxSymbolAllocationPct
        case maxPositionSizeUSD, maxPositionCount, cooldownSeconds, circuitBreakerConsecutiveLosses
        case circuitBreakerHaltSeconds, maxDataAgeMs, fxBandPct, exchanges, upbit, binance, route
    }

    /// Reads both shapes: limits per venue, and the two-venue release's `upbit` and `binance` (the other venues
    /// then take the standard limits).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxTotalExposureUSD = try c.decode(Double.self, forKey: .maxTotalExposureUSD)
        maxDailyLossUSD = try c.decode(Double.self, forKey: .maxDailyLossUSD)
        emergencyStopLossUSD = try c.decode(Double.self, forKey: .emergencyStopLossUSD)
        totalCapitalUSD = try c.decode(Double.self, forKey: .totalCapitalUSD)
        maxSymbolAllocationPct = try c.decode(Double.self, forKey: .maxSymbolAllocationPct)
        maxPositionSizeUSD = try c.decode(Double.self, forKey: .maxPositionSizeUSD)
        maxPositionCount = try c.decode(Int.self, forKey: .maxPositionCount)
        cooldownSeconds = try c.decode(Double.self, forKey: .cooldownSeconds)
        circuitBreakerConsecutiveLosses = try c.decode(Int.self, forKey: .circuitBreakerConsecutiveLosses)
        circuitBreakerHaltSeconds = try c.decode(Double.self, forKey: .circuitBreakerHaltSeconds)
        maxDataAgeMs = try c.decode(Double.self, forKey: .maxDataAgeMs)
        fxBandPct = try c.decode(Double.self, forKey: .fxBandPct)
        let limits = try c.decodeIfPresent([ExchangeLimits].self, forKey: .exchanges)
            ?? [try c.decode(ExchangeLimits.self, forKey: .upbit), try c.decode(ExchangeLimits.self, forKey: .binance)]
        guard let perVenue = PerVenue(padding: limits, with: { _ in .standard }) else {
            throw DecodingError.dataCorruptedError(forKey: .exchanges, in: c, debugDescription: "\(limits.count) limits for \(Venue.allCases.count) venues")
        }
        exchanges = perVenue
        route = try c.decodeIfPresent(RouteLimits.self, forKey: .route) ?? RouteLimits()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(maxTotalExposureUSD, forKey: .maxTotalExposureUSD)
        try c.encode(maxDailyLossUSD, forKey: .maxDailyLossUSD)
        try c.encode(emergencyStopLossUSD, forKey: .emergencyStopLossUSD)
        try c.encode(totalCapitalUSD, forKey: .totalCapitalUSD)
        try c.encode(maxSymbolAllocationPct, forKey: .maxSymbolAllocationPct)
        try c.encode(maxPositionSizeUSD, forKey: .maxPositionSizeUSD)
        try c.encode(maxPositionCount, forKey: .maxPositionCount)
        try c.encode(cooldownSeconds, forKey: .cooldownSeconds)
        try c.encode(circuitBreakerConsecutiveLosses, forKey: .circuitBreakerConsecutiveLosses)
        try c.encode(circuitBreakerHaltSeconds, forKey: .circuitBreakerHaltSeconds)
        try c.encode(maxDataAgeMs, forKey: .maxDataAgeMs)
        try c.encode(fxBandPct, forKey: .fxBandPct)
        try c.encode(exchanges.values, forKey: .exchanges)
        try c.encode(route, forKey: .route)
    }
}

/// The route tier's limits: one route of an asset, on top of the symbol tier's limits of the asset across its
/// routes. The defaults limit nothing the symbol tier does not (on the seed's pair a route is its symbol).
public struct RouteLimits: Sendable, Codable, Equatable {
    /// Most USD notional one route holds; nil = only the symbol's `max_position_size_usd`.
    public var maxPositionSizeUSD: Double?
    /// No entry on a route for this long after one of its own closes.
    public var cooldownSeconds: Double
    /// This many losing round trips in a row on one route halt its entries; nil = no route breaker.
    public var circuitBreakerConsecutiveLosses: Int?
    public var circuitBreakerHaltSeconds: Double

    public init(maxPositionSizeUSD: Double? = nil, cooldownSeconds: Double = 0, circuitBreakerConsecutiveLosses: Int? = nil,
                circuitBreakerHaltSeconds: Double = 300) {
        self.maxPositionSizeUSD = maxPositionSizeUSD
        self.cooldownSeconds = cooldownSeconds
        self.circuitBreakerConsecutiveLosses = circuitBreakerConsecutiveLosses
        self.circuitBreakerHaltSeconds = circuitBreakerHaltSeconds
    }
}
