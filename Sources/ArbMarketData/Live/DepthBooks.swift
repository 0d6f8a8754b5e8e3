import ArbCore
import CZlib

/// The books a connection keeps from snapshots and updates (OKX `books`, Bybit `orderbook.N`), one per symbol,
/// every level the venue sent; each message applied in sequence gives the book's top levels. A message out of
/// sequence, or a book whose checksum differs from the venue's, is a gap: the book is dropped until the venue
/// sends a new snapshot (the connection asks for one by subscribing the symbol again).
public struct DepthBooks: Sendable {
    struct Book: Sendable {
        /// Best first: bids descending, asks ascending.
        var bids: [DepthLevel] = []
        var asks: [DepthLevel] = []
        var lastSeq: Int64?
    }

    public enum Outcome: Sendable {
        /// The book after the message, top levels.
        case book(symbol: String, exchangeTimeNs: Int64?, bids: BookSide, asks: BookSide)
        /// An update for a symbol without a snapshot yet (before the first one, or after a gap): dropped.
        case waiting
        /// The message does not follow the one before, or the book fails its checksum; the symbol waits for a
        /// new snapshot.
        case gap(symbol: String, reason: String)
    }

    private var books: [String: Book] = [:]

    public init() {}

    /// Forgets a symbol's book: later updates wait for its next snapshot.
    public mutating func reset(_ symbol: String) { books[symbol] = nil }

    /// Every level kept for `symbol` (tests compare them with the venue's frames).
    public func levels(_ symbol: String) -> (bids: [DepthLevel], asks: [DepthLevel])? {
        books[symbol].map { ($0.bids, $0.asks) }
    }

    public mutating func apply(_ m: DepthMessage) -> Outcome {
        var book: Book
        switch m.kind {
        case .snapshot:
            book = Book()
            book.bids = m.bids.filter { $0.quantity.raw > 0 }
            book.asks = m.asks.filter { $0.quantity.raw > 0 }
            guard Self.ordered(book.bids, descending: true), Self.ordered(book.asks, descending: false) else {
                books[m.symbol] = nil
                return .gap(symbol: m.symbol, reason: "snapshot levels out of order")
            }
        case .update:
            guard let current = books[m.symbol] else { return .waiting }
            book = current
            if let reason = Self.sequenceBreak(m.sequence, after: book.lastSeq) {
                books[m.symbol] = nil
                return .gap(symbol: m.symbol, reason: reason)
            }
            for level in m.bids { Self.merge(level, into: &book.bids, descending: true) }
            for level in m.asks { Self.merge(level, into: &book.asks, descending: false) }
        }
        switch m.sequence {
        case .none: book.lastSeq = nil
        case .chained(let seq, _), .increment(let seq): book.lastSeq = seq
        }
        if let expected = m.checksum, expected != 0 {
            let actual = Self.okxChecksum(bids: book.bids, asks: book.asks)
            guard actual == expected else {
                books[m.symbol] = nil
                return .gap(symbol: m.symbol, reason: "checksum \(actual) where the venue sent \(expected)")
            }
        }
        if let bid = book.bids.first, let ask = book.asks.first, bid.price >= ask.price {
            books[m.symbol] = nil
            return .gap(symbol: m.symbol, reason: "crossed book (bid \(bid.price) ≥ ask \(ask.price))")
        }
        books[m.symbol] = book
        return .book(symbol: m.symbol, exchangeTimeNs: m.exchangeTimeNs, bids: Self.top(book.bids), asks: Self.top(book.asks))
    }

    /// Why an update does not follow the message before; nil when it does.
    static func sequenceBreak(_ sequence: DepthMessage.Sequence, after last: Int64?) -> String? {
        switch sequence {
        case .none:
            return nil
        case .chained(let seq, let prev):
            // A reset after maintenance goes backwards; a quiet book repeats its seqId (prev == seq).
            if seq < prev { return nil }
            guard let last else { return "update without a sequence after one" }
            return prev == last ? nil : "prevSeqId \(prev) where the last seqId was \(last)"
        case .increment(let u):
            guard let last else { return "update without a sequence after one" }
            return u == last + 1 ? nil : "update \(u) where \(last + 1) was next"
        }
    }

    /// Replaces, inserts or (quantity 0) removes one level, keeping the side sorted.
    static func merge(_ level: DepthLevel, into side: inout [DepthLevel], descending: Bool) {
        var lo = 0, hi = side.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let before = descending ? side[mid].price > level.price : side[mid].price < level.price
            if before { lo = mid + 1 } else { hi = mid }
        }
        if lo < side.count && side[lo].price == level.price {
            if level.quantity.raw > 0 { side[lo].quantity = level.quantity } else { side.remove(at: lo) }
        } else if level.quantity.raw > 0 {
            side.insert(level, at: lo)
        }
    }

    static func ordered(_ side: [DepthLevel], descending: Bool) -> Bool {
        guard side.count > 1 else { return true }
        for i in 1..<side.count where descending ? side[i].price >= side[i - 1].price : side[i].price <= side[i - 1].price {
            return false
        }
        return true
    }

    static func top(_ levels: [DepthLevel]) -> BookSide {
        var side = BookSide()
        for level in levels.prefix(BookSide.capacity) { side.append(price: level.price, quantity: level.quantity) }
        return side
    }

    /// OKX's CRC32 over the top 25 levels, `bidPx:bidSz:askPx:askSz:…` interleaved (a shorter side's missing
    /// levels skipped), as a signed 32-bit integer. The venue hashes its own decimal text; ours is the shortest
    /// form, which is how OKX writes prices and sizes.
    static func okxChecksum(bids: [DepthLevel], asks: [DepthLevel]) -> Int32 {
        var parts: [String] = []
        for i in 0..<25 {
            if i < bids.count { parts.append(bids[i].price.description); parts.append(bids[i].quantity.description) }
            if i < asks.count { parts.append(asks[i].price.description); parts.append(asks[i].quantity.description) }
        }
        var text = parts.joined(separator: ":")
        let crc = text.withUTF8 { crc32(0, $0.baseAddress, uInt($0.count)) }
        return Int32(truncatingIfNeeded: UInt32(truncatingIfNeeded: crc))
    }
}
