/// Why the paper exchange refused an order.
public enum OrderRejection: String, Sendable, Codable, Error {
    case insufficientBalance = "insufficient_balance"
    case inventoryExhausted = "inventory_exhausted"
    case belowMinNotional = "below_min_notional"
    case noBook = "no_book"
}

/// A market order for the paper exchange.
public struct MarketOrder: Sendable {
    public var venue: Venue
    public var route: Route
    public var tradeId: String
    public var role: FillRole
    public var side: Side
    public var quantity: Fixed
    public var feeBps: Fixed
    public var fx: Fixed
    public var timeNs: Int64

    public init(venue: Venue, route: Route, tradeId: String, role: FillRole, side: Side, quantity: Fixed,
                feeBps: Fixed, fx: Fixed, timeNs: Int64) {
        self.venue = venue
        self.route = route
        self.tradeId = tradeId
        self.role = role
        self.side = side
        self.quantity = quantity
        self.feeBps = feeBps
        self.fx = fx
        self.timeNs = timeNs
    }
}

/// Paper accounts of every venue and their market-order matching: an order walks the levels of the snapshot it
/// hits (VWAP fill, partial when depth runs out) and pays the taker fee in quote currency. There is no cap on the
/// number of trades. Order and fill ids are per-venue sequences, so the same order flow gives the same ids. One
/// account per venue: every route on a venue draws on the same balances.
public struct PaperExchange: Sendable, Equatable {
    public private(set) var accounts: PerVenue<Account>
    private var orderCount: PerVenue<Int>
    private var fillCount: PerVenue<Int>
    /// Every transfer between the accounts (`PaperExchange+Transfers`).
    public internal(set) var transferBook = TransferBook()

    public init(balances: PerVenue<[String: Fixed]>) {
        accounts = PerVenue { Account(venue: $0, initial: balances[$0]) }
        orderCount = PerVenue(repeating: 0)
        fillCount = PerVenue(repeating: 0)
    }

    mutating func withdraw(_ venue: Venue, _ asset: String, amount: Fixed, fee: Fixed) {
        accounts[venue].withdraw(asset, amount: amount, fee: fee)
    }

    mutating func receive(_ venue: Venue, _ asset: String, _ amount: Fixed) { accounts[venue].receive(asset, amount) }

    /// Books a `KRW-USDT` fill: USDT is its base.
    mutating func applyConversion(_ fill: Fill) { accounts[fill.venue].apply(fill, base: "USDT") }

    /// Accounts on the seed's two venues only.
    public init(upbit: [String: Fixed], binance: [String: Fixed]) {
        self.init(balances: PerVenue { $0 == .upbit ? upbit : $0 == .binance ? binance : [:] })
    }

    /// Inventory for a route joining a running campaign, counted as initial balance.
    public mutating func deposit(_ venue: Venue, _ asset: String, _ amount: Fixed) {
        accounts[venue].deposit(asset, amount)
    }

    @inline(__always) public func account(_ venue: Venue) -> Account { accounts[venue] }

    public func balance(_ venue: Venue, _ asset: String) -> Fixed { account(venue).balance(asset) }

    /// Executes `order` against `book` and books the fill.
    public mutating func execute(_ order: MarketOrder, against book: BookSnapshot) -> Result<Fill, OrderRejection> {
        orderCount[order.venue] += 1
        let orderId = "\(order.venue.idPrefix)-O\(Self.pad(orderCount[order.venue]))"
        let side = book.liquidity(for: order.side)
        guard !side.isEmpty else { return .failure(.noBook) }
        guard let leg = order.route.leg(on: order.venue) else { return .failure(.noBook) }
        let instrument = order.route.instrument(leg)
        if order.quantity.multiplied(by: side.best) < instrument.minNotional || order.quantity.isZero {
            return .failure(.belowMinNotional)
        }
        let walk = side.walk(order.quantity)
        guard walk.filled.isPositive else { return .failure(.noBook) }
        let fee = walk.notional.basisPoints(order.feeBps, rounding: .up)
        let account = self.account(order.venue)
        switch order.side {
        case .buy:
            if account.balance(order.venue.quoteAsset) < walk.notional + fee { return .failure(.insufficientBalance) }
        case .sell:
            if account.balance(order.route.base) < walk.filled { return .failure(.inventoryExhausted) }
        }
        fillCount[order.venue] += 1
        let fill = Fill(
            id: "\(order.venue.idPrefix)-F\(Self.pad(fillCount[order.venue]))", orderId: orderId, venue: order.venue,
            market: order.route.market(leg), route: order.route.key, tradeId: order.tradeId,
            role: order.role, side: order.side, requested: order.quantity, quantity: walk.filled,
            price: walk.vwap, notional: walk.notional, fee: fee, fx: order.fx, timeNs: order.timeNs,
            bookSequence: book.sequence)
        accounts[order.venue].apply(fill, base: order.route.base)
        return .success(fill)
    }

    /// The next order and fill ids of `venue` (a conversion's, which has no refusal after its checks).
    mutating func nextIds(_ venue: Venue) -> (order: String, fill: String) {
        orderCount[venue] += 1
        fillCount[venue] += 1
        return ("\(venue.idPrefix)-O\(Self.pad(orderCount[venue]))", "\(venue.idPrefix)-F\(Self.pad(fillCount[venue]))")
    }

    static func pad(_ n: Int) -> String {
        let s = String(n)
        return s.count >= 7 ? s : String(repeating: "0", count: 7 - s.count) + s
    }
}

extension PaperExchange: Codable {
    enum CodingKeys: String, CodingKey { case accounts, orderCount, fillCount, transfers, upbit, binance }

    /// Reads both shapes: accounts per venue, and the two-venue release's `upbit` and `binance`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let accounts = try c.decodeIfPresent(PerVenue<Account>.self, forKey: .accounts) {
            self.accounts = accounts
        } else {
            let upbit = try c.decode(Account.self, forKey: .upbit), binance = try c.decode(Account.self, forKey: .binance)
            accounts = PerVenue { $0 == .upbit ? upbit : $0 == .binance ? binance : .empty(for: $0) }
        }
        orderCount = try c.decode(PerVenue<Int>.self, forKey: .orderCount)
        fillCount = try c.decode(PerVenue<Int>.self, forKey: .fillCount)
        transferBook = try c.decodeIfPresent(TransferBook.self, forKey: .transfers) ?? TransferBook()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(accounts, forKey: .accounts)
        try c.encode(orderCount, forKey: .orderCount)
        try c.encode(fillCount, forKey: .fillCount)
        // Written once something moved, so checkpoints of campaigns without transfers stay as they were.
        if !transferBook.isEmpty { try c.encode(transferBook, forKey: .transfers) }
    }
}
