import ArbCore
import Synchronization

/// Collects a campaign's events on the hot path (an append under a lock) for a writer that hands them to the
/// store in batches.
public final class StoreRecorder: CampaignRecorder {
    private let buffer = Mutex<[CampaignEvent]>([])

    public init() {}

    public func record(_ event: CampaignEvent) {
        buffer.withLock { $0.append(event) }
    }

    /// Everything recorded since the last drain, in order.
    public func drain() -> [CampaignEvent] {
        buffer.withLock { events in
            defer { events.removeAll(keepingCapacity: true) }
            return events
        }
    }
}
