import ArbCore
import GRDB

/// Cursor-ordered pages of a campaign's trades, decisions, transfers and fills.
extension SQLiteCampaignStore {
    public func listTrades(campaignId: String, symbol: String?, limit: Int, cursor: String?) throws -> Page<TradeRecord> {
        try Self.page(try tradeRows(campaignId, symbol, limit, cursor), limit: limit, as: TradeRecord.self)
    }

    public func listTradesJSON(campaignId: String, symbol: String?, limit: Int, cursor: String?) throws -> Page<JSONValue> {
        try Self.jsonPage(try tradeRows(campaignId, symbol, limit, cursor), limit: limit)
    }

    private func tradeRows(_ campaignId: String, _ symbol: String?, _ limit: Int, _ cursor: String?) throws -> [Entry] {
        let after = try cursor.map(Cursor.position) ?? 0
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT seq, body FROM trades WHERE campaign = ? AND seq > ? AND (? IS NULL OR route = ?) ORDER BY seq LIMIT ?
                """, arguments: [campaignId, after, symbol, symbol, limit + 1]).map(Entry.init)
        }
    }

    public func listDecisions(campaignId: String, filter: DecisionFilter, limit: Int, cursor: String?) throws -> Page<DecisionRecord> {
        try Self.page(try decisionRows(campaignId, filter, limit, cursor), limit: limit, as: DecisionRecord.self)
    }

    public func listDecisionsJSON(campaignId: String, filter: DecisionFilter, limit: Int, cursor: String?) throws -> Page<JSONValue> {
        try Self.jsonPage(try decisionRows(campaignId, filter, limit, cursor), limit: limit)
    }

    private func decisionRows(_ campaignId: String, _ filter: DecisionFilter, _ limit: Int, _ cursor: String?) throws -> [Entry] {
        let after = try cursor.map(Cursor.position) ?? 0
        let tier = filter.tier?.rawValue, outcome = filter.outcome?.rawValue, symbol = filter.symbol
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT seq, body FROM decisions WHERE campaign = ? AND seq > ? AND (? IS NULL OR tier = ?)
                AND (? IS NULL OR outcome = ?) AND (? IS NULL OR route = ?) ORDER BY seq LIMIT ?
                """, arguments: [campaignId, after, tier, tier, outcome, outcome, symbol, symbol, limit + 1]).map(Entry.init)
        }
    }

    public func listTransfers(campaignId: String, limit: Int, cursor: String?) throws -> Page<Transfer> {
        try Self.page(try transferRows(campaignId, limit, cursor), limit: limit, as: Transfer.self)
    }

    public func listTransfersJSON(campaignId: String, limit: Int, cursor: String?) throws -> Page<JSONValue> {
        try Self.jsonPage(try transferRows(campaignId, limit, cursor), limit: limit)
    }

    private func transferRows(_ campaignId: String, _ limit: Int, _ cursor: String?) throws -> [Entry] {
        let after = try cursor.map(Cursor.position) ?? 0
        return try read { db in
            try Row.fetchAll(db, sql: "SELECT seq, body FROM transfers WHERE campaign = ? AND seq > ? ORDER BY seq LIMIT ?",
                             arguments: [campaignId, after, limit + 1]).map(Entry.init)
        }
    }

    public func listFills(campaignId: String, limit: Int, cursor: String?) throws -> Page<Fill> {
        let after = try cursor.map(Cursor.position) ?? 0
        let rows = try read { db in
            try Row.fetchAll(db, sql: "SELECT seq, body FROM fills WHERE campaign = ? AND seq > ? ORDER BY seq LIMIT ?", arguments: [campaignId, after, limit + 1]).map(Entry.init)
        }
        return try Self.page(rows, limit: limit, as: Fill.self)
    }

    /// A listed row: its sequence and its JSON.
    struct Entry: Sendable {
        let seq: Int
        let body: String
        init(_ row: Row) {
            seq = row["seq"]
            body = row["body"]
        }
    }

    /// A page of records decoded from their JSON.
    static func page<T: Decodable & Sendable>(_ rows: [Entry], limit: Int, as type: T.Type) throws -> Page<T> {
        try page(rows, limit: limit) { try decode(T.self, $0) }
    }

    /// A page with each record left as the JSON tree it was stored as.
    static func jsonPage(_ rows: [Entry], limit: Int) throws -> Page<JSONValue> {
        try page(rows, limit: limit) { try JSONValue(parsing: $0) }
    }

    /// One page out of `limit + 1` rows: the extra row only says there is a next page.
    static func page<T>(_ rows: [Entry], limit: Int, _ item: (String) throws -> T) throws -> Page<T> {
        let kept = rows.prefix(limit)
        let items = try kept.map { try item($0.body) }
        let next = rows.count > limit ? kept.last.map { Cursor.encode($0.seq) } : nil
        return Page(items: items, nextCursor: next)
    }
}
