import ArbCore
import Yams

/// JSON values written as YAML: keys sorted, strings double-quoted (so `"200"` or `"true"` stay strings),
/// numbers as JSON writes them.
public enum YAMLText {
    public static func render(_ value: JSONValue) throws -> String {
        try Yams.serialize(node: node(value), indent: 2, width: -1, allowUnicode: true)
    }

    static func node(_ value: JSONValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .int, .double: return Node(value.rendered(pretty: false), value.intValue != nil ? Tag(.int) : Tag(.float))
        case .string(let s): return Node(s, Tag(.str), .doubleQuoted)
        case .array(let items): return Node(items.map(node))
        case .object(let o):
            return Node(o.keys.sorted().map { key in
                let plain = key.first.map { $0.isLetter || $0 == "_" || $0 == "$" } ?? false
                    && key.allSatisfy { $0.isLetter || $0.isNumber || "_$.-".contains($0) }
                return (Node(key, Tag(.str), plain ? .plain : .doubleQuoted), node(o[key]!))
            })
        }
    }
}
