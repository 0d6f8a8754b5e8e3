import ArbCore
import Synchronization

/// Service-wide series: HTTP requests and durations by route template, campaigns by state, build info, and the
/// market-data feed series (at zero for both exchanges until a live feed runs). Rendered by `MetricsText` like
/// every other series, so one mechanism writes the whole exposition.
public final class ServiceMetrics: Sendable {
    static let states = ["pending", "running", "completed", "stopped", "failed", "interrupted"]
    static let methods: Set<String> = ["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS"]
    /// Upper bounds (seconds) of the request duration histogram.
    static let httpBounds: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                       0.5, 1, 2.5, 5, 10]
    static let durationName = MetricsText.HistogramName("arbitrage_http_request_duration_seconds", bounds: httpBounds)

    /// One route template's requests: counts by method and status, and the duration histogram.
    struct RouteSeries {
        var requests: [MethodStatus: UInt64] = [:]
        /// Per bucket (not cumulative), the last one past every bound.
        var buckets = [UInt64](repeating: 0, count: ServiceMetrics.httpBounds.count + 1)
        var seconds = 0.0
        var count: UInt64 = 0
    }

    struct MethodStatus: Hashable, Comparable {
        var method: String
        var status: Int
        static func < (a: Self, b: Self) -> Bool { (a.method, a.status) < (b.method, b.status) }
    }

    let version: String
    /// The live feeds' counters, rendered at scrape time.
    let feeds: FeedStatus
    /// By route template (bounded: unknown paths are `unmatched`). Held for one request's update or a scrape's copy.
    private let routes = Mutex<[String: RouteSeries]>([:])
    private let campaigns = Mutex<[String: Int]>([:])

    public init(version: String, feeds: FeedStatus = FeedStatus()) {
        self.version = version
        self.feeds = feeds
    }

    /// Counts one HTTP request under its route template.
    public func observe(route: String?, method: String, status: Int, seconds: Double) {
        let key = MethodStatus(method: Self.methods.contains(method) ? method : "OTHER", status: status)
        let bucket = Self.httpBounds.firstIndex { seconds <= $0 } ?? Self.httpBounds.count
        routes.withLock { all in
            all[route ?? "unmatched", default: RouteSeries()].record(key, bucket: bucket, seconds: seconds)
        }
    }

    public func setCampaigns(_ counts: [String: Int]) { campaigns.withLock { $0 = counts } }

    public func emit(into text: inout MetricsText) {
        text.family("arbitrage_build_info", "gauge", "Build information; the value is always 1.")
        text.sample("arbitrage_build_info", [("version", version)], 1)
        let counts = campaigns.withLock { $0 }
        text.family("arbitrage_campaigns", "gauge", "Campaigns by state.")
        for state in Self.states { text.sample("arbitrage_campaigns", [("state", state)], Double(counts[state] ?? 0)) }
        emitHTTP(into: &text)
        emitFeeds(into: &text)
    }

    private func emitHTTP(into text: inout MetricsText) {
        let all = routes.withLock { $0 }.sorted { $0.key < $1.key }
        text.family("arbitrage_http_requests_total", "counter", "HTTP requests by route template, method and status.")
        for (route, series) in all {
            for (key, n) in series.requests.sorted(by: { $0.key < $1.key }) {
                text.sample("arbitrage_http_requests_total", [("route", route), ("method", key.method), ("status", String(key.status))], Double(n))
            }
        }
        text.family("arbitrage_http_request_duration_seconds", "histogram", "HTTP request handling time by route template.")
        for (route, series) in all {
            var running: UInt64 = 0
            let cumulative = series.buckets.dropLast().map { running += $0; return running }
            text.histogram(Self.durationName, MetricsText.LabelSet([("route", route)]), cumulative: cumulative,
                           sum: series.seconds, count: series.count)
        }
    }

    private func emitFeeds(into text: inout MetricsText) {
        func family(_ name: String, _ type: String, _ help: String, _ value: (FeedCounters) -> Int) {
            text.family(name, type, help)
            for v in Venue.allCases { text.sample(name, [("exchange", v.rawValue)], Double(value(feeds[v]))) }
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
        family("arbitrage_feed_books_total", "counter", "Books the exchange's live feed handed to campaigns.") { $0.books.load(ordering: .relaxed) }
        family("arbitrage_feed_sequence_gaps_total", "counter", "Book messages out of sequence (a lost update, a failed checksum); the book waits for a new snapshot.") {
            $0.sequenceGaps.load(ordering: .relaxed)
        }
        family("arbitrage_feed_resyncs_total", "counter", "New snapshots asked for after a sequence gap.") { $0.resyncs.load(ordering: .relaxed) }
        family("arbitrage_feed_venue_errors_total", "counter", "Errors the exchange sent on its live feed (refused subscriptions, limits).") {
            $0.venueErrors.load(ordering: .relaxed)
        }
        family("arbitrage_rest_requests_total", "counter", "REST calls to the exchange (listing), answered or not.") { $0.restRequests.load(ordering: .relaxed) }
        family("arbitrage_rest_errors_total", "counter", "REST calls to the exchange that failed (network, HTTP status, error body).") {
            $0.restErrors.load(ordering: .relaxed)
        }
        family("arbitrage_rest_rate_limited_total", "counter", "Answers that told the service to slow down or wait: 429, 418, Bybit's 403, OKX's code 50011.") {
            $0.restLimited.load(ordering: .relaxed)
        }
        family("arbitrage_rest_limiter_waits_total", "counter", "REST calls the venue's limiter held back to stay within its share.") {
            $0.restWaits.load(ordering: .relaxed)
        }
        family("arbitrage_rest_limiter_refusals_total", "counter", "REST calls the venue's limiter refused (banned, or a wait longer than the call may take).") {
            $0.restRefusals.load(ordering: .relaxed)
        }
        func seconds(_ name: String, _ type: String, _ help: String, _ value: (FeedCounters) -> Double) {
            text.family(name, type, help)
            for v in Venue.allCases { text.sample(name, [("exchange", v.rawValue)], value(feeds[v])) }
        }
        seconds("arbitrage_rest_limiter_wait_seconds_total", "counter", "Time REST calls waited in the venue's limiter.") {
            Double($0.restWaitNs.load(ordering: .relaxed)) / 1e9
        }
        seconds("arbitrage_rest_latency_seconds_total", "counter", "Summed latency of the REST calls (divide by arbitrage_rest_requests_total for the mean).") {
            Double($0.restLatencyNs.load(ordering: .relaxed)) / 1e9
        }
        let health = feeds.health.all
        text.family("arbitrage_venue_health", "gauge", "Live feed health per venue: 0 healthy, 1 degraded, 2 down (entries on its routes refused), -1 idle.")
        for (v, h) in health.pairs { text.sample("arbitrage_venue_health", [("exchange", v.rawValue)], Double(h.state.gauge)) }
        text.family("arbitrage_venue_data_age_seconds", "gauge", "Time since the venue's live feed last delivered a book (0 when idle).")
        for (v, h) in health.pairs { text.sample("arbitrage_venue_data_age_seconds", [("exchange", v.rawValue)], (h.dataAgeMs ?? 0) / 1000) }
    }
}

extension ServiceMetrics.RouteSeries {
    mutating func record(_ key: ServiceMetrics.MethodStatus, bucket: Int, seconds: Double) {
        requests[key, default: 0] += 1
        buckets[bucket] += 1
        self.seconds += seconds
        count += 1
    }
}
