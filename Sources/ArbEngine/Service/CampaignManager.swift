import ArbCore
import Foundation
import Logging
import Synchronization

/// Runs campaigns for the service: validates and stores them, runs at most `maxConcurrent` at once, stops them,
/// and answers reads from the store or from what running campaigns publish (never from an engine's own state).
public actor CampaignManager {
    public let maxConcurrent: Int
    let store: any CampaignStore
    let sources: any MarketSourceFactory
    private let logger: Logger
    /// How the store's writes are going (readiness, metrics).
    public nonisolated let health: StoreHealth
    private var live: [String: Live] = [:]
    /// The running campaigns as `live` holds them, for reads that answer on the caller's thread without a hop
    /// onto the actor (the HTTP read routes).
    private nonisolated let running = Mutex<[String: Campaign]>([:])
    /// Campaigns that ended in this process, kept for one last scrape of their series.
    private var ended: [(campaign: Campaign, atNs: UInt64)] = []
    /// Campaigns this process ran, by final state (running ones are counted from `live`).
    private var finishedCounts: [String: Int] = [:]
    /// How long an ended campaign's series stay visible (one last scrape interval).
    public let lingerNs: UInt64

    struct Live {
        let campaign: Campaign
        let task: Task<Void, Never>
    }

    public init(store: any CampaignStore, sources: any MarketSourceFactory, maxConcurrent: Int = 4,
                lingerSeconds: Double = 30, health: StoreHealth = StoreHealth(),
                logger: Logger = Logger(label: "arbitrage.campaigns")) {
        self.lingerNs = UInt64(lingerSeconds * 1e9)
        self.store = store
        self.sources = sources
        self.maxConcurrent = maxConcurrent
        self.health = health
        self.logger = logger
    }

    public var runningCount: Int { live.count }

    /// Validates `body` (a config plus an optional `name`), stores the campaign and starts it. Returns once the
    /// record is committed.
    public func create(_ body: JSONValue) async throws(ServiceError) -> CampaignRecord {
        let config: CampaignConfig
        let campaign: Campaign
        let id = Self.newId()
        let recorder = StoreRecorder()
        do {
            config = try CampaignConfig.parse(body)
            try await sources.prepare(config: config)
            campaign = try Campaign(id: id, config: config, recorder: recorder, sources: sources)
        } catch {
            throw .invalid(error)
        }
        try checkCapacity()
        let now = MonotonicClock.wallNanoseconds()
        let record = CampaignRecord(id: id, name: config.name, status: .running, config: config.tree, createdAtNs: now,
                                    startedAtNs: now)
        try await writeRecord { [store] in try await store.createCampaign(record) }
        start(campaign, record: record, recorder: recorder, from: nil)
        logger.info("campaign started", metadata: ["campaign": "\(id)", "routes": "\(campaign.members.count)"])
        return record
    }

    /// Continues an interrupted campaign from its last checkpoint (from its start when it never reached one).
    /// Returns once its record says `running` again.
    public func resume(id: String) async throws(ServiceError) -> CampaignRecord {
        var record = try campaign(id: id)
        guard record.status == .interrupted, live[id] == nil else {
            throw .conflict("campaign \(id) is \(record.status.rawValue); only an interrupted campaign resumes")
        }
        try checkCapacity()
        let recorder = StoreRecorder()
        let campaign: Campaign
        let checkpoint: CampaignCheckpoint?
        do {
            let config = try CampaignConfig.parse(record.config)
            try await sources.prepare(config: config)
            campaign = try Campaign(id: id, config: config, recorder: recorder, sources: sources)
        } catch {
            throw .conflict("campaign \(id) cannot resume: its stored config is no longer valid: \(error)")
        }
        do { checkpoint = try store.latestCheckpoint(campaignId: id) } catch { throw .unavailable("\(error)") }
        // Another resume of the same campaign may have started while this one prepared its market source.
        guard live[id] == nil else { throw .conflict("campaign \(id) is running") }
        try checkCapacity()
        record.status = .running
        record.stopReason = nil
        record.error = nil
        try await writeRecord { [store, record] in try await store.updateCampaign(record) }
        start(campaign, record: record, recorder: recorder, from: checkpoint)
        logger.info("campaign resumed", metadata: [
            "campaign": "\(id)", "checkpoint": "\(checkpoint.map { String($0.sequence) } ?? "none (from its start)")",
        ])
        return record
    }

    /// Resumes every interrupted campaign, oldest first, as far as `maxConcurrent` allows (`serve --auto-resume`).
    public func resumeInterrupted() async -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            guard let page = try? store.listCampaigns(status: .interrupted, limit: 100, cursor: cursor) else { break }
            ids += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        var resumed: [String] = []
        for id in ids.reversed() {
            do {
                _ = try await resume(id: id)
                resumed.append(id)
            } catch {
                logger.warning("cannot resume a campaign", metadata: ["campaign": "\(id)", "error": "\(error)"])
            }
        }
        return resumed
    }

    /// A campaign record write the API waits on; its outcome is the store's health too.
    private func writeRecord(_ write: @Sendable () async throws -> Void) async throws(ServiceError) {
        do { try await write() } catch {
            health.failed(error)
            throw .unavailable("cannot store the campaign: \(error)")
        }
        health.wrote()
    }

    private func checkCapacity() throws(ServiceError) {
        guard live.count < maxConcurrent else {
            throw .conflict("\(live.count) campaigns are running, the most allowed (--max-concurrent-campaigns)")
        }
    }

    /// Runs `campaign` (resumed from `checkpoint` when given): its checkpoints are committed with the events
    /// recorded up to each, and its end with the rest, its stats and its final record, in one transaction.
    private func start(_ campaign: Campaign, record: CampaignRecord, recorder: StoreRecorder, from checkpoint: CampaignCheckpoint?) {
        let id = campaign.id
        let writer = CheckpointWriter(store: store, campaignId: id, health: health, logger: logger)
        let task = Task { [logger] in
            // Drained at the cut, while nothing in the campaign moves: the events are exactly those the
            // checkpoint has seen.
            let sink: Campaign.CheckpointSink = { cp in writer.submit(cp, events: recorder.drain()) }
            var final = record
            var stats: StatsReport?
            do {
                let result = if let checkpoint {
                    try await campaign.resume(from: checkpoint, checkpoints: sink)
                } else {
                    try await campaign.run(checkpoints: sink)
                }
                final.status = result.status
                final.stopReason = result.stopReason
                stats = result.stats
            } catch {
                final.status = .failed
                final.stopReason = .error
                final.error = "\(error)"
            }
            // The config in force (PATCHed while it ran) and how it ended.
            final.config = campaign.currentConfig.tree
            if final.status == .interrupted {
                await writer.end(.interrupted(final, stats), events: recorder.drain())
            } else {
                final.finishedAtNs = MonotonicClock.wallNanoseconds()
                await writer.end(.finished(final, stats), events: recorder.drain())
            }
            logger.info("campaign ended", metadata: ["campaign": "\(id)", "status": "\(final.status.rawValue)"])
            self.finished(id, status: final.status)
        }
        live[id] = Live(campaign: campaign, task: task)
        running.withLock { $0[id] = campaign }
    }

    private func finished(_ id: String, status: CampaignStatus) {
        running.withLock { _ = $0.removeValue(forKey: id) }
        if let campaign = live.removeValue(forKey: id)?.campaign {
            ended.append((campaign, MonotonicClock.nanoseconds()))
        }
        finishedCounts[status.rawValue, default: 0] += 1
    }

    /// What `/metrics` shows: running campaigns and those that ended within `lingerNs`, and counts by state.
    public func metricsView() -> (probes: [CampaignProbe], states: [String: Int]) {
        let now = MonotonicClock.nanoseconds()
        ended.removeAll { now - $0.atNs > lingerNs }
        let campaigns = live.values.map(\.campaign) + ended.map(\.campaign)
        var states = finishedCounts
        states["running"] = live.count
        return (campaigns.compactMap { $0.probe() }.sorted { $0.id < $1.id }, states)
    }

    func live(_ id: String) -> Live? { live[id] }

    func storeConfig(_ id: String, _ config: JSONValue) async throws { try await store.updateConfig(campaignId: id, config: config) }

    // Reads answer on the caller's thread: the store reads synchronously and running campaigns are found in
    // `running`, so a GET costs no thread hop.

    public nonisolated func campaign(id: String) throws(ServiceError) -> CampaignRecord {
        try found("no campaign \(id)") { try store.campaign(id: id) }
    }

    /// A store read that must find something: nothing is 404, a store failure 503.
    private nonisolated func found<T>(_ missing: String, _ read: () throws -> T?) throws(ServiceError) -> T {
        let value: T?
        do { value = try read() } catch { throw .unavailable("\(error)") }
        guard let value else { throw .notFound(missing) }
        return value
    }

    public nonisolated func list(status: CampaignStatus?, limit: Int, cursor: String?) throws(ServiceError) -> Page<CampaignRecord> {
        do { return try store.listCampaigns(status: status, limit: limit, cursor: cursor) } catch {
            throw Self.readError(error)
        }
    }

    /// Asks a running campaign to stop and waits until it has (open pairs unwound when `flatten_on_stop`).
    public func stop(id: String) async throws(ServiceError) -> CampaignRecord {
        guard let running = live[id] else {
            let record = try campaign(id: id)
            throw .conflict("campaign \(id) is \(record.status.rawValue), not running")
        }
        running.campaign.control.requestStop()
        await running.task.value
        return try campaign(id: id)
    }

    /// Pauses or resumes a running campaign's entries.
    public func setPaused(id: String, _ paused: Bool) async throws(ServiceError) -> CampaignRecord {
        guard let running = live[id], running.campaign.setPaused(paused) else {
            let record = try campaign(id: id)
            throw .conflict("campaign \(id) is \(record.status.rawValue), not running")
        }
        return try campaign(id: id)
    }

    /// Whether a running campaign's entries are paused; nil when it is not running.
    public nonisolated func isPaused(id: String) -> Bool? { running.withLock { $0[id] }?.isPaused }

    /// Live stats while running, the final stats after.
    public nonisolated func stats(id: String) throws(ServiceError) -> StatsReport {
        if let campaign = running.withLock({ $0[id] }), let stats = campaign.liveStats() { return stats }
        _ = try campaign(id: id)
        return try found("campaign \(id) has no stats yet") { try store.stats(campaignId: id) }
    }

    /// The stats as their wire JSON: a running campaign's encoded now, a finished one's as stored (the store keeps
    /// the report's compact text, so it is sent without being decoded and encoded again).
    public nonisolated func statsJSON(id: String) throws(ServiceError) -> [UInt8] {
        if let campaign = running.withLock({ $0[id] }), let stats = campaign.liveStats() {
            do { return try JSONTree.renderedBytes(stats) } catch { throw .unavailable("\(error)") }
        }
        _ = try campaign(id: id)
        return try found("campaign \(id) has no stats yet") { try store.statsJSON(campaignId: id) }
    }

    public nonisolated func trades(id: String, symbol: String?, limit: Int, cursor: String?) throws(ServiceError) -> Page<TradeRecord> {
        try listing(id) { try store.listTrades(campaignId: id, symbol: symbol, limit: limit, cursor: cursor) }
    }

    public nonisolated func decisions(id: String, filter: DecisionFilter, limit: Int, cursor: String?) throws(ServiceError) -> Page<DecisionRecord> {
        try listing(id) { try store.listDecisions(campaignId: id, filter: filter, limit: limit, cursor: cursor) }
    }

    /// `trades` and `decisions` as the JSON trees the store keeps (camelCase keys), for rendering.
    public nonisolated func tradesJSON(id: String, symbol: String?, limit: Int, cursor: String?) throws(ServiceError) -> Page<JSONValue> {
        try listing(id) { try store.listTradesJSON(campaignId: id, symbol: symbol, limit: limit, cursor: cursor) }
    }

    public nonisolated func decisionsJSON(id: String, filter: DecisionFilter, limit: Int, cursor: String?) throws(ServiceError) -> Page<JSONValue> {
        try listing(id) { try store.listDecisionsJSON(campaignId: id, filter: filter, limit: limit, cursor: cursor) }
    }

    /// A page of a campaign that must exist: 404 when it does not, 400 for a cursor it never gave out, 503 when
    /// the store fails.
    nonisolated func listing<T>(_ id: String, _ read: () throws -> Page<T>) throws(ServiceError) -> Page<T> {
        _ = try campaign(id: id)
        do { return try read() } catch { throw Self.readError(error) }
    }

    /// Removes a finished campaign and everything stored with it.
    public func delete(id: String) async throws(ServiceError) {
        let record = try campaign(id: id)
        guard record.status.isFinished || record.status == .interrupted, live[id] == nil else {
            throw .conflict("campaign \(id) is \(record.status.rawValue); only a finished or interrupted campaign can be deleted")
        }
        do { try await store.deleteCampaign(id: id) } catch { throw .unavailable("\(error)") }
    }

    /// Service shutdown: halts every running campaign where it is, commits a last checkpoint of each and leaves
    /// them `interrupted`, waiting at most `timeout` for the store. Returns the campaigns whose last checkpoint
    /// could not be committed in time (they resume from their previous one).
    public func interruptAll(timeout: Duration = .seconds(20)) async -> [String] {
        for entry in live.values { entry.campaign.control.requestInterrupt() }
        // Each campaign leaves `live` once its last commit is through; a failing store keeps it there.
        let deadline = ContinuousClock.now + timeout
        while !live.isEmpty && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return live.keys.sorted()
    }

    /// Deletes finished campaigns that ended more than `days` ago; returns their ids.
    public func prune(olderThanDays days: Double) async throws(ServiceError) -> [String] {
        let cutoff = MonotonicClock.wallNanoseconds() - Int64(days * 86_400e9)
        do { return try await store.pruneFinished(finishedBeforeNs: cutoff) } catch { throw .unavailable("\(error)") }
    }

    static func readError(_ error: any Error) -> ServiceError {
        if let e = error as? StoreError, e.code == .invalidCursor {
            return .invalid(ConfigError(field: "cursor", "not a cursor this listing gave out"))
        }
        return .unavailable("\(error)")
    }

    /// `c` and 16 hex digits.
    static func newId() -> String {
        var rng = SystemRandomNumberGenerator()
        let n = rng.next() as UInt64
        let hex = String(n, radix: 16)
        return "c" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension CampaignManager: CampaignOperations {}
