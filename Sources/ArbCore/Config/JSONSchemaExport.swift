/// The config schema as JSON Schema 2020-12 (`arbitrage config schema`), reusable by the OpenAPI document.
public enum JSONSchemaExport {
    public static func document(title: String = "Arbitrage campaign config") -> JSONValue {
        guard case .object(var root) = object(CampaignSchema.root) else { return .null }
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        root["title"] = .string(title)
        return .object(root)
    }

    /// The schema of an object made of `fields`.
    public static func object(_ fields: [SchemaField]) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        for field in fields { properties[field.name] = property(field) }
        let required = fields.filter { $0.defaultValue == nil && !$0.nullable }.map { JSONValue.string($0.name) }
        var schema: [String: JSONValue] = ["type": "object", "additionalProperties": false, "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required) }
        return .object(schema)
    }

    /// The schema of one field, with its description and default.
    public static func property(_ field: SchemaField) -> JSONValue {
        guard case .object(var schema) = type(field.type) else { return .null }
        schema["description"] = .string(field.doc)
        if let rules = CampaignSchema.conditions[field.name], case .object = field.type { schema["allOf"] = .array(rules) }
        if let d = field.defaultValue, !(d == .object([:]) && isObject(field.type)) { schema["default"] = d }
        if field.nullable {
            if case .string(let t)? = schema["type"] {
                schema["type"] = [.string(t), "null"]
            }
            if case .array(let values)? = schema["enum"] { schema["enum"] = .array(values + [.null]) }
        }
        return .object(schema)
    }

    static func isObject(_ t: SchemaType) -> Bool {
        switch t { case .object, .map: return true; default: return false }
    }

    static func type(_ t: SchemaType) -> JSONValue {
        switch t {
        case .object(let fields):
            return object(fields)
        case .map(_, let value, let maxEntries):
            return ["type": "object", "propertyNames": ["pattern": "^[A-Z0-9]{1,20}$"], "additionalProperties": type(value),
                    "maxProperties": .int(Int64(maxEntries))]
        case .integer(let lo, let hi):
            return ["type": "integer", "minimum": .int(lo), "maximum": .int(hi)]
        case .number(let lo, let hi, let exclusive):
            return exclusive
                ? ["type": "number", "exclusiveMinimum": .double(lo), "maximum": .double(hi)]
                : ["type": "number", "minimum": .double(lo), "maximum": .double(hi)]
        case .string(let maxLength):
            return ["type": "string", "maxLength": .int(Int64(maxLength))]
        case .enumeration(let values):
            return ["type": "string", "enum": .array(values.map { .string($0) })]
        case .bool:
            return ["type": "boolean"]
        case .array(let item, let maxItems):
            return ["type": "array", "items": type(item), "maxItems": .int(Int64(maxItems))]
        case .symbol:
            return ["type": "string", "pattern": "^[A-Z0-9]{1,20}USDT$", "maxLength": 24]
        case .timestamp:
            return ["type": "string", "format": "date-time",
                    "pattern": "^(19[7-9][0-9]|2[01][0-9]{2})-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$"]
        }
    }
}
