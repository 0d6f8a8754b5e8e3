/// Balances of one venue's paper account, per asset, with the totals that make them reconcile:
/// `initial + flows − fees == balance` for every asset, exactly (integer fixed point).
public struct Account: Sendable, Codable, Equatable, VenueSlot {
    public static func empty(for venue: Venue) -> Account { Account(venue: venue, initial: [:]) }

    public let venue: Venue
    public private(set) var initial: [String: Fixed]
    public private(set) var balances: [String: Fixed]
    /// Net fill flows before fees (quote out on buys, base in, …).
    public private(set) var flows: [String: Fixed]
    public private(set) var fees: [String: Fixed]

    public init(venue: Venue, initial: [String: Fixed]) {
        self.venue = venue
        self.initial = initial
        self.balances = initial
        self.flows = [:]
        self.fees = [:]
    }

    public func balance(_ asset: String) -> Fixed { balances[asset] ?? .zero }

    /// Adds `amount` of `asset` to the account as if it had been there from the start (inventory for a route
    /// that joins a running campaign): initial and balance grow together, so the account still reconciles.
    public mutating func deposit(_ asset: String, _ amount: Fixed) {
        initial[asset, default: .zero] += amount
        balances[asset, default: .zero] += amount
    }

    /// Books a fill: base and quote move by the fill's quantity and notional, the fee is taken in quote.
    public mutating func apply(_ fill: Fill, base: String) {
        let quote = venue.quoteAsset
        let baseDelta = fill.side == .buy ? fill.quantity : -fill.quantity
        let quoteDelta = fill.side == .buy ? -fill.notional : fill.notional
        balances[base, default: .zero] += baseDelta
        flows[base, default: .zero] += baseDelta
        balances[quote, default: .zero] += quoteDelta - fill.fee
        flows[quote, default: .zero] += quoteDelta
        fees[quote, default: .zero] += fill.fee
    }

    /// Every asset whose balance differs from `initial + flows − fees` (empty when the account reconciles).
    public func discrepancies() -> [String] {
        let assets = Set(initial.keys).union(balances.keys).union(flows.keys).union(fees.keys)
        return assets.sorted().filter { asset in
            let expected = (initial[asset] ?? .zero) + (flows[asset] ?? .zero) - (fees[asset] ?? .zero)
            return expected != (balances[asset] ?? .zero)
        }
    }
}
