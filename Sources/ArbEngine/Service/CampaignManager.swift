import ArbCore
import Foundation
import Logging

/// Runs campaigns for the service: validates and stores them, runs at most `maxConcurrent` at once, stops them,
/// and answers reads from the store or from what running campaigns publish (never from an engine's own state).
public actor CampaignManager {
    public let maxConcurrent: Int
    private let store: any CampaignStore
    private let sources: any MarketSourceFactory
    private let logger: Logger
    private var live: [String: Live] = [:]
    /// Campaigns that ended in this process, kept for one last scrape of their series.
    private var ended: [(campaign: Campaign, atNs: UInt64)] = []
    /// Campaigns this process created, by final state (running ones are counted from `live`).
    private var finishedCounts: [String: Int] = [:]
    /// How long an ended campaign's series stay visible (one last scrape interval).
    public let lingerNs: UInt64

    struct Live {
        let campaign: Campaign
        let recorder: StoreRecorder
        let task: Task<Void, Never>
    }

    public init(store: any CampaignStore, sources: any MarketSourceFactory, maxConcurrent: Int = 4,
                lingerSeconds: Double = 30, logger: Logger = Logger(label: "arbitrage.campaigns")) {
        self.lingerNs = UInt64(lingerSeconds * 1e9)
        self.store = store
        self.sources = sources
        self.maxConcurrent = maxConcurrent
        self.logger = logger
    }

    public var runningCount: Int { live.count }

    /// Validates `body` (a config plus an optional `name`), stores the campaign and starts it. Returns once the
    /// record is stored.
    public func create(_ body: JSONValue) async throws(ServiceError) -> CampaignRecord {
        let config: CampaignConfig
        let campaign: Campaign
        let id = Self.newId()
        let recorder = StoreRecorder()
        do {
            config = try CampaignConfig.parse(body)
            campaign = try Campaign(id: id, config: config, recorder: recorder, sources: sources)
        } catch {
            throw .invalid(error)
        }
        guard live.count < maxConcurrent else {
            throw .conflict("\(live.count) campaigns are running, the most allowed (--max-concurrent-campaigns)")
        }
        let now = MonotonicClock.wallNanoseconds()
        let record = CampaignRecord(id: id, name: config.name, status: .running, config: config.tree, createdAtNs: now,
                                    startedAtNs: now)
        do { try await store.createCampaign(record) } catch { throw .unavailable("cannot store the campaign: \(error)") }
        let task = Task { [store, logger, record] in
            var record = record
            let flusher = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(100))
                    try? await store.append(campaignId: id, events: recorder.drain())
                }
            }
            do {
                let result = try await campaign.run()
                flusher.cancel()
                try? await store.append(campaignId: id, events: recorder.drain())
                try? await store.saveStats(campaignId: id, stats: result.stats)
                record.status = result.status
                record.stopReason = result.stopReason
            } catch {
                flusher.cancel()
                record.status = .failed
                record.stopReason = .error
                record.error = "\(error)"
            }
            // Keep what changed while it ran (a PATCHed config); set how it ended.
            var final = (try? await store.campaign(id: id)) ?? record
            final.status = record.status
            final.stopReason = record.stopReason
            final.error = record.error
            final.finishedAtNs = MonotonicClock.wallNanoseconds()
            record = final
            do { try await store.updateCampaign(final) } catch {
                logger.error("cannot store the end of a campaign", metadata: ["campaign": "\(id)", "error": "\(error)"])
            }
            logger.info("campaign finished", metadata: ["campaign": "\(id)", "status": "\(record.status.rawValue)"])
            await self.finished(id, status: record.status)
        }
        live[id] = Live(campaign: campaign, recorder: recorder, task: task)
        logger.info("campaign started", metadata: ["campaign": "\(id)", "routes": "\(campaign.members.count)"])
        return record
    }

    private func finished(_ id: String, status: CampaignStatus) {
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

    func storeUpdate(_ record: CampaignRecord) async throws { try await store.updateCampaign(record) }

    public func campaign(id: String) async throws(ServiceError) -> CampaignRecord {
        do {
            guard let record = try await store.campaign(id: id) else { throw ServiceError.notFound("no campaign \(id)") }
            return record
        } catch let error as ServiceError {
            throw error
        } catch {
            throw .unavailable("\(error)")
        }
    }

    public func list(status: CampaignStatus?, limit: Int, cursor: String?) async throws(ServiceError) -> Page<CampaignRecord> {
        do { return try await store.listCampaigns(status: status, limit: limit, cursor: cursor) } catch {
            throw Self.readError(error)
        }
    }

    /// Asks a running campaign to stop and waits until it has (open pairs unwound when `flatten_on_stop`).
    public func stop(id: String) async throws(ServiceError) -> CampaignRecord {
        guard let running = live[id] else {
            let record = try await campaign(id: id)
            throw .conflict("campaign \(id) is \(record.status.rawValue), not running")
        }
        running.campaign.control.requestStop()
        await running.task.value
        return try await campaign(id: id)
    }

    /// Pauses or resumes a running campaign's entries.
    public func setPaused(id: String, _ paused: Bool) async throws(ServiceError) -> CampaignRecord {
        guard let running = live[id], running.campaign.setPaused(paused) else {
            let record = try await campaign(id: id)
            throw .conflict("campaign \(id) is \(record.status.rawValue), not running")
        }
        return try await campaign(id: id)
    }

    /// Whether a running campaign's entries are paused; nil when it is not running.
    public func isPaused(id: String) -> Bool? { live[id]?.campaign.isPaused }

    /// Live stats while running, the final stats after.
    public func stats(id: String) async throws(ServiceError) -> JSONValue {
        if let running = live[id], let stats = running.campaign.liveStats() { return stats }
        _ = try await campaign(id: id)
        do {
            guard let stats = try await store.stats(campaignId: id) else { throw ServiceError.notFound("campaign \(id) has no stats yet") }
            return stats
        } catch let error as ServiceError {
            throw error
        } catch {
            throw .unavailable("\(error)")
        }
    }

    public func trades(id: String, symbol: String?, limit: Int, cursor: String?) async throws(ServiceError) -> Page<TradeRecord> {
        _ = try await campaign(id: id)
        do { return try await store.listTrades(campaignId: id, symbol: symbol, limit: limit, cursor: cursor) } catch {
            throw Self.readError(error)
        }
    }

    public func decisions(id: String, filter: DecisionFilter, limit: Int, cursor: String?) async throws(ServiceError) -> Page<DecisionRecord> {
        _ = try await campaign(id: id)
        do { return try await store.listDecisions(campaignId: id, filter: filter, limit: limit, cursor: cursor) } catch {
            throw Self.readError(error)
        }
    }

    /// Removes a finished campaign and everything stored with it.
    public func delete(id: String) async throws(ServiceError) {
        let record = try await campaign(id: id)
        guard record.status.isFinished, live[id] == nil else {
            throw .conflict("campaign \(id) is \(record.status.rawValue); only finished campaigns can be deleted")
        }
        do { try await store.deleteCampaign(id: id) } catch { throw .unavailable("\(error)") }
    }

    /// Stops every running campaign and waits for them (shutdown).
    public func stopAll() async {
        for running in live.values { running.campaign.control.requestStop() }
        for running in live.values { await running.task.value }
    }

    static func readError(_ error: any Error) -> ServiceError {
        if let e = error as? StoreError, e.description == "invalid cursor" {
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
