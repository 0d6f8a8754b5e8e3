/// The type and range of one config value. One schema describes the whole config: the validator, the
/// defaults, `docs/config.md` and the published JSON Schema are all derived from it.
public indirect enum SchemaType: Sendable {
    /// Named fields; any other key is an error.
    case object([SchemaField])
    /// Free keys matching `KeyRule`, each with a value of one type (`paper.initial_balances.upbit.BTC`).
    case map(key: KeyRule, value: SchemaType, maxEntries: Int)
    case integer(min: Int64, max: Int64)
    /// `exclusiveMin`: the minimum itself is not allowed (`> 0`).
    case number(min: Double, max: Double, exclusiveMin: Bool)
    case string(maxLength: Int)
    case enumeration([String])
    case bool
    case array(SchemaType, maxItems: Int)
    /// A USDT symbol: `BTCUSDT`.
    case symbol
    /// An RFC 3339 UTC instant: `2026-01-01T00:00:00Z`.
    case timestamp
}

/// What the keys of a `.map` may be.
public enum KeyRule: Sendable {
    /// An asset code: 1–20 uppercase letters or digits.
    case asset

    func accepts(_ key: String) -> Bool {
        switch self {
        case .asset:
            return !key.isEmpty && key.count <= 20 && key.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }
        }
    }

    var description: String { "an asset code (1–20 uppercase letters or digits)" }
}

/// One named value of an object.
public struct SchemaField: Sendable {
    public var name: String
    public var type: SchemaType
    /// The value when the key is absent; `.null` for an optional value without one.
    public var defaultValue: JSONValue?
    public var nullable: Bool
    public var doc: String

    public init(_ name: String, _ type: SchemaType, default defaultValue: JSONValue? = nil, nullable: Bool = false,
                doc: String) {
        self.name = name
        self.type = type
        if let defaultValue {
            self.defaultValue = defaultValue
        } else {
            self.defaultValue = nullable ? JSONValue.null : Optional<JSONValue>.none
        }
        self.nullable = nullable
        self.doc = doc
    }

    /// A nested object whose default is built from its fields' defaults.
    public static func section(_ name: String, doc: String, _ fields: [SchemaField]) -> SchemaField {
        SchemaField(name, .object(fields), default: .object([:]), doc: doc)
    }
}

extension SchemaType {
    /// Human-readable type and range, for errors and docs.
    public var summary: String {
        switch self {
        case .object: return "object"
        case .map(_, let value, let max): return "map of asset → \(value.summary) (at most \(max) entries)"
        case .integer(let lo, let hi): return "integer \(lo)…\(hi)"
        case .number(let lo, let hi, let exclusive):
            return "number \(exclusive ? "> " : "")\(Self.format(lo))…\(Self.format(hi))"
        case .string(let max): return "string (≤ \(max) characters)"
        case .enumeration(let values): return "one of " + values.joined(separator: ", ")
        case .bool: return "boolean"
        case .array(let item, let max): return "list of \(item.summary) (at most \(max))"
        case .symbol: return "USDT symbol like BTCUSDT"
        case .timestamp: return "RFC 3339 UTC time like 2026-01-01T00:00:00Z, years 1970–2199"
        }
    }

    static func format(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}
