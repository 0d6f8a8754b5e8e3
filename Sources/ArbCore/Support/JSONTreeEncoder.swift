/// Encodes a `Codable` value into a `JSONValue` tree, so typed bodies leave through the one deterministic
/// renderer (`JSONValue.renderedBytes`) the rest of the wire uses, without Foundation.
///
/// Keys are written as the value's `CodingKeys` name them. A `nil` optional is written as `null` rather than left
/// out: every key of a response is always present, as the OpenAPI document promises (a type that omits a key
/// writes its own `encode(to:)`).
public enum JSONTree {
    public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = TreeNode()
        try root.store(value, codingPath: [])
        return root.value
    }
}

/// One node of the tree under construction: a reference, so nested containers can fill it after the call that
/// made them returns.
final class TreeNode {
    private enum Content {
        case empty
        case scalar(JSONValue)
        case object([String: TreeNode])
        case array([TreeNode])
    }

    private var content: Content = .empty

    var value: JSONValue {
        switch content {
        case .empty: return .object([:])
        case .scalar(let v): return v
        case .object(let o): return .object(o.mapValues(\.value))
        case .array(let a): return .array(a.map(\.value))
        }
    }

    func set(_ v: JSONValue) { content = .scalar(v) }

    func child(_ key: String) -> TreeNode {
        let node = TreeNode()
        if case .object(var o) = content {
            content = .empty // one owner while the dictionary is changed
            o[key] = node
            content = .object(o)
        } else {
            content = .object([key: node])
        }
        return node
    }

    func makeObject() { if case .object = content {} else { content = .object([:]) } }
    func makeArray() { if case .array = content {} else { content = .array([]) } }

    func append() -> TreeNode {
        let node = TreeNode()
        if case .array(var a) = content {
            content = .empty
            a.append(node)
            content = .array(a)
        } else {
            content = .array([node])
        }
        return node
    }

    var count: Int { if case .array(let a) = content { return a.count }; return 0 }

    /// Primitives and trees go in as they are; anything else encodes itself into this node.
    func store<T: Encodable>(_ v: T, codingPath: [any CodingKey]) throws {
        switch v {
        case let x as JSONValue: set(x)
        case let x as String: set(.string(x))
        case let x as Bool: set(.bool(x))
        case let x as Int: set(.int(Int64(x)))
        case let x as Int64: set(.int(x))
        case let x as Double: set(.double(x))
        case let x as Float: set(.double(Double(x)))
        // Every other integer type, here: the containers' defaults route them to this method, and encoding one
        // through its own `encode(to:)` would come straight back.
        case let x as any FixedWidthInteger:
            guard let i = Int64(exactly: x) else {
                throw EncodingError.invalidValue(x, .init(codingPath: codingPath, debugDescription: "\(x) does not fit a JSON integer"))
            }
            set(.int(i))
        default: try v.encode(to: TreeEncoder(node: self, codingPath: codingPath))
        }
    }
}

struct TreeKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

struct TreeEncoder: Encoder {
    let node: TreeNode
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedTreeEncoder<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedTreeEncoder(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleTreeEncoder(node: node, codingPath: codingPath) }
}

struct KeyedTreeEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: TreeNode
    var codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.child(key.stringValue).set(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try node.child(key.stringValue).store(value, codingPath: codingPath + [key])
    }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encode(value.map(JSONValue.bool) ?? .null, forKey: key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encode(value.map(JSONValue.string) ?? .null, forKey: key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encode(value.map(JSONValue.double) ?? .null, forKey: key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encode(value.map { JSONValue.int(Int64($0)) } ?? .null, forKey: key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encode(value.map(JSONValue.int) ?? .null, forKey: key) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey> {
        let child = node.child(key.stringValue)
        child.makeObject()
        return KeyedEncodingContainer(KeyedTreeEncoder<NestedKey>(node: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.child(key.stringValue)
        child.makeArray()
        return UnkeyedTreeEncoder(node: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.child("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        TreeEncoder(node: node.child(key.stringValue), codingPath: codingPath + [key])
    }
}

struct UnkeyedTreeEncoder: UnkeyedEncodingContainer {
    let node: TreeNode
    var codingPath: [any CodingKey]
    var count: Int { node.count }

    private var nextPath: [any CodingKey] { codingPath + [TreeKey(intValue: count)] }

    mutating func encodeNil() throws { node.append().set(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = nextPath
        try node.append().store(value, codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        let child = node.append()
        child.makeObject()
        return KeyedEncodingContainer(KeyedTreeEncoder<NestedKey>(node: child, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        let child = node.append()
        child.makeArray()
        return UnkeyedTreeEncoder(node: child, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let path = nextPath
        return TreeEncoder(node: node.append(), codingPath: path)
    }
}

struct SingleTreeEncoder: SingleValueEncodingContainer {
    let node: TreeNode
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.set(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.store(value, codingPath: codingPath) }
}
