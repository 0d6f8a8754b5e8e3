import ArbCore
import ArbEngine
import ArbTesting
import ArbHTTP
import ArbMarketData
import ArbMetrics
import ArbTestSupport
import Foundation
import MicroHTTPD
import Testing

extension HTTPSuites {
@Suite struct MetricsTests {
    /// A service with /metrics, whose ended campaigns linger 0.5 s.
    final class Instrumented: @unchecked Sendable {
        // Immutable after init.
        let server: HTTPServer
        init() throws {
            let manager = CampaignManager(store: InMemoryCampaignStore(), sources: SyntheticSourceFactory(), lingerSeconds: 0.5)
            let service = ServiceMetrics(version: "9.9.9")
            let exposition = MetricsExposition(service: service, manager: manager)
            var options = ControlAPI.Options(version: "9.9.9")
            options.metrics = { await exposition.render() }
            options.observe = { service.observe(route: $0, method: $1, status: $2, seconds: $3) }
            let api = ControlAPI(manager: manager, options: options)
            var c = HTTPServer.Configuration()
            c.port = 0
            server = HTTPServer(configuration: c) { api.handle($0) }
            try server.start()
        }
        deinit { server.stop() }

        func get(_ path: String) async throws -> (status: Int, headers: [String: String], body: String) {
            let port = server.port
            return try await offPool { try RawClient.request(port: port, "GET", path) }
        }
        func post(_ path: String, _ json: String) async throws -> (status: Int, headers: [String: String], body: String) {
            let port = server.port
            return try await offPool {
                try RawClient.request(port: port, "POST", path, headers: ["Content-Type": "application/json"], body: Array(json.utf8))
            }
        }
    }

    @Test func serviceSeriesCountRequestsAndBucketDurations() {
        let service = ServiceMetrics(version: "1.2.3")
        service.observe(route: "/campaigns", method: "GET", status: 200, seconds: 0.0002)
        service.observe(route: "/campaigns", method: "GET", status: 200, seconds: 0.003)
        service.observe(route: "/campaigns", method: "POST", status: 422, seconds: 20)
        service.observe(route: nil, method: "BREW", status: 404, seconds: 0.00001)
        service.setCampaigns(["running": 2])
        var text = MetricsText()
        service.emit(into: &text)
        let out = Self.parse(String(decoding: text.bytes, as: UTF8.self))
        func value(_ name: String, _ labels: String) -> Double? { out.samples.first { $0.name == name && $0.labels == labels }?.value }
        #expect(out.families["arbitrage_http_requests_total"] == "counter")
        #expect(out.families["arbitrage_http_request_duration_seconds"] == "histogram")
        #expect(value("arbitrage_http_requests_total", #"{route="/campaigns",method="GET",status="200"}"#) == 2)
        #expect(value("arbitrage_http_requests_total", #"{route="/campaigns",method="POST",status="422"}"#) == 1)
        #expect(value("arbitrage_http_requests_total", #"{route="unmatched",method="OTHER",status="404"}"#) == 1)
        // Cumulative: 0.2 ms is under 0.25 ms, 3 ms under 5 ms, 20 s only under +Inf.
        let bucket = "arbitrage_http_request_duration_seconds_bucket"
        #expect(value(bucket, #"{route="/campaigns",le="0.0001"}"#) == 0)
        #expect(value(bucket, #"{route="/campaigns",le="0.00025"}"#) == 1)
        #expect(value(bucket, #"{route="/campaigns",le="0.005"}"#) == 2)
        #expect(value(bucket, #"{route="/campaigns",le="10"}"#) == 2)
        #expect(value(bucket, #"{route="/campaigns",le="+Inf"}"#) == 3)
        #expect(value("arbitrage_http_request_duration_seconds_count", #"{route="/campaigns"}"#) == 3)
        #expect(abs((value("arbitrage_http_request_duration_seconds_sum", #"{route="/campaigns"}"#) ?? 0) - 20.0032) < 1e-9)
        #expect(value("arbitrage_campaigns", #"{state="running"}"#) == 2 && value("arbitrage_campaigns", #"{state="failed"}"#) == 0)
        #expect(value("arbitrage_build_info", #"{version="1.2.3"}"#) == 1)
    }

