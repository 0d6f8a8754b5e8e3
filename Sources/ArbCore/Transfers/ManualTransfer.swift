/// An operator's transfer request (`POST /campaigns/{id}/transfers`): `{"asset", "from", "to", "amount",
/// "network"?}`, the amount a number or an exact decimal string. Every field is checked and named when wrong.
public struct ManualTransfer: Sendable, Equatable {
    public var asset: String
    public var from: Venue
    public var to: Venue
    public var amount: Fixed
    public var network: String?

    static let keys: Set<String> = ["asset", "from", "to", "amount", "network"]

    /// Reads and checks `body` against the campaign's `venues`.
    public static func parse(_ body: JSONValue, venues: [Venue]) throws(ConfigError) -> ManualTransfer {
        guard case .object(let fields) = body else {
            throw ConfigError(field: "(body)", "expected an object with asset, from, to and amount, got \(body.typeName)")
        }
        var issues: [ConfigIssue] = []
        for key in fields.keys.sorted() where !keys.contains(key) {
            issues.append(ConfigIssue(field: key, message: "unknown key (asset, from, to, amount, network)"))
        }
        let asset = fields["asset"]?.stringValue ?? ""
        if !KeyRule.asset.accepts(asset) {
            issues.append(ConfigIssue(field: "asset", message: fields["asset"] == nil ? "is required" : "must be \(KeyRule.asset.description)"))
        }
        func venue(_ key: String) -> Venue? {
            guard let name = fields[key]?.stringValue else {
                issues.append(ConfigIssue(field: key, message: fields[key] == nil ? "is required" : "expected a venue name"))
                return nil
            }
            guard let v = Venue(rawValue: name), venues.contains(v) else {
                issues.append(ConfigIssue(field: key, message: "\(name) is not one of the campaign's venues (\(venues.map(\.rawValue).joined(separator: ", ")))"))
                return nil
            }
            return v
        }
        let from = venue("from"), to = venue("to")
        var amount: Fixed?
        switch fields["amount"] {
        case .string(let text)?: amount = Fixed(text)
        case let value? where value.doubleValue != nil:
            amount = value.doubleValue.flatMap { $0.isFinite && abs($0) < 9e10 ? Fixed($0) : nil }
        default: break
        }
        if amount == nil || !(amount!.isPositive) {
            issues.append(ConfigIssue(field: "amount", message: fields["amount"] == nil ? "is required"
                : "expected a positive amount (a number or a decimal string)"))
        }
        var network: String?
        if let n = fields["network"], !n.isNull {
            if let s = n.stringValue, !s.isEmpty, s.count <= 32 { network = s } else {
                issues.append(ConfigIssue(field: "network", message: "expected a network name (at most 32 characters)"))
            }
        }
        guard issues.isEmpty, let from, let to, let amount else { throw ConfigError(issues) }
        return ManualTransfer(asset: asset, from: from, to: to, amount: amount, network: network)
    }
}
