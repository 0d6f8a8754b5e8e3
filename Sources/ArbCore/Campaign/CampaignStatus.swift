/// Where a campaign is in its life.
public enum CampaignStatus: String, Sendable, Codable {
    case pending, running, completed, stopped, failed
    /// The process ended under it; resumable.
    case interrupted

    public var isFinished: Bool { self == .completed || self == .stopped || self == .failed }
}

/// Why a campaign ended.
public enum StopReason: String, Sendable, Codable {
    /// An operator asked (SIGINT, the API).
    case requested
    case emergencyStop = "emergency_stop"
    /// `max_runtime_seconds` passed on the campaign clock.
    case runtime
    /// Every route reached `max_iterations`.
    case iterations
    /// A replay reached the end of its data.
    case endOfData = "end_of_data"
    /// A route failed with `per_symbol_isolation: false`, or every route failed.
    case routeFailed = "route_failed"
    case error
    /// The service shut down under it (SIGTERM) after a last checkpoint; it resumes from there.
    case interrupted

    public var status: CampaignStatus {
        switch self {
        case .runtime, .iterations, .endOfData: return .completed
        case .requested, .emergencyStop: return .stopped
        case .routeFailed, .error: return .failed
        case .interrupted: return .interrupted
        }
    }
}
