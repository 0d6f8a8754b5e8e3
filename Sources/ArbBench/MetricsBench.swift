import ArbCore
import ArbEngine
import ArbMetrics
import ArbTesting

/// `bench --metrics`: the campaign series of a finished simulated campaign rendered again and again on one thread,
/// the exposition's cost without the service around it (`bench --http` measures it inside the service).
struct MetricsBench {
    let config: JSONValue
    var renders = 200

    func run() async throws -> JSONValue {
        let result = try await Campaign(config: try CampaignConfig.parse(config)).run()
        let probe = CampaignProbe(id: "bench", kernel: result.kernel, startNs: 0, nowNs: 60_000_000_000)
        var times: [Double] = []
        var bytes = 0
        let labels = CampaignMetrics.LabelCache()
        for _ in 0..<renders {
            let start = MonotonicClock.nanoseconds()
            var text = MetricsText(capacity: bytes + 64 * 1024)
            CampaignMetrics.render([probe], into: &text, labels: labels)
            times.append(Double(MonotonicClock.nanoseconds() - start) / 1e6)
            bytes = text.count
        }
        times.sort()
        return [
            "routes": .int(Int64(result.kernel.routeCount)), "renders": .int(Int64(renders)), "bytes": .int(Int64(bytes)),
            "render_ms": ["median": .double(times[times.count / 2]), "p90": .double(times[times.count * 9 / 10]),
                          "max": .double(times.last ?? 0)],
        ]
    }

    static func line(_ row: JSONValue) -> String {
        "metrics: \(benchCell(row["routes"], 0)) routes, \(benchCell(row["renders"], 0)) renders of the campaign series: "
            + "\(benchCell(row.at("render_ms.median"), 2)) ms median, \(benchCell(row.at("render_ms.p90"), 2)) ms p90, "
            + "\(benchCell(row.at("render_ms.max"), 2)) ms max; \(benchCell(row["bytes"], 0)) bytes"
    }
}
