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

/// Paper accounts of both venues and their market-order matching: an order walks the levels of the snapshot it
/// hits (VWAP fill, partial when depth runs out) and pays the taker fee in quote currency. There is no cap on the
/// number of trades. Order and fill ids are per-venue sequences, so the same order flow gives the same ids.
public struct PaperExchange: Sendable, Codable, Equatable {
    public private(set) var upbit: Account
    public private(set) var binance: Account
    private var orderCount: PerVenue<Int>
    private var fillCount: PerVenue<Int>

    public init(upbit: [String: Fixed], binance: [String: Fixed]) {
        self.upbit = Account(venue: .upbit, initial: upbit)
        self.binance = Account(venue: .binance, initial: binance)
        orderCount = PerVenue(repeating: 0)
        fillCount = PerVenue(repeating: 0)
    }

    /// Inventory for a route joining a running campaign, counted as initial balance.
    public mutating func deposit(_ venue: Venue, _ asset: String, _ amount: Fixed) {
        if venue == .upbit { upbit.deposit(asset, amount) } else { binance.deposit(asset, amount) }
    }

    public func account(_ venue: Venue) -> Account { venue == .upbit ? upbit : binance }

    public func balance(_ venue: Venue, _ asset: String) -> Fixed { account(venue).balance(asset) }

    /// Executes `order` against `book` and books the fill.
    public mutating func execute(_ order: MarketOrder, against book: BookSnapshot) -> Result<Fill, OrderRejection> {
        orderCount[order.venue] += 1
        let orderId = "\(order.venue.idPrefix)-O\(Self.pad(orderCount[order.venue]))"
        let side = book.liquidity(for: order.side)
        guard !side.isEmpty else { return .failure(.noBook) }
        let instrument = order.route.instrument(on: order.venue)
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
            market: order.route.market(on: order.venue), route: order.route.key, tradeId: order.tradeId,
            role: order.role, side: order.side, requested: order.quantity, quantity: walk.filled,
            price: walk.vwap, notional: walk.notional, fee: fee, fx: order.fx, timeNs: order.timeNs,
            bookSequence: book.sequence)
        if order.venue == .upbit { upbit.apply(fill, base: order.route.base) } else { binance.apply(fill, base: order.route.base) }
        return .success(fill)
    }

    static func pad(_ n: Int) -> String {
        let s = String(n)
        return s.count >= 7 ? s : String(repeating: "0", count: 7 - s.count) + s
    }
}
