/// A page of a cursor-ordered listing: `nextCursor` is nil on the last page.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// Opaque; pass it back to get the next page.
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// A campaign as stored: its config, its state and why it ended.
public struct CampaignRecord: Sendable, Codable, Equatable {
    public var id: String
    public var name: String?
    public var status: CampaignStatus
    public var stopReason: StopReason?
    /// The failure message when `status` is `failed`.
    public var error: String?
    /// The normalized config (defaults filled in).
    public var config: JSONValue
    /// Wall-clock times (ns since epoch).
    public var createdAtNs: Int64
    public var startedAtNs: Int64?
    public var finishedAtNs: Int64?
    /// The newest committed checkpoint, as the store reads it (writing a record leaves it alone).
    public var checkpoint: CheckpointInfo?

    public init(id: String, name: String?, status: CampaignStatus, stopReason: StopReason? = nil, error: String? = nil,
                config: JSONValue, createdAtNs: Int64, startedAtNs: Int64? = nil, finishedAtNs: Int64? = nil) {
        self.id = id
        self.name = name
        self.status = status
        self.stopReason = stopReason
        self.error = error
        self.config = config
        self.createdAtNs = createdAtNs
        self.startedAtNs = startedAtNs
        self.finishedAtNs = finishedAtNs
    }
}

/// Where a campaign's newest checkpoint is: a resume continues from there.
public struct CheckpointInfo: Sendable, Codable, Equatable {
    public var sequence: Int
    /// The campaign clock at the cut (ns).
    public var timeNs: Int64
    /// Wall-clock time of the commit (ns since epoch).
    public var savedAtNs: Int64

    public init(sequence: Int, timeNs: Int64, savedAtNs: Int64) {
        self.sequence = sequence
        self.timeNs = timeNs
        self.savedAtNs = savedAtNs
    }
}

/// Filters for listing decisions.
public struct DecisionFilter: Sendable, Equatable {
    public var tier: RiskTier?
    public var outcome: DecisionOutcome?
    public var symbol: String?

    public init(tier: RiskTier? = nil, outcome: DecisionOutcome? = nil, symbol: String? = nil) {
        self.tier = tier
        self.outcome = outcome
        self.symbol = symbol
    }
}

/// Where campaigns, their events, checkpoints and final stats live (SPEC §3.8). The engine meets storage only
/// through this protocol; the embedded implementation is SQLite, tests and headless runs use memory.
///
/// Listings are in insertion order of each record's first version; a record written again (a trade closing, a
/// folded decision's count growing) keeps its place and shows its newest version.
///
/// The service commits a campaign's events only with a checkpoint (`saveCheckpoint`) or with its end
/// (`finishCampaign`), each in one transaction: what is stored is always exactly what the newest checkpoint has
/// seen, so a resume from it never loses or repeats a fill.
///
/// Reads are synchronous: they answer on the caller's thread (an HTTP polling thread serves a `GET` start to end),
/// never wait for a write (SQLite in WAL mode reads beside its writer) and take microseconds. Writes are `async`:
/// a commit waits for the disk.
public protocol CampaignStore: Sendable {
    func createCampaign(_ record: CampaignRecord) async throws
    func updateCampaign(_ record: CampaignRecord) async throws
    /// Replaces only a campaign's config (a PATCH), leaving its status to whoever else writes it.
    func updateConfig(campaignId: String, config: JSONValue) async throws
    func campaign(id: String) throws -> CampaignRecord?
    /// Newest first.
    func listCampaigns(status: CampaignStatus?, limit: Int, cursor: String?) throws -> Page<CampaignRecord>
    /// Removes a campaign and every row that belongs to it.
    func deleteCampaign(id: String) async throws

