import ArbCore
import ArbEngine
import ArbMarketData
import ArbStore
import ArbTesting
import Foundation
import Logging

/// `arbitrage bench --persistence`: what storing costs a realtime campaign. The same trading-heavy campaign runs
/// headless (no checkpoints, nothing recorded), then through the service's `CampaignManager` with checkpoints
/// on the in-memory store, then on SQLite in a temporary directory.
struct PersistenceBench {
    let routes: Int
    let duration: Double
    let config: JSONValue

    /// The bench config made to trade all the time: entries at any edge above −20 bps, exits at the next look, no
    /// cooldown, no circuit breaker halt and loss limits out of reach (every such round trip loses its fees).
    var tradingConfig: JSONValue {
        var tree = config
        if case .object(var o) = tree {
            o["name"] = .string("bench-persistence-\(routes)")
            o["strategy"] = ["entry_threshold_bps": -20, "exit_threshold_bps": 100, "max_hold_seconds": 1]
            if case .object(var guardSection)? = o["multi_symbol_risk_guard"] {
                guardSection["cooldown_seconds"] = 0
                guardSection["circuit_breaker_halt_seconds"] = 0
                guardSection["max_daily_loss_usd"] = 1e9
                guardSection["emergency_stop_loss_usd"] = 1e9
                o["multi_symbol_risk_guard"] = .object(guardSection)
            }
            tree = .object(o)
        }
        return tree
    }

    func run() async throws -> [JSONValue] {
        let parsed = try CampaignConfig.parse(tradingConfig)
        FileHandle.standardError.write(Data("bench: \(routes) routes, realtime, headless…\n".utf8))
        let headless = try await Campaign(config: parsed).run()
        var rows = [Self.row("headless (no store)", stats: headless.stats, fills: nil, commits: nil, bytes: nil, seconds: duration)]

        FileHandle.standardError.write(Data("bench: \(routes) routes, realtime, in-memory store…\n".utf8))
        rows.append(try await managed("in-memory store", store: InMemoryCampaignStore(), path: nil))

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("arbitrage.sqlite").path
        FileHandle.standardError.write(Data("bench: \(routes) routes, realtime, SQLite store…\n".utf8))
        rows.append(try await managed("SQLite store", store: try SQLiteCampaignStore(path: path), path: dir.path))
        return rows
    }

    private func managed(_ name: String, store: any CampaignStore, path: String?) async throws -> JSONValue {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let manager = CampaignManager(store: store, sources: SyntheticSourceFactory(), logger: logger)
        let start = Date()
        let record = try await manager.create(tradingConfig)
        // Until its end is committed and counted.
        while await manager.runningCount > 0 {
            try await Task.sleep(for: .milliseconds(100))
        }
        let seconds = Date().timeIntervalSince(start)
        let stats = try manager.stats(id: record.id)
        let counts = manager.health.counts
        let bytes = path.map { dir in
            ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).reduce(0) { sum, file in
                sum + (((try? FileManager.default.attributesOfItem(atPath: dir + "/" + file))?[.size] as? Int) ?? 0)
            }
        }
        return Self.row(name, stats: stats, fills: counts.fills, commits: counts.commits, bytes: bytes, seconds: seconds)
    }

    static func row(_ name: String, stats: StatsReport, fills: Int?, commits: Int?, bytes: Int?, seconds: Double) -> JSONValue {
        let p = stats.performance
        return [
            "case": .string(name), "status": .string(stats.status),
            "loop_latency_us": latencyTree(p.loopLatencyUs["overall"] ?? nil),
            "trades": .int(Int64(stats.trades.opened)),
            "fills_persisted": fills.map { .int(Int64($0)) } ?? .null,
            "fills_persisted_per_second": fills.map { .double(Double($0) / seconds) } ?? .null,
            "commits": commits.map { .int(Int64($0)) } ?? .null,
            "store_bytes": bytes.map { .int(Int64($0)) } ?? .null,
            "cpu_percent_avg": .double(p.resources.cpuPercentAvg),
            "rss_mb_max": .double(p.resources.rssMBMax),
            "runtime_seconds": .double(stats.runtimeSeconds),
        ]
    }

    static func table(_ rows: [JSONValue]) -> String {
        var lines = [
            "| case | loop p50 / p99 / max µs | trades | fills persisted | per second | commits | store MB | CPU avg % | RSS MB | runtime s |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows {
            let loop = r["loop_latency_us"] ?? .null
            let mb = r["store_bytes"]?.doubleValue.map { JSONValue.double($0 / 1_048_576) }
            lines.append("| \(r["case"]?.stringValue ?? "") | \(benchCell(loop["p50"], 2)) / \(benchCell(loop["p99"], 2)) / \(benchCell(loop["max"], 0)) | \(benchCell(r["trades"], 0)) | \(benchCell(r["fills_persisted"], 0)) | \(benchCell(r["fills_persisted_per_second"], 0)) | \(benchCell(r["commits"], 0)) | \(benchCell(mb)) | \(benchCell(r["cpu_percent_avg"])) | \(benchCell(r["rss_mb_max"])) | \(benchCell(r["runtime_seconds"], 3)) |")
        }
        return lines.joined(separator: "\n")
    }
}
