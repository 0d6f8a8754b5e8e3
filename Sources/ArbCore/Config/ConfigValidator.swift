/// Checks a config tree against a schema and fills in defaults. Collects every issue rather than stopping at
/// the first, each naming its field by dotted path.
public struct ConfigValidator {
    public let fields: [SchemaField]

    public init(_ fields: [SchemaField] = CampaignSchema.root) { self.fields = fields }

    /// The tree with every absent key set to its default; throws every issue found.
    public func normalize(_ value: JSONValue) throws(ConfigError) -> JSONValue {
        var issues: [ConfigIssue] = []
        let result: JSONValue
        if value.isNull {
            result = object(fields, .object([:]), path: "", &issues)
        } else {
            result = object(fields, value, path: "", &issues)
        }
        if !issues.isEmpty { throw ConfigError(issues) }
        return result
    }

    /// The defaults of the whole schema.
    public var defaults: JSONValue {
        var issues: [ConfigIssue] = []
        return object(fields, .object([:]), path: "", &issues)
    }

    private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

    private func object(_ fields: [SchemaField], _ value: JSONValue, path: String, _ issues: inout [ConfigIssue]) -> JSONValue {
        guard case .object(let given) = value else {
            issues.append(ConfigIssue(field: path.isEmpty ? "(root)" : path, message: "expected an object, got \(value.typeName)"))
            return value
        }
        var out: [String: JSONValue] = [:]
        let known = Set(fields.map(\.name))
        for key in given.keys.sorted() where !known.contains(key) {
            issues.append(ConfigIssue(field: join(path, key), message: "unknown key"))
        }
        for field in fields {
            let fieldPath = join(path, field.name)
            if let v = given[field.name] {
                if v.isNull {
                    if field.nullable { out[field.name] = .null; continue }
                    issues.append(ConfigIssue(field: fieldPath, message: "must not be null (\(field.type.summary))"))
                    continue
                }
                out[field.name] = check(field.type, v, path: fieldPath, &issues)
            } else if let d = field.defaultValue {
                out[field.name] = d.isNull ? .null : check(field.type, d, path: fieldPath, &issues)
            } else {
                issues.append(ConfigIssue(field: fieldPath, message: "is required (\(field.type.summary))"))
            }
        }
        return .object(out)
    }

    private func check(_ type: SchemaType, _ value: JSONValue, path: String, _ issues: inout [ConfigIssue]) -> JSONValue {
        func fail(_ message: String) -> JSONValue {
            issues.append(ConfigIssue(field: path, message: message))
            return value
        }
        switch type {
        case .object(let fields):
            return object(fields, value, path: path, &issues)
        case .map(let keyRule, let valueType, let maxEntries):
            guard case .object(let entries) = value else { return fail("expected an object, got \(value.typeName)") }
            if entries.count > maxEntries { return fail("at most \(maxEntries) entries") }
            var out: [String: JSONValue] = [:]
            for key in entries.keys.sorted() {
                guard keyRule.accepts(key) else {
                    issues.append(ConfigIssue(field: join(path, key), message: "key must be \(keyRule.description)"))
                    continue
                }
                out[key] = check(valueType, entries[key]!, path: join(path, key), &issues)
            }
            return .object(out)
        case .integer(let lo, let hi):
            guard let i = value.intValue else {
                return fail("expected an integer (\(type.summary)), got \(value.typeName)")
            }
            if i < lo || i > hi { return fail("\(i) is out of range (\(type.summary))") }
            return .int(i)
        case .number(let lo, let hi, let exclusive):
            guard let d = value.doubleValue, d.isFinite else { return fail("expected a number (\(type.summary)), got \(value.typeName)") }
            if d < lo || d > hi || (exclusive && d == lo) { return fail("\(SchemaType.format(d)) is out of range (\(type.summary))") }
            return value
        case .string(let maxLength):
            guard let s = value.stringValue else { return fail("expected a string, got \(value.typeName)") }
            if s.unicodeScalars.count > maxLength { return fail("longer than \(maxLength) characters") }
            return value
        case .enumeration(let allowed):
            guard let s = value.stringValue else { return fail("expected one of \(allowed.joined(separator: ", ")), got \(value.typeName)") }
            if !allowed.contains(s) { return fail("\"\(s)\" is not one of \(allowed.joined(separator: ", "))") }
            return value
        case .bool:
            guard value.boolValue != nil else { return fail("expected a boolean, got \(value.typeName)") }
            return value
        case .array(let item, let maxItems):
            guard case .array(let items) = value else { return fail("expected a list, got \(value.typeName)") }
            if items.count > maxItems { return fail("at most \(maxItems) items") }
            return .array(items.enumerated().map { check(item, $1, path: "\(path)[\($0)]", &issues) })
        case .symbol:
            guard let s = value.stringValue else { return fail("expected a symbol string, got \(value.typeName)") }
            guard Route.base(ofSymbol: s) != nil, s.count <= 24,
                  s.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) })
            else { return fail("\"\(s)\" is not a USDT symbol like BTCUSDT") }
            return value
        case .timestamp:
            guard let s = value.stringValue else { return fail("expected a timestamp string, got \(value.typeName)") }
            guard UTCTime.parse(s) != nil else { return fail("\"\(s)\" is not an RFC 3339 UTC time like 2026-01-01T00:00:00Z") }
            return value
        }
    }
}
