import ArbCore

/// How campaigns and lists look on the wire.
enum CampaignView {
    static func json(_ r: CampaignRecord, paused: Bool?) -> JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(r.id), "name": r.name.map(JSONValue.string) ?? .null, "status": .string(r.status.rawValue),
            "stop_reason": r.stopReason.map { .string($0.rawValue) } ?? .null, "error": r.error.map(JSONValue.string) ?? .null,
            "created_at": .string(UTCTime.format(r.createdAtNs)),
            "started_at": r.startedAtNs.map { .string(UTCTime.format($0)) } ?? .null,
            "finished_at": r.finishedAtNs.map { .string(UTCTime.format($0)) } ?? .null,
            "config": r.config,
            "checkpoint": r.checkpoint.map { c -> JSONValue in
                ["sequence": .int(Int64(c.sequence)), "campaign_time": .string(UTCTime.format(c.timeNs)),
                 "saved_at": .string(UTCTime.format(c.savedAtNs))]
            } ?? .null,
        ]
        if let paused { o["paused"] = .bool(paused) }
        return .object(o)
    }

    static func list(_ items: [JSONValue], next: String?) -> JSONValue {
        ["items": .array(items), "next_cursor": next.map(JSONValue.string) ?? .null]
    }
}
