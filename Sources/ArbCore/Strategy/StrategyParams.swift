/// Strategy settings of a campaign (`strategy` and `fees`), adjustable while it runs.
public struct StrategyParams: Sendable, Equatable {
    /// Enter when the net edge at size is at least this (bps).
    public var entryThresholdBps: Double
    /// Unwind when the unwind edge at size, gross of fees, is at most this (bps).
    public var exitThresholdBps: Double
    public var maxHoldSeconds: Double
    public var orderNotionalUSD: Double
    /// Most the edge may lose to walking the books (bps); each leg gets half.
    public var maxSlippageBps: Double
    /// The taker fee on each venue (bps).
    public var takerBps: PerVenue<Double>
    /// Close a pair that has not reverted after `transferAfterSeconds` by moving its inventory back.
    public var exitByTransfer = false
    public var transferAfterSeconds = 300.0

    public init(entryThresholdBps: Double = 30, exitThresholdBps: Double = 0, maxHoldSeconds: Double = 600,
                orderNotionalUSD: Double = 200, maxSlippageBps: Double = 10,
                takerBps: PerVenue<Double> = PerVenue { $0.info.takerBps }) {
        self.entryThresholdBps = entryThresholdBps
        self.exitThresholdBps = exitThresholdBps
        self.maxHoldSeconds = maxHoldSeconds
        self.orderNotionalUSD = orderNotionalUSD
        self.maxSlippageBps = maxSlippageBps
        self.takerBps = takerBps
    }

    @inline(__always) public func takerBps(_ venue: Venue) -> Double { takerBps[venue] }
    /// The fee of each leg of `route`.
    @inline(__always) public func takerBps(_ route: Route, _ leg: Leg) -> Double { takerBps[route.venues[leg]] }
    /// Both legs' fees: what an entry's edge must clear beyond the threshold.
    @inline(__always) public func feesBps(_ route: Route) -> Double {
        takerBps[route.venues.a] + takerBps[route.venues.b]
    }
}

extension StrategyParams: Codable {
    enum CodingKeys: String, CodingKey {
        case entryThresholdBps, exitThresholdBps, maxHoldSeconds, orderNotionalUSD, maxSlippageBps, takerBps
        case upbitTakerBps, binanceTakerBps, exitByTransfer, transferAfterSeconds
    }

    /// Reads both shapes: fees per venue, and the two-venue release's `upbitTakerBps` and `binanceTakerBps` (the
    /// other venues then take the registry's fees).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        entryThresholdBps = try c.decode(Double.self, forKey: .entryThresholdBps)
        exitThresholdBps = try c.decode(Double.self, forKey: .exitThresholdBps)
        maxHoldSeconds = try c.decode(Double.self, forKey: .maxHoldSeconds)
        orderNotionalUSD = try c.decode(Double.self, forKey: .orderNotionalUSD)
        maxSlippageBps = try c.decode(Double.self, forKey: .maxSlippageBps)
        let fees = try c.decodeIfPresent([Double].self, forKey: .takerBps)
            ?? [try c.decode(Double.self, forKey: .upbitTakerBps), try c.decode(Double.self, forKey: .binanceTakerBps)]
        guard let perVenue = PerVenue(padding: fees, with: { $0.info.takerBps }) else {
            throw DecodingError.dataCorruptedError(forKey: .takerBps, in: c, debugDescription: "\(fees.count) fees for \(Venue.allCases.count) venues")
        }
        takerBps = perVenue
        exitByTransfer = try c.decodeIfPresent(Bool.self, forKey: .exitByTransfer) ?? false
        transferAfterSeconds = try c.decodeIfPresent(Double.self, forKey: .transferAfterSeconds) ?? 300
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(entryThresholdBps, forKey: .entryThresholdBps)
        try c.encode(exitThresholdBps, forKey: .exitThresholdBps)
        try c.encode(maxHoldSeconds, forKey: .maxHoldSeconds)
        try c.encode(orderNotionalUSD, forKey: .orderNotionalUSD)
        try c.encode(maxSlippageBps, forKey: .maxSlippageBps)
        try c.encode(takerBps.values, forKey: .takerBps)
        // Written only when on, so checkpoints of campaigns without transfers stay as they were.
        if exitByTransfer {
            try c.encode(exitByTransfer, forKey: .exitByTransfer)
            try c.encode(transferAfterSeconds, forKey: .transferAfterSeconds)
        }
    }
}
