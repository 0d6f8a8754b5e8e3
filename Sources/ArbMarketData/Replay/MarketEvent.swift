import ArbCore

/// One book of one market at one moment, as recorded or replayed: a full top-of-book snapshot (the books the
/// service uses are all full snapshots: Upbit's orderbook messages, Binance partial depth and bookTicker,
/// Tardis book snapshots and quotes).
public struct MarketEvent: Sendable, Equatable {
    public var venue: Venue
    /// The exchange's own spelling: `KRW-BTC` (Upbit, also `KRW-USDT` for fx), `BTCUSDT` (Binance).
    public var symbol: String
    /// When the book was received (ns since epoch): the replay's clock and what data age is measured from.
    public var timeNs: Int64
    /// The exchange's timestamp (ns since epoch); the receive time when the exchange gives none.
    public var exchangeTimeNs: Int64
    public var bids: BookSide
    public var asks: BookSide

    public init(venue: Venue, symbol: String, timeNs: Int64, exchangeTimeNs: Int64, bids: BookSide, asks: BookSide) {
        self.venue = venue
        self.symbol = symbol
        self.timeNs = timeNs
        self.exchangeTimeNs = exchangeTimeNs
        self.bids = bids
        self.asks = asks
    }

    /// `upbit:KRW-BTC`: a market's name across files.
    public var marketKey: String { MarketEvent.key(venue, symbol) }

    public static func key(_ venue: Venue, _ symbol: String) -> String { venue.rawValue + ":" + symbol }

    /// Writes this book into market `market` of `store`, stamped as received at `receiveTimeNs`.
    public func write(into store: SnapshotStore, market: Int, receiveTimeNs: Int64) {
        store.write(market) { book in
            book.bids = bids
            book.asks = asks
            book.exchangeTimeNs = exchangeTimeNs
            book.receiveTimeNs = receiveTimeNs
        }
    }

    public static func == (a: MarketEvent, b: MarketEvent) -> Bool {
        a.venue == b.venue && a.symbol == b.symbol && a.timeNs == b.timeNs && a.exchangeTimeNs == b.exchangeTimeNs
            && sameLevels(a.bids, b.bids) && sameLevels(a.asks, b.asks)
    }

    static func sameLevels(_ x: BookSide, _ y: BookSide) -> Bool {
        guard x.count == y.count else { return false }
        for i in 0..<x.count where x.prices[i] != y.prices[i] || x.quantities[i] != y.quantities[i] { return false }
        return true
    }
}
