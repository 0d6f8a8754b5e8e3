import ArbCore

/// Tardis.dev downloadable CSV (docs.tardis.dev/downloadable-csv-files): `book_snapshot_5`, `book_snapshot_25`
/// and `quotes` (also `book_ticker`, which has the quotes columns). Timestamps are µs since epoch: `timestamp`
/// the exchange's, `local_timestamp` the arrival time, which is what the replay clock follows.
public enum TardisCSV {
    public enum Kind: Equatable, Sendable {
        /// `book_snapshot_N`: per level, asks first, `asks[i].price,asks[i].amount,bids[i].price,bids[i].amount`.
        case bookSnapshot(levels: Int)
        /// `quotes` / `book_ticker`: `ask_amount,ask_price,bid_price,bid_amount`.
        case quotes
    }

    public struct RowError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// The kind of file its header line names; nil when it is none this replay reads.
    public static func kind(ofHeader line: UnsafeRawBufferPointer) -> Kind? {
        let columns = String(decoding: line, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false)
        guard columns.count >= 8, columns[0] == "exchange", columns[1] == "symbol", columns[2] == "timestamp",
              columns[3] == "local_timestamp" else { return nil }
        if columns.count == 8 && Array(columns[4...]) == ["ask_amount", "ask_price", "bid_price", "bid_amount"] {
            return .quotes
        }
        guard (columns.count - 4) % 4 == 0 else { return nil }
        let levels = (columns.count - 4) / 4
        for i in 0..<levels {
            let c = 4 + i * 4
            guard columns[c] == "asks[\(i)].price", columns[c + 1] == "asks[\(i)].amount",
                  columns[c + 2] == "bids[\(i)].price", columns[c + 3] == "bids[\(i)].amount" else { return nil }
        }
        return .bookSnapshot(levels: levels)
    }

    /// The venue of a Tardis exchange id (`VenueInfo.tardisExchange`: `upbit`, `binance`, `okex`, `bybit-spot`).
    public static func venue(_ exchange: UnsafeRawBufferPointer) -> Venue? {
        Venue.allCases.first { $0.info.tardisExchange.map { exchange.equals($0) } ?? false }
    }

    /// The exchange ids a file may name, for errors.
    static let knownExchanges = Venue.allCases.compactMap(\.info.tardisExchange).joined(separator: ", ")

    /// Parses one data row of a file of `kind`.
    public static func parse(_ line: UnsafeRawBufferPointer, kind: Kind) throws(RowError) -> MarketEvent {
        var fields = FieldSplitter(line)
        guard let exchange = fields.next() else { throw RowError(message: "empty row") }
        guard let venue = venue(exchange) else {
            throw RowError(message: "unknown exchange \"\(String(decoding: exchange.prefix(20), as: UTF8.self))\" (\(knownExchanges); Tardis has no Bithumb)")
        }
        guard let symbolBytes = fields.next(), !symbolBytes.isEmpty else { throw RowError(message: "missing symbol") }
        let symbol = String(decoding: symbolBytes, as: UTF8.self)
        let exchangeTime = try micros(fields.next(), "timestamp")
        let localTime = try micros(fields.next(), "local_timestamp")
        var bids = BookSide(), asks = BookSide()
        switch kind {
        case .quotes:
            let askAmount = fields.next(), askPrice = fields.next(), bidPrice = fields.next(), bidAmount = fields.next()
            guard bidAmount != nil, fields.next() == nil else { throw RowError(message: "expected 8 columns") }
            try level(askPrice, askAmount, into: &asks, "ask")
            try level(bidPrice, bidAmount, into: &bids, "bid")
        case .bookSnapshot(let levels):
            var asksDone = false, bidsDone = false
            for i in 0..<levels {
                let ap = fields.next(), aa = fields.next(), bp = fields.next(), ba = fields.next()
                guard ba != nil else { throw RowError(message: "expected \(4 + levels * 4) columns") }
                // Levels a thin book lacks are empty; none may follow an empty one.
                if ap!.isEmpty { asksDone = true } else if asksDone {
                    throw RowError(message: "asks[\(i)] follows an empty level")
                } else { try level(ap, aa, into: &asks, "asks[\(i)]") }
                if bp!.isEmpty { bidsDone = true } else if bidsDone {
                    throw RowError(message: "bids[\(i)] follows an empty level")
                } else { try level(bp, ba, into: &bids, "bids[\(i)]") }
            }
            guard fields.next() == nil else { throw RowError(message: "expected \(4 + levels * 4) columns") }
        }
        if let i = bids.firstDisorder(descending: true) { throw RowError(message: "bids not in descending order at level \(i)") }
        if let i = asks.firstDisorder(descending: false) { throw RowError(message: "asks not in ascending order at level \(i)") }
        return MarketEvent(venue: venue, symbol: symbol, timeNs: localTime, exchangeTimeNs: exchangeTime, bids: bids, asks: asks)
    }

    static func micros(_ field: UnsafeRawBufferPointer?, _ name: String) throws(RowError) -> Int64 {
        guard let field, !field.isEmpty else { throw RowError(message: "missing \(name)") }
        var value: Int64 = 0
        for c in field {
            guard c >= 0x30 && c <= 0x39 else { throw RowError(message: "\(name) is not an integer of µs") }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c - 0x30))
            guard !o1 && !o2 else { throw RowError(message: "\(name) out of range") }
            value = a
        }
        guard value < Int64.max / 1000 else { throw RowError(message: "\(name) out of range") }
        return value * 1000
    }

    static func level(_ price: UnsafeRawBufferPointer?, _ amount: UnsafeRawBufferPointer?, into side: inout BookSide,
                      _ name: String) throws(RowError) {
        guard let price, let amount else { throw RowError(message: "missing \(name)") }
        // A quotes row with an empty side: that side has no level.
        if price.isEmpty && amount.isEmpty { return }
        guard let p = Fixed.parse(price), p.raw > 0 else { throw RowError(message: "\(name) price is not a positive decimal") }
        guard let q = Fixed.parse(amount), q.raw >= 0 else { throw RowError(message: "\(name) amount is not a decimal ≥ 0") }
        side.append(price: p, quantity: q)
    }
}

/// Splits a CSV line on commas (Tardis writes no quoting).
struct FieldSplitter {
    let line: UnsafeRawBufferPointer
    var position = 0
    var done = false

    init(_ line: UnsafeRawBufferPointer) { self.line = line }

    mutating func next() -> UnsafeRawBufferPointer? {
        guard !done else { return nil }
        var i = position
        while i < line.count && line[i] != 0x2c { i += 1 }
        let field = UnsafeRawBufferPointer(rebasing: line[position..<i])
        if i >= line.count { done = true } else { position = i + 1 }
        return field
    }
}
