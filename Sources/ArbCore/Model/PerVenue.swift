/// One value per registered venue, indexed by the venue: the one place per-venue state lives, instead of pairs of
/// fields or arrays indexed by a venue test of their own. Encoded as an array in registry order; an array written
/// when fewer venues were registered (the two-venue release wrote `[upbit, binance]`) reads back with the later
/// venues empty.
public struct PerVenue<Value> {
    public private(set) var values: [Value]

    /// `make(venue)` for every venue.
    public init(_ make: (Venue) throws -> Value) rethrows {
        values = try Venue.allCases.map(make)
    }

    public init(repeating value: Value) {
        values = Array(repeating: value, count: Venue.allCases.count)
    }

    /// `values` in registry order, as written when fewer venues were registered: the venues past them take
    /// `fill(venue)`. Nil when there are more values than venues or fewer than the two-venue release wrote.
    public init?(padding values: [Value], with fill: (Venue) -> Value) {
        guard values.count >= 2, values.count <= Venue.allCases.count else { return nil }
        self.values = values + Venue.allCases.dropFirst(values.count).map(fill)
    }

    /// `value` on every venue but those `overrides` names.
    public init(_ value: Value, except overrides: [Venue: Value]) {
        values = Venue.allCases.map { overrides[$0] ?? value }
    }

    public subscript(venue: Venue) -> Value {
        @inline(__always) get { values[venue.index] }
        // In place: through a getter and a setter, `accounts[venue].apply(fill)` changed a copy of the account while
        // the array still held the original, so each fill copied every balance dictionary (1,000 assets at 1,000
        // routes).
        @inline(__always) _modify { yield &values[venue.index] }
    }

    /// Every venue with its value, in registry order.
    public var pairs: Zip2Sequence<[Venue], [Value]> { zip(Venue.allCases, values) }

    public func map<T>(_ transform: (Value) throws -> T) rethrows -> PerVenue<T> {
        try PerVenue<T>(values: values.map(transform))
    }

    private init(values: [Value]) { self.values = values }
}

extension PerVenue: Sendable where Value: Sendable {}
extension PerVenue: Equatable where Value: Equatable {}
extension PerVenue: Hashable where Value: Hashable {}

/// A value a venue's slot holds before anything happened on that venue (what a venue missing from an older
/// checkpoint reads as).
public protocol VenueSlot {
    static func empty(for venue: Venue) -> Self
}

extension Int: VenueSlot { public static func empty(for venue: Venue) -> Int { 0 } }
extension Int64: VenueSlot { public static func empty(for venue: Venue) -> Int64 { 0 } }
extension Bool: VenueSlot { public static func empty(for venue: Venue) -> Bool { false } }
extension Fixed: VenueSlot { public static func empty(for venue: Venue) -> Fixed { .zero } }
extension Dictionary: VenueSlot { public static func empty(for venue: Venue) -> Self { [:] } }
extension Optional: VenueSlot { public static func empty(for venue: Venue) -> Self { nil } }

extension PerVenue: Codable where Value: Codable & VenueSlot {
    public init(from decoder: any Decoder) throws {
        let values = try decoder.singleValueContainer().decode([Value].self)
        guard let padded = PerVenue(padding: values, with: Value.empty) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "\(values.count) values for \(Venue.allCases.count) venues"))
        }
        self = padded
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}
