/// Balances of one venue's paper account, per asset, with the totals that make them reconcile:
/// `initial + flows − fees − sent − transfer fees + received == balance` for every asset, exactly (integer
/// fixed point).
public struct Account: Sendable, Codable, Equatable, VenueSlot {
    public static func empty(for venue: Venue) -> Account { Account(venue: venue, initial: [:]) }

    public let venue: Venue
    public private(set) var initial: [String: Fixed]
    public private(set) var balances: [String: Fixed]
    /// Net fill flows before fees (quote out on buys, base in, …).
    public private(set) var flows: [String: Fixed]
    public private(set) var fees: [String: Fixed]
    /// Amounts withdrawn to other venues (fees apart), received from them (returns included), and withdrawal fees.
    public private(set) var sent: [String: Fixed] = [:]
    public private(set) var received: [String: Fixed] = [:]
    public private(set) var transferFees: [String: Fixed] = [:]

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

    /// A withdrawal: `amount` leaves for another venue and `fee` is paid on top.
    public mutating func withdraw(_ asset: String, amount: Fixed, fee: Fixed) {
        balances[asset, default: .zero] -= amount + fee
        sent[asset, default: .zero] += amount
        transferFees[asset, default: .zero] += fee
    }

    /// A deposit from another venue (or a failed withdrawal coming back).
    public mutating func receive(_ asset: String, _ amount: Fixed) {
        balances[asset, default: .zero] += amount
        received[asset, default: .zero] += amount
    }

    /// Every asset the account has ever held or moved.
    public var assets: Set<String> {
        var all = Set(initial.keys)
        for totals in [balances, flows, fees, sent, received, transferFees] { all.formUnion(totals.keys) }
        return all
    }

    /// Every asset whose balance differs from `initial + flows − fees − sent − transfer fees + received` (empty
    /// when the account reconciles).
    public func discrepancies() -> [String] { assets.sorted().filter(isOff) }

    /// Whether `discrepancies()` is empty, without sorting the assets (a report asks it of every venue).
    public var isReconciled: Bool { !assets.contains(where: isOff) }

    private func isOff(_ asset: String) -> Bool {
        func total(_ d: [String: Fixed]) -> Fixed { d[asset] ?? .zero }
        let traded: Fixed = total(initial) + total(flows) - total(fees)
        let moved: Fixed = total(received) - total(sent) - total(transferFees)
        return traded + moved != total(balances)
    }
}

extension Account {
    enum CodingKeys: String, CodingKey { case venue, initial, balances, flows, fees, sent, received, transferFees }

    /// Accounts checkpointed before transfers existed have none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        venue = try c.decode(Venue.self, forKey: .venue)
        initial = try c.decode([String: Fixed].self, forKey: .initial)
        balances = try c.decode([String: Fixed].self, forKey: .balances)
        flows = try c.decode([String: Fixed].self, forKey: .flows)
        fees = try c.decode([String: Fixed].self, forKey: .fees)
        sent = try c.decodeIfPresent([String: Fixed].self, forKey: .sent) ?? [:]
        received = try c.decodeIfPresent([String: Fixed].self, forKey: .received) ?? [:]
        transferFees = try c.decodeIfPresent([String: Fixed].self, forKey: .transferFees) ?? [:]
    }

    /// The transfer totals are written only once something moved, so checkpoints without transfers stay as they were.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(venue, forKey: .venue)
        try c.encode(initial, forKey: .initial)
        try c.encode(balances, forKey: .balances)
        try c.encode(flows, forKey: .flows)
        try c.encode(fees, forKey: .fees)
        if !sent.isEmpty || !received.isEmpty || !transferFees.isEmpty {
            try c.encode(sent, forKey: .sent)
            try c.encode(received, forKey: .received)
            try c.encode(transferFees, forKey: .transferFees)
        }
    }
}
