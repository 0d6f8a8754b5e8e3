/// A tier's rejection: the reason and the figures behind it. The text is only written when a new decision
/// record needs it, so a route rejected every evaluation (a cooldown) costs no formatting.
struct Rejection {
    var reason: RiskReason
    /// The measured value and the limit it met (USD, ms, seconds or a count, depending on the reason).
    var value: Double = 0
    var limit: Double = 0
    var venue: Venue?
    /// Words the figures cannot say (why a venue's feed is down).
    var note: String?

    var detail: String {
        func money(_ x: Double) -> String { Fixed(x).rounded(toMultipleOf: Fixed(raw: 1_000_000), .halfEven).description }
        let v = venue?.rawValue ?? ""
        switch reason {
        case .emergencyStop: return "campaign loss reached emergency_stop_loss_usd \(money(limit))"
        case .maxDailyLoss: return value > 0 ? "daily loss \(money(value)) ≥ \(money(limit))" : "daily loss limit hit earlier today"
        case .maxTotalExposure: return "exposure \(money(value)) of \(money(limit))"
        case .symbolAllocation: return "allocated \(money(value)) of cap \(money(limit))"
        case .totalCapital: return "allocated \(money(value)) of capital \(money(limit))"
        case .maxPositionCount: return "\(Int(value)) open of \(Int(limit))"
        case .cooldown: return "cooldown for \(money(value)) s more"
        case .circuitBreaker: return "halted for \(money(value)) s more"
        case .maxPositionSize: return "position \(money(value)) of \(money(limit))"
        case .crossedBook: return "\(v) book crossed"
        case .staleLeg: return "\(v) book \(Int(value)) ms old, limit \(Int(limit)) ms"
        case .staleFx: return "fx \(Int(value)) ms old, limit \(Int(limit)) ms"
        case .fxBand: return "fx \(value) outside the band around median \(limit)"
        case .maxExposure: return "\(v) exposure \(money(value)) of \(money(limit))"
        case .maxOrdersPerSecond: return "\(v) at \(Int(limit)) orders/s"
        case .inventoryExhausted: return "balances allow \(Fixed(value, rounding: .down)) units"
        case .routePositionSize: return "route position \(money(value)) of \(money(limit))"
        case .routeCooldown: return "route cooldown for \(money(value)) s more"
        case .routeCircuitBreaker: return "route halted for \(money(value)) s more"
        case .venueDown: return "\(v) feed down: \(note ?? "")"
        }
    }
}
