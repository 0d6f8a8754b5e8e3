import ArbCore
import ArbEngine
import ArgumentParser
import Foundation

/// A number of a bench table, with `digits` decimals; `-` when there is none.
func benchCell(_ v: JSONValue?, _ digits: Int = 1) -> String {
    guard let x = v?.doubleValue else { return "-" }
    return String(format: "%.\(digits)f", x)
}

/// A latency summary as a bench row carries it (`null` when nothing was measured).
func latencyTree(_ latency: StatsReport.Latency?) -> JSONValue {
    latency.flatMap { try? JSONTree.encode($0) } ?? .null
}

/// `arbitrage bench`: the scalability matrix. Each case is one `arbitrage run` in a child process (so memory
/// and CPU figures belong to that case alone) on the synthetic market.
public struct BenchCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput, latency, CPU and memory from 10 to 1,000 routes, realtime and simulated.",
        discussion: "Use a release build. A soak is --routes 1000 --clock realtime --duration 600."
    )

    @Option(help: "Route counts, comma-separated.")
    var routes: String = "10,20,50,200,1000"

    @Option(help: "realtime, simulated or both.")
    var clock: Clock = .both

    @Option(help: "Seconds per realtime case (wall clock).")
    var duration: Double = 30

    @Option(help: "Seconds of market time per simulated case.")
    var simulatedSeconds: Double = 600

    @Option(help: "Book updates per second per market.")
    var updatesPerSecond: Double = 10

    @Option(help: "Venues of the campaigns, comma-separated; with more than Upbit and Binance the routes are spread over every KRW × USDT pair (each --routes count is then the most routes, Top N = count / pairs).")
    var venues: String = "upbit,binance"

    @Flag(help: "Move inventory in every case: pairs close by transfer after 60 s (strategy.exit_by_transfer), the rebalancer looks every 60 s (rebalance.policy band), every venue sends to every other.")
    var transfers = false

    @Flag(help: "Print the results as JSON instead of a table.")
    var json = false

    @Flag(help: "Measure persistence instead: a realtime campaign of the first --routes count run headless, then through the service's campaign manager on the in-memory store and on SQLite; loop latency and fills persisted per second.")
    var persistence = false

    @Flag(help: "Measure the market-data parsers instead: messages parsed and stored per second on one core for each exchange and file format, --duration seconds each.")
    var feeds = false

    @Flag(help: "Measure the HTTP API instead: wrk (-t1 -c32) on GET /campaigns/{id} of the idle service, then during realtime campaigns of the first --routes count lasting --duration seconds, on that route and round the read routes; each campaign's loop latency beside one run without load; then /metrics scraped once a second during a campaign of the last --routes count.")
    var http = false

    @Flag(help: "Measure the /metrics rendering instead: a simulated campaign of the last --routes count (60 s of market time, so every route's series hold data), then its campaign series rendered 200 times on one thread; median, p90 and max milliseconds and the size.")
    var metrics = false

    enum Clock: String, ExpressibleByArgument { case realtime, simulated, both }

    struct Case {
        var routes: Int
        var clock: String
        var stats: StatsReport
    }

    public init() {}

    public func run() async throws {
        let counts = routes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ (1...5000).contains($0) }) else {
            throw ValidationError("--routes takes route counts 1…5000, comma-separated")
        }
        _ = try campaignVenues()
        if feeds {
            let rows = FeedBench(seconds: duration).run()
            print(json ? FeedBench.json(rows).rendered() : FeedBench.table(rows))
            return
        }
        if http {
            let rows = try await HTTPBench(routes: counts[0], duration: duration, idleSeconds: 10, runs: 3,
                                           config: config(routes: counts[0], clock: "realtime"), metricsRoutes: counts.last!,
                                           metricsConfig: config(routes: counts.last!, clock: "realtime")).run()
            print(json ? JSONValue.array(rows).rendered() : HTTPBench.table(rows))
            return
        }
        if metrics {
            var config = config(routes: counts.last!, clock: "simulated")
            if case .object(var o) = config {
                o["session"] = ["clock": "simulated", "max_runtime_seconds": 60]
                config = .object(o)
            }
            let row = try await MetricsBench(config: config).run()
            print(json ? row.rendered() : MetricsBench.line(row))
            return
        }
        if persistence {
            let rows = try await PersistenceBench(routes: counts[0], duration: duration, config: config(routes: counts[0], clock: "realtime")).run()
            print(json ? JSONValue.array(rows).rendered() : PersistenceBench.table(rows))
            return
        }
        let clocks = clock == .both ? ["simulated", "realtime"] : [clock.rawValue]
        var cases: [Case] = []
        for c in clocks {
            for n in counts {
                FileHandle.standardError.write(Data("bench: \(n) routes, \(c)…\n".utf8))
                cases.append(Case(routes: n, clock: c, stats: try runCase(routes: n, clock: c)))
            }
        }
        if json {
            print(JSONValue.array(cases.map(Self.row)).rendered())
        } else {
            print(Self.table(cases, duration: duration))
        }
    }

    /// `--venues`, checked.
    func campaignVenues() throws -> [Venue] {
        let names = venues.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let parsed = names.compactMap(Venue.init(rawValue:))
        guard parsed.count == names.count, parsed.contains(where: \.isKRW), parsed.contains(where: { !$0.isKRW }) else {
            throw ValidationError("--venues takes venue names (\(Venue.allCases.map(\.rawValue).joined(separator: ", "))), at least one KRW and one USDT venue")
        }
        return parsed
    }

    /// The generated config of one case: limits scaled to the route count so the risk guard does not starve it.
    /// Over more venues than the seed's two, the routes spread over every KRW × USDT pair.
    func config(routes n: Int, clock c: String) -> JSONValue {
        let capital = Double(n) * 1_000
        let venues = (try? campaignVenues()) ?? [.upbit, .binance]
        let pairs = venues.filter(\.isKRW).count * venues.filter { !$0.isKRW }.count
        let assets = (n + pairs - 1) / pairs
        var venueConfig: [String: JSONValue] = [:]
        for venue in venues { venueConfig[venue.rawValue] = ["max_exposure_usd": .double(capital), "max_orders_per_second": 100_000] }
        var config: JSONValue = [
            "name": .string("bench-\(n)-\(c)"),
            "venues": .array(venues.map { .string($0.rawValue) }),
            "venue_config": .object(venueConfig),
            "universe": ["top_n": .int(Int64(assets))],
            "engine": ["mode": "multi", "multi_symbol_enabled": true],
            "market_data": ["seed": 3, "updates_per_second": .double(updatesPerSecond), "symbol_count": .int(Int64(assets + 40))],
            "multi_symbol_risk_guard": [
                "total_capital_usd": .double(Swift.min(capital, 1e7)), "max_total_exposure_usd": .double(capital),
                "max_symbol_allocation_pct": .double(n > 10 ? 0.05 : 0.3),
            ],
            "session": ["clock": .string(c), "max_runtime_seconds": .double(c == "realtime" ? duration : simulatedSeconds)],
        ]
        if transfers, case .object(var o) = config {
            o["strategy"] = ["exit_by_transfer": true, "transfer_after_seconds": 60]
            o["rebalance"] = ["policy": "band", "max_fee_pct": 0.01]
            let pairs = venues.flatMap { a in venues.filter { $0 != a }.map { JSONValue.string("\(a.rawValue)-\($0.rawValue)") } }
            o["transfers"] = ["allow": .array(pairs)]
            config = .object(o)
        }
        return config
    }

    /// One case: a generated config run by this executable in a child process.
    func runCase(routes n: Int, clock c: String) throws -> StatsReport {
        let config = config(routes: n, clock: c)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).json")
        try config.rendered().write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["run", file.path, "--progress", "none", "--compact", "--log-level", "error"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("the \(n)-route \(c) case failed (exit \(process.terminationStatus))")
        }
        do {
            return try JSONTree.decode(StatsReport.self, from: try JSONValue(parsing: Array(data)))
        } catch {
            throw ValidationError("the \(n)-route \(c) case printed stats that do not read: \(error)")
        }
    }

    /// This executable, for the child processes of the cases.
    static var executable: URL {
        let named = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        if FileManager.default.isExecutableFile(atPath: named.path) { return named }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }

    static func row(_ c: Case) -> JSONValue {
        let s = c.stats
        let p = s.performance
        let wall = p.wallSeconds
        let updates = Double(p.bookUpdates)
        return [
            "routes": .int(Int64(s.routes?.count ?? c.routes)), "clock": .string(c.clock),
            "venues": .int(Int64(Set((s.routes ?? [:]).values.flatMap(\.venues)).count)),
            "book_updates": .double(updates), "book_updates_per_second": .double(wall > 0 ? updates / wall : 0),
            "iterations": .int(Int64(p.iterations)), "trades": .int(Int64(s.trades.opened)),
            "loop_latency_us": latencyTree(p.loopLatencyUs["overall"] ?? nil), "tick_to_decision_us": latencyTree(p.tickToDecisionUs),
            "cpu_percent_avg": .double(p.resources.cpuPercentAvg), "cpu_percent_max": .double(p.resources.cpuPercentMax),
            "rss_mb_max": .double(p.resources.rssMBMax), "runtime_seconds": .double(s.runtimeSeconds), "wall_seconds": .double(wall),
            "status": .string(s.status), "stop_reason": s.stopReason.map(JSONValue.string) ?? .null,
        ]
    }

    static func table(_ cases: [Case], duration: Double) -> String {
        var lines = [
            "| routes | venues | clock | book updates/s | per route | loop avg / p50 / p99 / max µs | tick→decision p50 / p99 µs | trades | CPU avg / max % | RSS MB | runtime honoured |",
            "|---:|---:|---|---:|---:|---|---|---:|---|---:|---|",
        ]
        for c in cases {
            let r = row(c)
            let rate = r["book_updates_per_second"]?.doubleValue ?? 0
            let loop = r["loop_latency_us"] ?? .null
            let tick = r["tick_to_decision_us"] ?? .null
            let honoured: String
            if c.clock == "realtime" {
                let over = (r["runtime_seconds"]?.doubleValue ?? 0) - duration
                honoured = over >= 0 && over < 0.5 ? String(format: "yes (+%.1f ms)", over * 1000) : String(format: "NO (%+.3f s)", over)
            } else {
                honoured = r["stop_reason"] == "runtime" ? "yes" : "NO"
            }
            let routes = r["routes"]?.intValue.map(Int.init) ?? c.routes
            lines.append("| \(routes) | \(benchCell(r["venues"], 0)) | \(c.clock) | \(Int(rate)) | \(Int(rate / Double(Swift.max(1, routes)))) | \(benchCell(loop["avg"], 2)) / \(benchCell(loop["p50"], 2)) / \(benchCell(loop["p99"], 2)) / \(benchCell(loop["max"], 0)) | \(tick == .null ? "-" : "\(benchCell(tick["p50"])) / \(benchCell(tick["p99"]))") | \(benchCell(r["trades"], 0)) | \(benchCell(r["cpu_percent_avg"])) / \(benchCell(r["cpu_percent_max"])) | \(benchCell(r["rss_mb_max"])) | \(honoured) |")
        }
        lines.append("")
        lines.append("Old Python system (its D74-4 report): Top10 16.1 iterations/s per symbol (161/s in all), 62 ms per loop, 5.4 % CPU, 47 MB; Top20 16.1/s per symbol, ~52 MB; Top50 never ran.")
        return lines.joined(separator: "\n")
    }
}
