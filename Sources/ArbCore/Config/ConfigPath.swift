/// Config keys by dotted path (`strategy.entry_threshold_bps`): what a sweep varies.
extension CampaignSchema {
    /// The schema of the value at `path`; nil when the config has no such key.
    public static func type(at path: String) -> SchemaType? {
        var fields = root
        var found: SchemaType?
        for part in path.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            if case .map(let rule, let value, _)? = found {
                guard rule.accepts(part) else { return nil }
                found = value
                if case .object(let inner) = value { fields = inner } else { fields = [] }
                continue
            }
            if found != nil { guard case .object = found else { return nil } }
            guard let field = fields.first(where: { $0.name == part }) else { return nil }
            found = field.type
            if case .object(let inner) = field.type { fields = inner } else { fields = [] }
        }
        return found
    }
}

extension JSONValue {
    /// The tree with `value` at a dotted path, objects made on the way where absent (or not objects).
    public func setting(_ path: String, to value: JSONValue) -> JSONValue {
        setting(path.split(separator: ".").map(String.init)[...], to: value)
    }

    private func setting(_ parts: ArraySlice<String>, to value: JSONValue) -> JSONValue {
        guard let first = parts.first else { return value }
        var object = objectValue ?? [:]
        object[first] = (object[first] ?? .object([:])).setting(parts.dropFirst(), to: value)
        return .object(object)
    }
}
