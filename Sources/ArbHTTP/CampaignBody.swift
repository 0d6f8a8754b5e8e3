import ArbCore

/// A campaign on the wire (`Campaign` in the OpenAPI document).
struct CampaignBody: Encodable, Sendable {
    var id: String
    var name: String?
    var status: String
    var stopReason: String?
    var error: String?
    var createdAt: String
    var startedAt: String?
    var finishedAt: String?
    /// The config in force, as validated (defaults filled in).
    var config: JSONValue
    var checkpoint: Checkpoint?
    /// Whether entries are paused; only where the answer knows (a running campaign, a pause or unpause).
    var paused: Bool?

    /// The last checkpoint a resume would start from.
    struct Checkpoint: Encodable, Sendable {
        var sequence: Int
        var campaignTime: String
        var savedAt: String

        enum CodingKeys: String, CodingKey { case sequence, campaignTime = "campaign_time", savedAt = "saved_at" }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status, stopReason = "stop_reason", error, createdAt = "created_at", startedAt = "started_at"
        case finishedAt = "finished_at", config, checkpoint, paused
    }

    init(_ r: CampaignRecord, paused: Bool?) {
        id = r.id
        name = r.name
        status = r.status.rawValue
        stopReason = r.stopReason?.rawValue
        error = r.error
        createdAt = UTCTime.format(r.createdAtNs)
        startedAt = r.startedAtNs.map(UTCTime.format)
        finishedAt = r.finishedAtNs.map(UTCTime.format)
        config = r.config
        checkpoint = r.checkpoint.map {
            Checkpoint(sequence: $0.sequence, campaignTime: UTCTime.format($0.timeNs), savedAt: UTCTime.format($0.savedAtNs))
        }
        self.paused = paused
    }

    /// Every key is present (`null` when unset) but `paused`, which is left out where it is not known.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(status, forKey: .status)
        try c.encode(stopReason, forKey: .stopReason)
        try c.encode(error, forKey: .error)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(config, forKey: .config)
        try c.encode(checkpoint, forKey: .checkpoint)
        if let paused { try c.encode(paused, forKey: .paused) }
    }
}

/// A page of a list: its items and the cursor of the next page (`null` on the last).
struct ListBody<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey { case items, nextCursor = "next_cursor" }

    init(_ items: [Item], next: String? = nil) {
        self.items = items
        self.nextCursor = next
    }
}
