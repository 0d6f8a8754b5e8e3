import ArbCore
import ArbEngine
import Prometheus

/// Service-wide series on a swift-prometheus registry, which owns them: HTTP requests and durations by route
/// template, campaigns by state, build info, and the market-data feed series (at zero for both exchanges until a
/// live feed runs).
public final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    static let states = ["pending", "running", "completed", "stopped", "failed", "interrupted"]
    static let methods: Set<String> = ["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS"]
    static let httpBuckets: [Duration] = [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                                          .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                          .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                                          .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]

    /// A family named in full (the registry would otherwise join namespace, name and unit).
    static func d(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// The live feeds' counters, rendered at scrape time (at zero for both exchanges until a feed runs).
    let feeds: FeedStatus

    public init(version: String, feeds: FeedStatus = FeedStatus()) {
        self.feeds = feeds
        registry.makeGauge(descriptor: Self.d("arbitrage_build_info", "Build information; the value is always 1."), labels: [("version", version)]).set(Double(1))
        for state in Self.states {
            registry.makeGauge(descriptor: Self.d("arbitrage_campaigns", "Campaigns by state."), labels: [("state", state)]).set(Double(0))
        }
    }

    /// Counts one HTTP request under its route template (bounded labels: unknown paths are `unmatched`).
    public func observe(route: String?, method: String, status: Int, seconds: Double) {
        let m = Self.methods.contains(method) ? method : "OTHER"
        let r = route ?? "unmatched"
        registry.makeCounter(descriptor: Self.d("arbitrage_http_requests_total", "HTTP requests by route template, method and status."), labels: [("route", r), ("method", m), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.d("arbitrage_http_request_duration_seconds", "HTTP request handling time by route template."), labels: [("route", r)], buckets: Self.httpBuckets)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    public func setCampaigns(_ counts: [String: Int]) {
        for state in Self.states {
            registry.makeGauge(descriptor: Self.d("arbitrage_campaigns", "Campaigns by state."), labels: [("state", state)])
                .set(Double(counts[state] ?? 0))
        }
    }

    public func emit(into text: inout MetricsText) {
        text.append(raw: registry.emitToBuffer())
        let venues = Venue.allCases
        func family(_ name: String, _ type: String, _ help: String, _ value: (FeedCounters) -> Int) {
            text.family(name, type, help)
            for v in venues { text.sample(name, [("exchange", v.rawValue)], Double(value(feeds[v]))) }
        }
        family("arbitrage_feed_connected", "gauge", "Live feed connections open to the exchange.") { $0.connected.load(ordering: .relaxed) }
        family("arbitrage_feed_connections", "gauge", "Live feed connections wanted to the exchange (open or being opened).") {
            $0.connections.load(ordering: .relaxed)
        }
        family("arbitrage_feed_messages_total", "counter", "Messages received from the exchange's live feed.") { $0.messages.load(ordering: .relaxed) }
        family("arbitrage_feed_parse_errors_total", "counter", "Live feed messages that could not be parsed (counted and dropped).") {
            $0.parseErrors.load(ordering: .relaxed)
        }
        family("arbitrage_feed_reconnects_total", "counter", "Reconnections of the exchange's live feed (after a close, a failure or silence).") {
            $0.reconnects.load(ordering: .relaxed)
        }
    }
}