    @Test func numbersAreWrittenExactlyEnough() {
        let values: [Double] = [0, 1, -3, 42, 0.1, -12.943388159967748, 0.0000015, 1.9999999999, 123456.789, 8.999e9,
                                1e-9, 3e12, -0.5, .infinity, -.infinity, 1e300]
        var text = MetricsText()
        for v in values { text.sample("x", [], v) }
        let written = String(decoding: text.bytes, as: UTF8.self).split(separator: "\n").map { String($0.dropFirst(2)) }
        #expect(written.count == values.count)
        for (v, w) in zip(values, written) {
            if v.isInfinite { #expect(w == (v > 0 ? "+Inf" : "-Inf")); continue }
            let back = Double(w) ?? .nan
            // Nine decimals, or the full value when that is finer.
            #expect(abs(back - v) <= Swift.max(5e-10, abs(v) * 1e-15), "\(v) written as \(w)")
            #expect(!w.contains("e") || abs(v) >= 9e9 || abs(v) < 1e-6, "\(v) written as \(w)")
        }
        #expect(written[5] == "-12.94338816" && written[6] == "0.0000015" && written[7] == "2")
    }

    /// Sample lines by family name.
    static func parse(_ text: String) -> (families: [String: String], samples: [(name: String, labels: String, value: Double)]) {
        var types: [String: String] = [:]
        var samples: [(String, String, Double)] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                types[String(parts[2])] = String(parts[3])
            } else if !line.hasPrefix("#") {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                let labels = line.contains("{") ? String(line[line.firstIndex(of: "{")!...line.lastIndex(of: "}")!]) : ""
                samples.append((name, labels, Double(line.split(separator: " ").last!) ?? .nan))
            }
        }
        return (types, samples)
    }

    static func family(of sample: String, in types: [String: String]) -> String? {
        if types[sample] != nil { return sample }
        for suffix in ["_bucket", "_sum", "_count"] where sample.hasSuffix(suffix) {
            let base = String(sample.dropLast(suffix.count))
            if types[base] == "histogram" { return base }
        }
        return nil
    }

    @Test func theExpositionCoversTheServiceCampaignsAndTheProcess() async throws {
        let s = try Instrumented()
        let empty = try await s.get("/metrics")
        #expect(empty.status == 200 && empty.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let before = Self.parse(empty.body)
        // Feed series at zero for both exchanges before any live feed runs; build info; process metrics.
        for exchange in ["upbit", "binance"] {
            #expect(before.samples.contains { $0.name == "arbitrage_feed_connected" && $0.labels.contains(exchange) && $0.value == 0 })
            #expect(before.samples.contains { $0.name == "arbitrage_feed_reconnects_total" && $0.labels.contains(exchange) })
        }
        #expect(before.families["process_cpu_seconds_total"] == "counter")
        for name in ["process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                     "process_start_time_seconds", "process_threads"] {
            #expect(before.families[name] == "gauge", "\(name)")
            #expect((before.samples.first { $0.name == name }?.value ?? 0) > 0, "\(name)")
        }
        #expect(before.samples.contains { $0.name == "arbitrage_build_info" && $0.labels.contains("9.9.9") && $0.value == 1 })

        let created = try await s.post("/campaigns", #"{"universe": {"top_n": 2}, "engine": {"mode": "multi", "multi_symbol_enabled": true}, "strategy": {"entry_threshold_bps": -30}, "market_data": {"updates_per_second": 20}, "session": {"max_runtime_seconds": 1.5}}"#)
        #expect(created.status == 201)
        try await Task.sleep(for: .milliseconds(800))
        let during = Self.parse(try await s.get("/metrics").body)
        // Every sample belongs to a family with HELP and TYPE.
        for sample in during.samples { #expect(Self.family(of: sample.name, in: during.families) != nil, "\(sample.name)") }
        let iterations = during.samples.filter { $0.name == "arbitrage_iterations_total" }
        #expect(iterations.count == 2 && iterations.allSatisfy { $0.labels.contains("campaign=") && $0.value > 0 })
        #expect(during.families["arbitrage_loop_latency_seconds"] == "histogram")
        #expect(during.samples.contains { $0.name == "arbitrage_loop_latency_seconds_bucket" && $0.labels.contains("le=\"+Inf\"") && $0.value > 0 })
        #expect(during.samples.contains { $0.name == "arbitrage_market_data_age_seconds" && $0.labels.contains("exchange=\"binance\"") })
        #expect(during.samples.contains { $0.name == "arbitrage_campaigns" && $0.labels.contains("running") && $0.value == 1 })
        #expect(during.samples.contains { $0.name == "arbitrage_http_requests_total" && $0.labels.contains("route=\"/campaigns\"") })
        #expect(during.samples.contains { $0.name == "arbitrage_decisions_total" })

        // After the campaign ends (and one last scrape interval), its series go away.
        try await Task.sleep(for: .milliseconds(2_000))
        let after = Self.parse(try await s.get("/metrics").body)
        #expect(!after.samples.contains { $0.name == "arbitrage_iterations_total" })
        #expect(after.samples.contains { $0.name == "arbitrage_campaigns" && $0.labels.contains("completed") && $0.value == 1 })
        // Unknown paths do not make new label values.
        _ = try await s.get("/no/such/path/\(UUID().uuidString)")
        let labels = Self.parse(try await s.get("/metrics").body).samples.filter { $0.name == "arbitrage_http_requests_total" }.map(\.labels)
        #expect(labels.contains { $0.contains("route=\"unmatched\"") } && !labels.contains { $0.contains("/no/such") })
    }
}
}
