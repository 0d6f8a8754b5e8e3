/// Encodes a `Codable` value into a `JSONValue` tree, so typed bodies leave through the one deterministic
/// renderer (`JSONValue.renderedBytes`) the rest of the wire uses, without Foundation.
///
/// Keys are written as the value's `CodingKeys` name them. A `nil` optional is written as `null` rather than left
/// out: every key of a response is always present, as the OpenAPI document promises (a type that omits a key
/// writes its own `encode(to:)`).
public enum JSONTree {
    public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = TreeNode()
        try root.store(value)
        return root.value
    }

    /// `value` as compact JSON text, the bytes `encode(value).renderedBytes()` gives, written straight from the
    /// encoded members (no tree of dictionaries to build, hash and sort again).
    public static func renderedBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        let root = TreeNode()
        try root.store(value)
        var out: [UInt8] = []
        out.reserveCapacity(4_096)
        var orders = TreeNode.Orders()
        root.write(into: &out, orders: &orders)
        return out
    }
}

/// One container of the tree under construction: a reference, so nested containers can fill it after the call
/// that made them returns. Primitives are stored in place; only nested containers get a node of their own.
final class TreeNode {
    enum Slot {
        case value(JSONValue)
        case node(TreeNode)

        var value: JSONValue {
            switch self {
            case .value(let v): return v
            case .node(let n): return n.value
            }
        }
    }

    private enum Content {
        case empty
        case scalar(JSONValue)
        /// Members in the order they were encoded (a key written twice keeps its last value): no hashing until
        /// the tree is built, once.
        case object([(String, Slot)])
        case array([Slot])
    }

    private var content: Content = .empty
    /// The coding keys' type of a keyed container: objects of one type are usually written with the same keys in
    /// the same order, so their sorted order is worked out once per type (`Orders`).
    var keyType: ObjectIdentifier?

    /// Sorted member orders by coding keys' type, with the keys they were sorted for (a reuse checks them).
    typealias Orders = [ObjectIdentifier: (keys: [String], order: [Int])]

    var value: JSONValue {
        switch content {
        case .empty: return .object([:])
        case .scalar(let v): return v
        case .object(let members):
            var o: [String: JSONValue] = [:]
            o.reserveCapacity(members.count)
            for (key, slot) in members { o[key] = slot.value }
            return .object(o)
        case .array(let a): return .array(a.map(\.value))
        }
    }

    func set(_ v: JSONValue) { content = .scalar(v) }

