/// A circuit breaker's count: losing round trips in a row, and the halt they caused.
public protocol CircuitBreakerState {
    var consecutiveLosses: Int { get set }
    var breakerUntilNs: Int64 { get set }
    var breakerTriggered: Bool { get set }
}

extension CircuitBreakerState {
    /// Feeds one round trip: `limit` losses in a row halt until `haltUntilNs`.
    mutating func count(loss: Bool, limit: Int, haltUntilNs: Int64) {
        guard loss else {
            consecutiveLosses = 0
            return
        }
        consecutiveLosses += 1
        if consecutiveLosses >= limit {
            breakerUntilNs = haltUntilNs
            breakerTriggered = true
            consecutiveLosses = 0
        }
    }
}

/// Risk state of one route: its open pair and the route tier's cooldown and breaker.
public struct RouteRiskState: Sendable, Codable, Equatable, CircuitBreakerState {
    public var openPairs = 0
    /// Notional committed by the route's open pairs (USD, one leg).
    public var allocationUSD = Fixed.zero
    public var cooldownUntilNs: Int64 = .min
    public var consecutiveLosses = 0
    public var breakerUntilNs: Int64 = .min
    public var breakerTriggered = false
    public var tradesExecuted = 0
    public var tradesRejected = 0
    public var unrealizedUSD = 0.0
}

/// Risk state of one asset across its routes (the symbol tier): what they hold together, its cooldown and breaker.
public struct SymbolRiskState: Sendable, Codable, Equatable, CircuitBreakerState {
    public var openPairs = 0
    /// Notional committed by the open pairs of all the asset's routes (USD, one leg).
    public var allocationUSD = Fixed.zero
    public var cooldownUntilNs: Int64 = .min
    public var consecutiveLosses = 0
    public var breakerUntilNs: Int64 = .min
    public var breakerTriggered = false

    public init() {}
}

/// Order timestamps of one venue within the last second (for `max_orders_per_second`).
public struct OrderWindow: Sendable, Codable, Equatable, VenueSlot {
    public static func empty(for venue: Venue) -> OrderWindow { OrderWindow() }

    private var times: [Int64] = []

    public mutating func count(at now: Int64) -> Int {
        let cutoff = now - 1_000_000_000
        var drop = 0
        while drop < times.count && times[drop] <= cutoff { drop += 1 }
        if drop > 0 { times.removeFirst(drop) }
        return times.count
    }

    /// Records orders sent at `now`, dropping those a second older (so a venue's window stays bounded even when
    /// nothing asks its count).
    public mutating func add(_ now: Int64, orders: Int = 1) {
        _ = count(at: now)
        for _ in 0..<orders { times.append(now) }
    }
}

/// Recent fx rates, for the data tier's band around their median.
public struct FxHistory: Sendable, Codable, Equatable, VenueSlot {
    public static func empty(for venue: Venue) -> FxHistory { FxHistory() }

    public static let capacity = 64
    private var samples: [Double] = []
    private var next = 0

    public mutating func add(_ rate: Double) {
        if samples.count < FxHistory.capacity { samples.append(rate) } else { samples[next] = rate }
        next = (next + 1) % FxHistory.capacity
    }

    public var median: Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let m = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2
    }
}

/// Everything the coordinator knows, serializable for checkpoints.
public struct RiskState: Sendable, Codable, Equatable {
    public var limits: RiskLimits
    public var routes: [RouteRiskState]
    /// By asset (in order of first appearance among the routes).
    public var symbols: [SymbolRiskState] = []
    public var totalExposureUSD = Fixed.zero
    public var venueExposureUSD = PerVenue(repeating: Fixed.zero)
    public var totalAllocatedUSD = Fixed.zero
    public var peakAllocatedUSD = Fixed.zero
    public var realizedUSD = Fixed.zero
    public var dayIndex: Int64 = .min
    public var realizedTodayUSD = Fixed.zero
    /// Day on which the daily loss limit was hit: no entries for the rest of it.
    public var dailyHaltDay: Int64 = .min
    public var maxDailyLossSeenUSD = 0.0
    public var emergencyStopped = false
    public var orderWindows = PerVenue(repeating: OrderWindow())
    /// Each KRW venue's recent fx rates.
    public var fx = FxHistories()
    public var decisionCount = 0
    public var tradesExecuted = 0
    public var tradesRejected = 0
    /// Allowance counts keyed `allowed.<kind>.<reason>`.
    public var decisionCounts: [String: Int] = [:]
    /// Rejection counts, one per `RiskReason` in declaration order.
    public var rejectionCounts = [Int](repeating: 0, count: RiskReason.allCases.count)

    /// Legs the paper venue refused, by venue then reason (nil in checkpoints taken before they were counted).
    public var legRejections: [String: [String: Int]]?
    /// Closes by transfer refused, by reason (`route_blocked`, `wallet_suspended`, `inventory_exhausted`, …);
    /// nil until the first.
    public var transferRejections: [String: Int]?

    /// Every count keyed `allowed.<kind>.<reason>` or `rejected.<tier>.<reason>`.
    public var allDecisionCounts: [String: Int] {
        var all = decisionCounts
        for (i, reason) in RiskReason.allCases.enumerated() where rejectionCounts[i] > 0 {
            all["rejected.\(reason.tier.rawValue).\(reason.rawValue)"] = rejectionCounts[i]
        }
        for (reason, count) in (legRejections ?? [:]).values.joined() {
            all["rejected.\(RiskTier.execution.rawValue).\(reason)", default: 0] += count
        }
        return all
    }

