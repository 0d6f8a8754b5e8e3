import ArbCore

/// What one websocket message from an exchange says, parsed straight from its bytes (no tree, prices from their
/// text into fixed point).
public enum FeedMessage: Sendable {
    /// A full book of `symbol` (the exchange's spelling), best level first.
    case book(symbol: String, exchangeTimeNs: Int64?, bids: BookSide, asks: BookSide)
    /// A snapshot or an update of a book kept from deltas (OKX `books`, Bybit `orderbook.N`): `DepthBooks`
    /// applies it in sequence.
    case depth(DepthMessage)
    /// The answer to a subscription request.
    case subscribed(id: String)
    /// The exchange says it will close the connection soon (Binance `serverShutdown`, OKX notice 64008).
    case serverShutdown
    /// A keepalive answer (Upbit and Bithumb `{"status":"UP"}`, OKX `pong`, Bybit's pong).
    case alive
    /// An error the exchange reports (bad request, too many requests…).
    case error(String)
}

/// A message that could not be read, with why.
public struct FeedParseError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension BookSide {
    /// The first level whose price does not run strictly down (bids) or up (asks) from the one before; nil
    /// when the side is in order.
    func firstDisorder(descending: Bool) -> Int? {
        guard count > 1 else { return nil }
        for i in 1..<count where descending ? prices[i] >= prices[i - 1] : prices[i] <= prices[i - 1] { return i }
        return nil
    }

    func isOrdered(descending: Bool) -> Bool { firstDisorder(descending: descending) == nil }
}

/// One price level of a depth message; a zero quantity in an update removes the level.
public struct DepthLevel: Sendable, Equatable {
    public var price: Fixed
    public var quantity: Fixed

    public init(price: Fixed, quantity: Fixed) {
        self.price = price
        self.quantity = quantity
    }
}

/// A message of a book the venue sends as a snapshot followed by updates.
public struct DepthMessage: Sendable {
    public enum Kind: Sendable, Equatable { case snapshot, update }

    /// How a venue chains its messages, so a lost one is noticed.
    public enum Sequence: Sendable, Equatable {
        /// No sequence (OKX captures before `seqId`): only the checksum, when there is one, checks the book.
        case none
        /// OKX: `prevSeqId` names the `seqId` of the message before (a snapshot has -1); a `seqId` below its
        /// `prevSeqId` is a reset after maintenance and is accepted.
        case chained(seq: Int64, prev: Int64)
        /// Bybit: `u` goes up by one per update; a snapshot may start anywhere (`u` = 1 after a restart).
        case increment(Int64)
    }

    public var symbol: String
    public var kind: Kind
    public var exchangeTimeNs: Int64?
    public var sequence: Sequence
    /// OKX's CRC32 of the top 25 levels of the merged book (signed); nil or 0 when not sent (deprecated, 0 since
    /// 2026-06-23).
    public var checksum: Int32?
    public var bids: [DepthLevel]
    public var asks: [DepthLevel]

    public init(symbol: String, kind: Kind, exchangeTimeNs: Int64?, sequence: Sequence, checksum: Int32? = nil,
                bids: [DepthLevel], asks: [DepthLevel]) {
        self.symbol = symbol
        self.kind = kind
        self.exchangeTimeNs = exchangeTimeNs
        self.sequence = sequence
        self.checksum = checksum
        self.bids = bids
        self.asks = asks
    }
}
