import ArbCore
import Foundation
import Yams

/// Reads a config file (YAML or JSON) into a validated campaign config.
public enum ConfigLoader {
    public static func load(path: String) throws(ConfigError) -> CampaignConfig {
        try CampaignConfig.parse(tree(path: path))
    }

    /// The raw tree of a YAML or JSON file (JSON when the name ends in `.json`, YAML otherwise; JSON is valid YAML).
    public static func tree(path: String) throws(ConfigError) -> JSONValue {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConfigError(field: "(file)", "cannot read \(path): \(error.localizedDescription)")
        }
        guard data.count <= 16 * 1024 * 1024 else { throw ConfigError(field: "(file)", "\(path) is larger than 16 MiB") }
        if path.lowercased().hasSuffix(".json") { return try json(data, path: path) }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError(field: "(file)", "\(path) is not UTF-8 text") }
        return try yaml(text, path: path)
    }

    public static func json(_ data: Data, path: String) throws(ConfigError) -> JSONValue {
        do { return try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw ConfigError(field: "(file)", "\(path) is not valid JSON: \(describe(error))")
        }
    }

    public static func yaml(_ text: String, path: String) throws(ConfigError) -> JSONValue {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw ConfigError(field: "(file)", "\(path) is not valid YAML: \(error)")
        }
        guard let node else { return .object([:]) }
        return try convert(node, path: "")
    }

    private static func convert(_ node: Node, path: String) throws(ConfigError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.description) {
            case .null: return .null
            case .bool: return Bool.construct(from: scalar).map(JSONValue.bool) ?? .string(scalar.string)
            case .int:
                if let i = Int64(scalar.string) { return .int(i) }
                return Double.construct(from: scalar).map(JSONValue.double) ?? .string(scalar.string)
            case .float:
                guard let d = Double.construct(from: scalar), d.isFinite else {
                    throw ConfigError(field: path.isEmpty ? "(root)" : path, "\(scalar.string) is not a finite number")
                }
                return .double(d)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let k) = key else { throw ConfigError(field: path.isEmpty ? "(root)" : path, "keys must be plain strings") }
                let child = path.isEmpty ? k.string : path + "." + k.string
                if object[k.string] != nil { throw ConfigError(field: child, "duplicate key") }
                object[k.string] = try convert(value, path: child)
            }
            return .object(object)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for (i, item) in sequence.enumerated() { items.append(try convert(item, path: "\(path)[\(i)]")) }
            return .array(items)
        }
    }

    static func describe(_ error: any Error) -> String {
        if case .dataCorrupted(let ctx)? = error as? DecodingError {
            if let underlying = ctx.underlyingError { return "\(underlying)" }
            return ctx.debugDescription
        }
        return "\(error)"
    }
}