    /// Each route's latest rejection while identical ones keep folding into it.
    public var openRejections: [DecisionRecord?]

    public init(limits: RiskLimits, routeCount: Int, symbolCount: Int? = nil) {
        self.limits = limits
        self.routes = Array(repeating: RouteRiskState(), count: routeCount)
        self.symbols = Array(repeating: SymbolRiskState(), count: symbolCount ?? routeCount)
        self.openRejections = Array(repeating: nil, count: routeCount)
    }

    /// Σ of the routes' unrealized PnL, kept as a running total (recomputed exactly whenever a pair closes).
    public private(set) var unrealizedUSD = 0.0

    public mutating func setUnrealized(route: Int, _ usd: Double) {
        unrealizedUSD += usd - routes[route].unrealizedUSD
        routes[route].unrealizedUSD = usd
    }

    /// Sums the routes again, dropping the rounding the running total gathered.
    public mutating func recomputeUnrealized() {
        unrealizedUSD = routes.reduce(0) { $0 + $1.unrealizedUSD }
    }
}

/// Each KRW venue's fx history. Checkpoints of the two-venue release hold one history (Upbit's), read into
/// Upbit's slot.
public struct FxHistories: Sendable, Codable, Equatable {
    public var byVenue = PerVenue(repeating: FxHistory())

    public init() {}

    public subscript(venue: Venue) -> FxHistory {
        get { byVenue[venue] }
        // In place: each fx book would otherwise copy the venue's history to add one rate.
        _modify { yield &byVenue[venue] }
    }

    public init(from decoder: any Decoder) throws {
        if let single = try? FxHistory(from: decoder) {
            byVenue = PerVenue(repeating: FxHistory())
            byVenue[.upbit] = single
        } else {
            byVenue = try PerVenue(from: decoder)
        }
    }

    public func encode(to encoder: any Encoder) throws { try byVenue.encode(to: encoder) }
}

extension RiskState {
    /// Reads every checkpoint shape: those written before the symbol tier spanned several routes hold one route
    /// per asset, whose limits were the symbol's, so each route's cooldown, breaker and holdings become its
    /// asset's; and fewer rejection counts than reasons (the route tier's come last) read as zero.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        limits = try c.decode(RiskLimits.self, forKey: .limits)
        routes = try c.decode([RouteRiskState].self, forKey: .routes)
        totalExposureUSD = try c.decode(Fixed.self, forKey: .totalExposureUSD)
        venueExposureUSD = try c.decode(PerVenue<Fixed>.self, forKey: .venueExposureUSD)
        totalAllocatedUSD = try c.decode(Fixed.self, forKey: .totalAllocatedUSD)
        peakAllocatedUSD = try c.decode(Fixed.self, forKey: .peakAllocatedUSD)
        realizedUSD = try c.decode(Fixed.self, forKey: .realizedUSD)
        dayIndex = try c.decode(Int64.self, forKey: .dayIndex)
        realizedTodayUSD = try c.decode(Fixed.self, forKey: .realizedTodayUSD)
        dailyHaltDay = try c.decode(Int64.self, forKey: .dailyHaltDay)
        maxDailyLossSeenUSD = try c.decode(Double.self, forKey: .maxDailyLossSeenUSD)
        emergencyStopped = try c.decode(Bool.self, forKey: .emergencyStopped)
        orderWindows = try c.decode(PerVenue<OrderWindow>.self, forKey: .orderWindows)
        fx = try c.decode(FxHistories.self, forKey: .fx)
        decisionCount = try c.decode(Int.self, forKey: .decisionCount)
        tradesExecuted = try c.decode(Int.self, forKey: .tradesExecuted)
        tradesRejected = try c.decode(Int.self, forKey: .tradesRejected)
        decisionCounts = try c.decode([String: Int].self, forKey: .decisionCounts)
        let counts = try c.decode([Int].self, forKey: .rejectionCounts)
        rejectionCounts = counts + Array(repeating: 0, count: Swift.max(0, RiskReason.allCases.count - counts.count))
        legRejections = try c.decodeIfPresent([String: [String: Int]].self, forKey: .legRejections)
        openRejections = try c.decode([DecisionRecord?].self, forKey: .openRejections)
        unrealizedUSD = try c.decode(Double.self, forKey: .unrealizedUSD)
        if let symbols = try c.decodeIfPresent([SymbolRiskState].self, forKey: .symbols) {
            self.symbols = symbols
        } else {
            symbols = routes.map { r in
                var s = SymbolRiskState()
                (s.openPairs, s.allocationUSD, s.cooldownUntilNs) = (r.openPairs, r.allocationUSD, r.cooldownUntilNs)
                (s.consecutiveLosses, s.breakerUntilNs, s.breakerTriggered) = (r.consecutiveLosses, r.breakerUntilNs, r.breakerTriggered)
                return s
            }
            for i in routes.indices {
                (routes[i].cooldownUntilNs, routes[i].consecutiveLosses) = (.min, 0)
                (routes[i].breakerUntilNs, routes[i].breakerTriggered) = (.min, false)
            }
        }
    }
}