    /// Appends events in order (fills; trades and decisions by id, newest version wins).
    func append(campaignId: String, events: [CampaignEvent]) async throws
    /// Stores a checkpoint together with the events since the previous one, atomically, so a resume never loses
    /// or repeats a fill.
    func saveCheckpoint(_ checkpoint: CampaignCheckpoint, events: [CampaignEvent]) async throws
    /// Ends a campaign in one transaction: the events since its last checkpoint, its final stats and its record;
    /// the checkpoint, no longer needed, goes.
    func finishCampaign(_ record: CampaignRecord, events: [CampaignEvent], stats: StatsReport?) async throws
    /// Leaves a campaign `interrupted` in one transaction: its last checkpoint with the events up to it, its
    /// stats so far and its record.
    func interruptCampaign(_ record: CampaignRecord, checkpoint: CampaignCheckpoint?, events: [CampaignEvent],
                           stats: StatsReport?) async throws
    /// Marks campaigns left `running` by a previous process as `interrupted`; returns their ids.
    func markRunningInterrupted() async throws -> [String]
    /// Deletes finished campaigns that ended before `finishedBeforeNs` (wall clock); returns their ids.
    func pruneFinished(finishedBeforeNs: Int64) async throws -> [String]
    func latestCheckpoint(campaignId: String) throws -> CampaignCheckpoint?
    func saveStats(campaignId: String, stats: StatsReport) async throws
    func stats(campaignId: String) throws -> StatsReport?
    /// The stored stats as compact JSON, as `JSONTree` and the renderer write a report.
    func statsJSON(campaignId: String) throws -> [UInt8]?

    func listTrades(campaignId: String, symbol: String?, limit: Int, cursor: String?) throws -> Page<TradeRecord>
    func listDecisions(campaignId: String, filter: DecisionFilter, limit: Int, cursor: String?) throws -> Page<DecisionRecord>
    /// A campaign's transfers in request order, each in its newest state.
    func listTransfers(campaignId: String, limit: Int, cursor: String?) throws -> Page<Transfer>
    func listTransfersJSON(campaignId: String, limit: Int, cursor: String?) throws -> Page<JSONValue>
    func listFills(campaignId: String, limit: Int, cursor: String?) throws -> Page<Fill>
    /// The same pages as `listTrades` and `listDecisions`, each record the JSON tree its `Encodable` conformance
    /// writes: for callers that only render them (decoding a page into records to encode it again was most of a
    /// `GET`'s time).
    func listTradesJSON(campaignId: String, symbol: String?, limit: Int, cursor: String?) throws -> Page<JSONValue>
    func listDecisionsJSON(campaignId: String, filter: DecisionFilter, limit: Int, cursor: String?) throws -> Page<JSONValue>
}

/// A store failure, with what was being done.
public struct StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong, for callers to act on; `description` is for people.
    public enum Code: String, Sendable {
        /// No campaign with that id.
        case notFound = "not_found"
        /// A campaign with that id is already stored.
        case exists
        /// A listing cursor that listing did not give out.
        case invalidCursor = "invalid_cursor"
        /// The store cannot read or write (disk full, read-only, I/O, locked).
        case unavailable
        /// Stored or checkpointed state that does not fit what reads it.
        case invalidState = "invalid_state"
    }

    public var code: Code
    public var description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

extension CampaignRecord {
    /// A record from the JSON its `Encodable` conformance writes, read through `JSONValue(parsing:)`: the
    /// `Decodable` path decodes the config tree by trial and error, which made reading a record slow.
    public init(storedJSON text: String) throws {
        let json = try JSONValue(parsing: text)
        func field(_ key: String) throws -> JSONValue {
            guard let value = json[key] else { throw JSONParseError(offset: 0, reason: "campaign record without \(key)") }
            return value
        }
        func optionalString(_ key: String) -> String? { json[key]?.stringValue }
        func optionalInt(_ key: String) -> Int64? { json[key]?.intValue }
        guard let id = try field("id").stringValue, let status = try field("status").stringValue.flatMap(CampaignStatus.init),
              let created = try field("createdAtNs").intValue else {
            throw JSONParseError(offset: 0, reason: "campaign record with a malformed id, status or createdAtNs")
        }
        var stopReason: StopReason?
        if let text = optionalString("stopReason") {
            guard let reason = StopReason(rawValue: text) else { throw JSONParseError(offset: 0, reason: "unknown stop reason \(text)") }
            stopReason = reason
        }
        self.init(id: id, name: optionalString("name"), status: status, stopReason: stopReason, error: optionalString("error"),
                  config: try field("config"), createdAtNs: created, startedAtNs: optionalInt("startedAtNs"),
                  finishedAtNs: optionalInt("finishedAtNs"))
        if let c = json["checkpoint"], let sequence = c["sequence"]?.intValue, let time = c["timeNs"]?.intValue,
           let saved = c["savedAtNs"]?.intValue {
            checkpoint = CheckpointInfo(sequence: Int(sequence), timeNs: time, savedAtNs: saved)
        }
    }
}
