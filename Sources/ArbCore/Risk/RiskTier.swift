/// The tiers a proposal goes through, in order. `execution` is the last: the paper venue refusing a leg the risk
/// tiers allowed (`OrderRejection`: a balance spent by another route's leg meanwhile, a book emptied while the
/// leg was on its way).
public enum RiskTier: String, Sendable, Codable, CaseIterable {
    case global, portfolio, symbol, route, data, exchange, execution
}

/// Why a tier rejected (or shrank past the minimum) a proposal.
public enum RiskReason: String, Sendable, Codable, CaseIterable {
    // global
    case maxTotalExposure = "max_total_exposure"
    case maxDailyLoss = "max_daily_loss"
    case emergencyStop = "emergency_stop"
    // portfolio
    case symbolAllocation = "symbol_allocation"
    case totalCapital = "total_capital"
    // symbol
    case maxPositionSize = "max_position_size"
    case maxPositionCount = "max_position_count"
    case cooldown
    case circuitBreaker = "circuit_breaker"
    // data
    case staleLeg = "stale_leg"
    case staleFx = "stale_fx"
    case crossedBook = "crossed_book"
    case fxBand = "fx_band"
    // exchange
    case maxExposure = "max_exposure"
    case maxOrdersPerSecond = "max_orders_per_second"
    case inventoryExhausted = "inventory_exhausted"
    // route (last: checkpoints count rejections by ordinal, and those written before the tier have none of these)
    case routePositionSize = "route_position_size"
    case routeCooldown = "route_cooldown"
    case routeCircuitBreaker = "route_circuit_breaker"
    // data, live: a leg's venue feed is down (after the route tier for the same reason)
    case venueDown = "venue_down"

    public var tier: RiskTier {
        switch self {
        case .maxTotalExposure, .maxDailyLoss, .emergencyStop: return .global
        case .symbolAllocation, .totalCapital: return .portfolio
        case .maxPositionSize, .maxPositionCount, .cooldown, .circuitBreaker: return .symbol
        case .staleLeg, .staleFx, .crossedBook, .fxBand, .venueDown: return .data
        case .maxExposure, .maxOrdersPerSecond, .inventoryExhausted: return .exchange
        case .routePositionSize, .routeCooldown, .routeCircuitBreaker: return .route
        }
    }

    /// Position in `allCases`, for counting without hashing.
    public var ordinal: Int {
        switch self {
        case .maxTotalExposure: return 0
        case .maxDailyLoss: return 1
        case .emergencyStop: return 2
        case .symbolAllocation: return 3
        case .totalCapital: return 4
        case .maxPositionSize: return 5
        case .maxPositionCount: return 6
        case .cooldown: return 7
        case .circuitBreaker: return 8
        case .staleLeg: return 9
        case .staleFx: return 10
        case .crossedBook: return 11
        case .fxBand: return 12
        case .maxExposure: return 13
        case .maxOrdersPerSecond: return 14
        case .inventoryExhausted: return 15
        case .routePositionSize: return 16
        case .routeCooldown: return 17
        case .routeCircuitBreaker: return 18
        case .venueDown: return 19
        }
    }
}
