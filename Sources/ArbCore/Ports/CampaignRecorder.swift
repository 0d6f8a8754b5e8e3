/// Something a campaign emits as it happens, in order.
public enum CampaignEvent: Sendable {
    /// A new decision, or a folded rejection whose count changed (same id).
    case decision(DecisionRecord)
    case fill(Fill)
    /// A trade opened, or updated when it closes (same id).
    case trade(TradeRecord)
    /// A transfer requested, or updated when it changes state (same id).
    case transfer(Transfer)
}

/// Receives a campaign's events. Called on the hot path (under the coordinator's lock for decisions), so an
/// implementation only appends to a buffer; writing to disk happens elsewhere.
public protocol CampaignRecorder: Sendable {
    func record(_ event: CampaignEvent)
}

/// A recorder that drops everything.
public struct NullRecorder: CampaignRecorder {
    public init() {}
    public func record(_ event: CampaignEvent) {}
}
