/// What the campaign service refuses, in terms the HTTP layer maps to status codes.
public enum ServiceError: Error, Sendable, Equatable {
    /// The config or a parameter is invalid (fields named).
    case invalid(ConfigError)
    case notFound(String)
    /// The request conflicts with the campaign's state or the service's limits.
    case conflict(String)
    /// The store failed; nothing was changed.
    case unavailable(String)
}
