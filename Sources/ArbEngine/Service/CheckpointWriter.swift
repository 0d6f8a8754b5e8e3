import ArbCore
import Foundation
import Logging
import Synchronization

/// How the store's writes are going, for `/readyz` and `/metrics`.
public final class StoreHealth: Sendable {
    private struct State {
        var problem: String?
        var commits = 0
        var failures = 0
        var fills = 0
    }
    private let state = Mutex(State())

    public init() {}

    func committed(fills: Int) {
        state.withLock {
            $0.problem = nil
            $0.commits += 1
            $0.fills += fills
        }
    }

    /// A write outside campaign commits went through (a new campaign, a changed record).
    func wrote() { state.withLock { $0.problem = nil } }

    func failed(_ error: any Error) {
        state.withLock {
            $0.problem = "the store cannot write: \(error)"
            $0.failures += 1
        }
    }

    /// Why the store cannot take writes now; nil while its last write went through.
    public var problem: String? { state.withLock { $0.problem } }
    /// Campaign commits (checkpoints and ends), failed writes, and fills persisted by them, since start.
    public var counts: (commits: Int, failures: Int, fills: Int) { state.withLock { ($0.commits, $0.failures, $0.fills) } }
}

/// Commits one campaign's checkpoints, each with the events recorded since the previous one, and then its end, in
/// order and off the campaign's path: the campaign hands a checkpoint over and goes on. Checkpoints queued while
/// a write is under way are coalesced (the newest wins; every event is kept). A failed write is retried with the
/// same events, so a full disk delays records but never drops or repeats one.
final class CheckpointWriter: Sendable {
    enum Ending: Sendable {
        /// The campaign ended: its record, final stats (none when it failed before running).
        case finished(CampaignRecord, StatsReport?)
        /// The service shut down under it: its record and stats so far; the last checkpoint is queued before.
        case interrupted(CampaignRecord, StatsReport?)
    }

    private struct Queue {
        var checkpoint: CampaignCheckpoint?
        var events: [CampaignEvent] = []
        var ending: Ending?
    }

    let store: any CampaignStore
    let campaignId: String
    let health: StoreHealth
    let logger: Logger
    private let queue = Mutex(Queue())
    private let wake = WakeSignal()
    /// Whether the end is committed, and who waits for it.
    private let finished = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    init(store: any CampaignStore, campaignId: String, health: StoreHealth, logger: Logger) {
        self.store = store
        self.campaignId = campaignId
        self.health = health
        self.logger = logger
        Task.detached { [self] in await self.loop() }
    }

    /// Queues a checkpoint with the events recorded up to it. Never waits.
    func submit(_ checkpoint: CampaignCheckpoint, events: [CampaignEvent]) {
        queue.withLock { q in
            q.checkpoint = checkpoint
            q.events.append(contentsOf: events)
        }
        wake.notify(0)
    }

    /// Queues the campaign's end with its last events and waits until it is committed.
    func end(_ ending: Ending, events: [CampaignEvent]) async {
        queue.withLock { q in
            q.events.append(contentsOf: events)
            q.ending = ending
        }
        wake.notify(0)
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = finished.withLock { f -> Bool in
                if f.done { return true }
                f.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    private func loop() async {
        var backoff = 0.25
        while await wake.wait() != nil {
            while true {
                let batch = queue.withLock { q -> Queue in
                    defer { q.checkpoint = nil; q.events = []; q.ending = nil }
                    return q
                }
                if batch.checkpoint == nil && batch.ending == nil && batch.events.isEmpty { break }
                do {
                    try await write(batch)
                    health.committed(fills: batch.events.count { if case .fill = $0 { true } else { false } })
                    backoff = 0.25
                    if batch.ending != nil {
                        finish()
                        return
                    }
                } catch {
                    health.failed(error)
                    logger.error("cannot store a campaign's checkpoint; retrying with the same records",
                                 metadata: ["campaign": "\(campaignId)", "events": "\(batch.events.count)", "error": "\(error)"])
                    // Put the batch back in front of what came since; a newer checkpoint supersedes its own.
                    queue.withLock { q in
                        q.events = batch.events + q.events
                        if q.checkpoint == nil { q.checkpoint = batch.checkpoint }
                        if q.ending == nil { q.ending = batch.ending }
                    }
                    try? await Task.sleep(for: .seconds(backoff))
                    backoff = Swift.min(backoff * 2, 5)
                }
            }
        }
    }

    private func write(_ batch: Queue) async throws {
        switch batch.ending {
        case .finished(let record, let stats)?:
            try await store.finishCampaign(record, events: batch.events, stats: stats)
        case .interrupted(let record, let stats)?:
            try await store.interruptCampaign(record, checkpoint: batch.checkpoint, events: batch.events, stats: stats)
        case nil:
            if let checkpoint = batch.checkpoint { try await store.saveCheckpoint(checkpoint, events: batch.events) }
        }
    }

    private func finish() {
        wake.close()
        let waiters = finished.withLock { f -> [CheckedContinuation<Void, Never>] in
            f.done = true
            defer { f.waiters = [] }
            return f.waiters
        }
        for w in waiters { w.resume() }
    }
}
