/// What a decision was about.
public enum DecisionKind: String, Sendable, Codable {
    case entry, exit
}

public enum DecisionOutcome: String, Sendable, Codable {
    case allowed, rejected
}

/// One entry or exit proposal that went through the risk tiers.
///
/// Allowances are one record each. Identical consecutive rejections of a route are folded into one record whose
/// `count` grows and whose `lastTimeNs` moves, so a route in cooldown does not flood the log; the folded record
/// is emitted again (same `id`) each time it changes.
public struct DecisionRecord: Sendable, Codable, Equatable {
    /// `D0000001`, in decision order (deterministic in simulated time).
    public var id: String
    public var route: String
    public var kind: DecisionKind
    public var outcome: DecisionOutcome
    /// The rejecting tier; nil for an allowance.
    public var tier: RiskTier?
    /// Rejection reason, or for an allowance why it was proposed (`edge`, `exit_threshold`, `max_hold`, …).
    public var reason: String
    public var count: Int
    public var firstTimeNs: Int64
    public var lastTimeNs: Int64
    public var direction: Direction
    public var requestedQuantity: Fixed
    /// Quantity allowed after every tier's clamp; nil for a rejection.
    public var approvedQuantity: Fixed?
    /// Net edge (entry) or unwind edge (exit) in bps at the time of the decision.
    public var edgeBps: Double
    /// Human-readable detail of the rejection (which limit, which value).
    public var detail: String?
}
