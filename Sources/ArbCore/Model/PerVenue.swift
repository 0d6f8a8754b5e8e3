/// One value per venue, indexed by the venue: the one place per-venue state lives, instead of pairs of fields or
/// arrays indexed by a `venue == .upbit ? 0 : 1` of their own. Encoded as an array in `Venue.allCases` order
/// (what checkpoints held before it existed, so they still read).
public struct PerVenue<Value> {
    public private(set) var values: [Value]

    /// `make(venue)` for every venue.
    public init(_ make: (Venue) throws -> Value) rethrows {
        values = try Venue.allCases.map(make)
    }

    public init(repeating value: Value) {
        values = Array(repeating: value, count: Venue.allCases.count)
    }

    public subscript(venue: Venue) -> Value {
        @inline(__always) get { values[venue.index] }
        @inline(__always) set { values[venue.index] = newValue }
    }

    /// Every venue with its value, in `Venue.allCases` order.
    public var pairs: Zip2Sequence<[Venue], [Value]> { zip(Venue.allCases, values) }

    public func map<T>(_ transform: (Value) throws -> T) rethrows -> PerVenue<T> {
        try PerVenue<T>(values: values.map(transform))
    }

    private init(values: [Value]) { self.values = values }
}

extension PerVenue: Sendable where Value: Sendable {}
extension PerVenue: Equatable where Value: Equatable {}

extension PerVenue: Codable where Value: Codable {
    public init(from decoder: any Decoder) throws {
        let values = try decoder.singleValueContainer().decode([Value].self)
        guard values.count == Venue.allCases.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "\(values.count) values for \(Venue.allCases.count) venues"))
        }
        self.init(values: values)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}
