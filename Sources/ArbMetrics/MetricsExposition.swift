import ArbCore
import ArbEngine
import Synchronization

/// `GET /metrics`: service series, every visible campaign's series and the process series.
public final class MetricsExposition: Sendable {
    public let service: ServiceMetrics
    let manager: CampaignManager
    /// How long the previous render took (exported, so the cost of a scrape is itself observable).
    private let lastRenderNs = Atomic<UInt64>(0)
    /// The previous exposition's size: the next one reserves it at once instead of growing by doubling.
    private let lastBytes = Atomic<Int>(1 << 20)
    private let labels = CampaignMetrics.LabelCache()

    public init(service: ServiceMetrics, manager: CampaignManager) {
        self.service = service
        self.manager = manager
    }

    public func render() async -> [UInt8] {
        let view = await manager.metricsView()
        let start = MonotonicClock.nanoseconds()
        service.setCampaigns(view.states)
        var text = MetricsText(capacity: lastBytes.load(ordering: .relaxed) + 64 * 1024)
        service.emit(into: &text)
        CampaignMetrics.render(view.probes, into: &text, labels: labels)
        ProcessMetrics.render(into: &text)
        let store = manager.health.counts
        text.family("arbitrage_store_commits_total", "counter", "Campaign commits to the store (checkpoints with their events, and ends).")
        text.sample("arbitrage_store_commits_total", [], Double(store.commits))
        text.family("arbitrage_store_write_errors_total", "counter", "Store writes that failed (retried with the same records).")
        text.sample("arbitrage_store_write_errors_total", [], Double(store.failures))
        text.family("arbitrage_store_fills_persisted_total", "counter", "Fills committed to the store.")
        text.sample("arbitrage_store_fills_persisted_total", [], Double(store.fills))
        text.family("arbitrage_store_writable", "gauge", "1 while the store's last write went through, 0 while it fails.")
        text.sample("arbitrage_store_writable", [], manager.health.problem == nil ? 1 : 0)
        text.family("arbitrage_metrics_render_seconds", "gauge", "Time the previous /metrics rendering took.")
        text.sample("arbitrage_metrics_render_seconds", [], Double(lastRenderNs.load(ordering: .relaxed)) / 1e9)
        lastRenderNs.store(MonotonicClock.nanoseconds() - start, ordering: .relaxed)
        lastBytes.store(text.count, ordering: .relaxed)
        return text.bytes
    }
}