    /// Compact JSON as the renderer writes it: object members sorted by key (the last of a key written twice).
    func write(into out: inout [UInt8], orders: inout Orders) {
        switch content {
        case .empty: out.append(contentsOf: "{}".utf8)
        case .scalar(let v): v.write(into: &out, indent: -1)
        case .object(let members):
            if members.isEmpty { out.append(contentsOf: "{}".utf8); return }
            let order = Self.order(of: members, keyType: keyType, orders: &orders)
            out.append(UInt8(ascii: "{"))
            var first = true
            for (i, index) in order.enumerated() {
                if i + 1 < order.count, members[order[i + 1]].0 == members[index].0 { continue }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSONValue.escape(members[index].0, into: &out)
                out.append(UInt8(ascii: ":"))
                Self.write(members[index].1, into: &out, orders: &orders)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let items):
            if items.isEmpty { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.write(item, into: &out, orders: &orders)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    private static func write(_ slot: Slot, into out: inout [UInt8], orders: inout Orders) {
        switch slot {
        case .value(let v): v.write(into: &out, indent: -1)
        case .node(let n): n.write(into: &out, orders: &orders)
        }
    }

    /// The members' indices by key (a key written twice: in the order written). Sorted once per coding keys'
    /// type and reused while its objects come with the same keys: the 1,000 entries of a route map were each
    /// sorted, their keys compared as strings, retained and released at every step.
    private static func order(of members: [(String, Slot)], keyType: ObjectIdentifier?, orders: inout Orders) -> [Int] {
        if let keyType, let known = orders[keyType], known.keys.count == members.count,
           zip(known.keys, members).allSatisfy({ $0 == $1.0 }) {
            return known.order
        }
        var order = Array(members.indices)
        // ASCII keys (every key the service writes: symbols, routes, venues, reasons) sort by their bytes, the
        // same order as the strings' and without retaining a key per comparison; others as strings.
        var bytes: [UInt8] = []
        var spans: [(start: Int, count: Int)] = []
        spans.reserveCapacity(members.count)
        for member in members {
            let start = bytes.count
            bytes.append(contentsOf: member.0.utf8)
            spans.append((start, bytes.count - start))
        }
        if bytes.allSatisfy({ $0 < 0x80 }) {
            // Each key's first eight bytes as one big-endian integer (zeros past its end, which no key holds, so
            // a key sorts before its extensions): most pairs of keys are told apart by one integer comparison.
            var keyed = bytes.withUnsafeBufferPointer { b in
                spans.enumerated().map { i, span -> (prefix: UInt64, index: Int) in
                    var prefix: UInt64 = 0
                    for k in 0..<8 { prefix = prefix << 8 | UInt64(k < span.count ? b[span.start + k] : 0) }
                    return (prefix, i)
                }
            }
            bytes.withUnsafeBufferPointer { b in
                spans.withUnsafeBufferPointer { s in
                    keyed.sort { x, y in
                        if x.prefix != y.prefix { return x.prefix < y.prefix }
                        let (p, q) = (s[x.index], s[y.index])
                        for i in Swift.min(8, p.count, q.count)..<Swift.min(p.count, q.count) where b[p.start + i] != b[q.start + i] {
                            return b[p.start + i] < b[q.start + i]
                        }
                        return p.count != q.count ? p.count < q.count : x.index < y.index
                    }
                }
            }
            order = keyed.map(\.index)
        } else {
            members.withUnsafeBufferPointer { m in
                order.sort { m[$0].0 != m[$1].0 ? m[$0].0 < m[$1].0 : $0 < $1 }
            }
        }
        if let keyType { orders[keyType] = (members.map(\.0), order) }
        return order
    }

    func put(_ key: String, _ slot: Slot) {
        if case .object(var o) = content {
            content = .empty // one owner while the dictionary is changed
            o.append((key, slot))
            content = .object(o)
        } else {
            content = .object([(key, slot)])
        }
    }

    func append(_ slot: Slot) {
        if case .array(var a) = content {
            content = .empty
            a.append(slot)
            content = .array(a)
        } else {
            content = .array([slot])
        }
    }

    func child(_ key: String) -> TreeNode {
        let node = TreeNode()
        put(key, .node(node))
        return node
    }

    func appendChild() -> TreeNode {
        let node = TreeNode()
        append(.node(node))
        return node
    }

    func makeObject() { if case .object = content {} else { content = .object([]) } }
    func makeArray() { if case .array = content {} else { content = .array([]) } }

    var count: Int { if case .array(let a) = content { return a.count }; return 0 }

    /// `v` as a slot: a primitive in place, anything else encoded into a node of its own.
    static func slot<T: Encodable>(_ v: T) throws -> Slot {
        if let p = try primitive(v) { return .value(p) }
        let node = TreeNode()
        try v.encode(to: TreeEncoder(node: node))
        return .node(node)
    }

    /// Encodes `v` into this node.
    func store<T: Encodable>(_ v: T) throws {
        if let p = try Self.primitive(v) { set(p) } else { try v.encode(to: TreeEncoder(node: self)) }
    }

    /// Primitives and trees as they are; nil for anything that encodes itself. Types are told apart by their
    /// metatypes (a comparison) before any dynamic cast (which costs far more).
    @inline(__always)
    static func primitive<T: Encodable>(_ v: T) throws -> JSONValue? {
        let t = T.self
        if t == String.self { return .string(unsafeBitCast(v, to: String.self)) }
        if t == Double.self { return .double(unsafeBitCast(v, to: Double.self)) }
        if t == Int.self { return .int(Int64(unsafeBitCast(v, to: Int.self))) }
        if t == Bool.self { return .bool(unsafeBitCast(v, to: Bool.self)) }
        if t == JSONValue.self { return (v as! JSONValue) }
        if t == Int64.self { return .int(unsafeBitCast(v, to: Int64.self)) }
        if t == Float.self { return .double(Double(unsafeBitCast(v, to: Float.self))) }
        // Every other integer type, here: the containers' defaults route them to this method, and encoding one
        // through its own `encode(to:)` would come straight back. Named one by one: asking whether a type
        // conforms to `FixedWidthInteger` scanned the binary's conformance records for each new type encoded
        // (a tenth of writing a 1,000-route report).
        if t == UInt64.self { return try integer(unsafeBitCast(v, to: UInt64.self)) }
        if t == Int32.self { return .int(Int64(unsafeBitCast(v, to: Int32.self))) }
        if t == UInt32.self { return .int(Int64(unsafeBitCast(v, to: UInt32.self))) }
        if t == UInt.self { return try integer(unsafeBitCast(v, to: UInt.self)) }
        if t == Int16.self { return .int(Int64(unsafeBitCast(v, to: Int16.self))) }
        if t == UInt16.self { return .int(Int64(unsafeBitCast(v, to: UInt16.self))) }
        if t == Int8.self { return .int(Int64(unsafeBitCast(v, to: Int8.self))) }
        if t == UInt8.self { return .int(Int64(unsafeBitCast(v, to: UInt8.self))) }
        return nil
    }

    private static func integer<I: FixedWidthInteger>(_ x: I) throws -> JSONValue {
        guard let i = Int64(exactly: x) else {
            throw EncodingError.invalidValue(x, .init(codingPath: [], debugDescription: "\(x) does not fit a JSON integer"))
        }
        return .int(i)
    }
}

struct TreeKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

/// The encoders keep no coding path (`codingPath` is empty): building one is an array per value, and the only
/// encoding error, an integer too wide for JSON, names the value instead.
struct TreeEncoder: Encoder {
    let node: TreeNode
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        node.keyType = ObjectIdentifier(Key.self)
        return KeyedEncodingContainer(KeyedTreeEncoder<Key>(node: node))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedTreeEncoder(node: node)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleTreeEncoder(node: node) }
}

struct KeyedTreeEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: TreeNode
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws { node.put(key.stringValue, .value(.null)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { node.put(key.stringValue, try TreeNode.slot(value)) }
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
        child.keyType = ObjectIdentifier(NestedKey.self)
        return KeyedEncodingContainer(KeyedTreeEncoder<NestedKey>(node: child))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.child(key.stringValue)
        child.makeArray()
        return UnkeyedTreeEncoder(node: child)
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.child("super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(node: node.child(key.stringValue)) }
}

struct UnkeyedTreeEncoder: UnkeyedEncodingContainer {
    let node: TreeNode
    var codingPath: [any CodingKey] { [] }
    var count: Int { node.count }

    mutating func encodeNil() throws { node.append(.value(.null)) }
    mutating func encode<T: Encodable>(_ value: T) throws { node.append(try TreeNode.slot(value)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = node.appendChild()
        child.makeObject()
        child.keyType = ObjectIdentifier(NestedKey.self)
        return KeyedEncodingContainer(KeyedTreeEncoder<NestedKey>(node: child))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = node.appendChild()
        child.makeArray()
        return UnkeyedTreeEncoder(node: child)
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.appendChild()) }
}

struct SingleTreeEncoder: SingleValueEncodingContainer {
    let node: TreeNode
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { node.set(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.store(value) }
}
