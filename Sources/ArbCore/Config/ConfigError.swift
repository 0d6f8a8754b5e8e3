/// One thing wrong with a config, naming the field by its dotted path (`universe.top_n`).
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// A config that cannot run, with every issue found.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var issues: [ConfigIssue]

    public init(_ issues: [ConfigIssue]) { self.issues = issues }
    public init(field: String, _ message: String) { self.issues = [ConfigIssue(field: field, message: message)] }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
