/// One of a route's two legs: A on the pair's first venue, B on the second (SPEC §8: the edges hold with A = the
/// first venue). Orders in flight, pairing and audit trails are per leg; balances and limits are per venue.
public enum Leg: Int, Sendable, Hashable, Codable, CaseIterable {
    case a = 0
    case b = 1

    public var other: Leg { self == .a ? .b : .a }
}

/// One value per leg. Encoded as a two-element array `[a, b]`: what checkpoints of the two-venue release held
/// per venue, Upbit (A) first.
public struct PerLeg<Value> {
    public var a: Value
    public var b: Value

    public init(a: Value, b: Value) {
        self.a = a
        self.b = b
    }

    public init(repeating value: Value) { self.init(a: value, b: value) }

    public init(_ make: (Leg) throws -> Value) rethrows { self.init(a: try make(.a), b: try make(.b)) }

    public subscript(leg: Leg) -> Value {
        @inline(__always) get { leg == .a ? a : b }
        // In place, as PerVenue's: a getter and a setter change a copy, which copies a copy-on-write value.
        @inline(__always) _modify {
            if leg == .a { yield &a } else { yield &b }
        }
    }

    public var values: [Value] { [a, b] }

    public func map<T>(_ transform: (Value) throws -> T) rethrows -> PerLeg<T> {
        PerLeg<T>(a: try transform(a), b: try transform(b))
    }
}

extension PerLeg: Sendable where Value: Sendable {}
extension PerLeg: Equatable where Value: Equatable {}
extension PerLeg: Hashable where Value: Hashable {}

extension PerLeg: Codable where Value: Codable {
    public init(from decoder: any Decoder) throws {
        let values = try decoder.singleValueContainer().decode([Value].self)
        guard values.count == 2 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(values.count) values for two legs"))
        }
        self.init(a: values[0], b: values[1])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode([a, b])
    }
}
