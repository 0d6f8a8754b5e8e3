/// Snapshots checkpoint as plain lists: `bids`/`asks` are `[[price, quantity], …]` in raw 1e-8 units.
extension BookSnapshot: Codable, Equatable {
    enum CodingKeys: String, CodingKey {
        case bids, asks, exchangeTimeNs = "exchange_time_ns", receiveTimeNs = "receive_time_ns", sequence
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        for level in try c.decode([[Int64]].self, forKey: .bids) where level.count == 2 {
            bids.append(price: Fixed(raw: level[0]), quantity: Fixed(raw: level[1]))
        }
        for level in try c.decode([[Int64]].self, forKey: .asks) where level.count == 2 {
            asks.append(price: Fixed(raw: level[0]), quantity: Fixed(raw: level[1]))
        }
        exchangeTimeNs = try c.decode(Int64.self, forKey: .exchangeTimeNs)
        receiveTimeNs = try c.decode(Int64.self, forKey: .receiveTimeNs)
        sequence = try c.decode(UInt64.self, forKey: .sequence)
    }

    public func encode(to encoder: any Encoder) throws {
        if pending != nil { return try materialized.encode(to: encoder) }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode((0..<bids.count).map { [bids.prices[$0], bids.quantities[$0]] }, forKey: .bids)
        try c.encode((0..<asks.count).map { [asks.prices[$0], asks.quantities[$0]] }, forKey: .asks)
        try c.encode(exchangeTimeNs, forKey: .exchangeTimeNs)
        try c.encode(receiveTimeNs, forKey: .receiveTimeNs)
        try c.encode(sequence, forKey: .sequence)
    }

    public static func == (a: BookSnapshot, b: BookSnapshot) -> Bool {
        if a.pending != nil || b.pending != nil { return a.materialized == b.materialized }
        guard a.bids.count == b.bids.count, a.asks.count == b.asks.count, a.sequence == b.sequence,
              a.exchangeTimeNs == b.exchangeTimeNs, a.receiveTimeNs == b.receiveTimeNs else { return false }
        for i in 0..<a.bids.count where a.bids.prices[i] != b.bids.prices[i] || a.bids.quantities[i] != b.bids.quantities[i] {
            return false
        }
        for i in 0..<a.asks.count where a.asks.prices[i] != b.asks.prices[i] || a.asks.quantities[i] != b.asks.quantities[i] {
            return false
        }
        return true
    }
}
