import ArbCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `arbitrage bench --http`: the control API under load, over real sockets. This executable serves on a free
/// port with a temporary data directory (a child process, as an operator runs it) and `wrk -t1 -c32` loads it:
///
/// 1. the service idle, `GET /campaigns/{id}` of a finished campaign (`runs` times);
/// 2. a realtime campaign of `routes` routes with no load, for its loop latency;
/// 3. the same campaign again with wrk on its `GET /campaigns/{id}` for the middle of its run;
/// 4. again with wrk going round the read routes (record, stats, trades, decisions, symbols, risk, listing);
/// 5. a realtime campaign of `metricsRoutes` routes, `/metrics` scraped once a second: the rendering time the
///    service reports (`arbitrage_metrics_render_seconds`, the previous scrape's), the round trip and the size.
///
/// A case's campaign latencies come from that campaign's own stats, so with and without load are read alike.
struct HTTPBench {
    let routes: Int
    /// Wall seconds of each campaign; wrk runs for all of it but the first and last two seconds.
    let duration: Double
    /// Seconds of each idle wrk run.
    let idleSeconds: Double
    let runs: Int
    let config: JSONValue
    /// Routes of the campaign the `/metrics` case scrapes, and its config.
    let metricsRoutes: Int
    let metricsConfig: JSONValue

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func run() async throws -> [JSONValue] {
        guard let wrk = Self.which("wrk") else {
            throw Failure(description: "bench --http needs wrk on PATH (apt-get install -y wrk)")
        }
        let service = try ServiceProcess.start()
        defer { service.stop() }
        let base = service.url
        var rows: [JSONValue] = []

        Self.say("bench: the service idle, wrk on GET /campaigns/{id}…")
        let idle = try await create(base, Self.finishedCampaign)
        _ = try await waitUntilDone(base, id: idle)
        for run in 1...runs {
            let load = try WrkRun(wrk: wrk, url: "\(base)/campaigns/\(idle)", paths: nil, seconds: idleSeconds).run()
            rows.append(Self.row("idle service, GET /campaigns/{id} (run \(run))", load: load, stats: nil))
        }

        Self.say("bench: \(routes) routes realtime, no load…")
        let quiet = try await create(base, config)
        rows.append(Self.row("\(routes)-route realtime campaign, no load", load: nil, stats: try await waitUntilDone(base, id: quiet)))

        let wrkSeconds = Swift.max(1, duration - 4)
        Self.say("bench: \(routes) routes realtime, wrk on GET /campaigns/{id}…")
        let single = try await create(base, config)
        try await Task.sleep(for: .seconds(2))
        let singleLoad = try WrkRun(wrk: wrk, url: "\(base)/campaigns/\(single)", paths: nil, seconds: wrkSeconds).run()
        rows.append(Self.row("\(routes)-route realtime campaign, wrk on GET /campaigns/{id}", load: singleLoad,
                             stats: try await waitUntilDone(base, id: single)))

        Self.say("bench: \(routes) routes realtime, wrk round the read routes…")
        let mixed = try await create(base, config)
        try await Task.sleep(for: .seconds(2))
        let paths = ["/campaigns/\(mixed)", "/campaigns/\(mixed)/stats", "/campaigns/\(mixed)/trades?limit=50",
                     "/campaigns/\(mixed)/decisions?limit=50", "/campaigns/\(mixed)/symbols", "/campaigns/\(mixed)/risk",
                     "/campaigns?limit=20"]
        let mixedLoad = try WrkRun(wrk: wrk, url: base, paths: paths, seconds: wrkSeconds).run()
        rows.append(Self.row("\(routes)-route realtime campaign, wrk round 7 read routes", load: mixedLoad,
                             stats: try await waitUntilDone(base, id: mixed)))

        Self.say("bench: \(metricsRoutes) routes realtime, /metrics scraped once a second…")
        let scraped = try await create(base, metricsConfig)
        try await Task.sleep(for: .seconds(2))
        var scrapes: [(renderMs: Double, roundTripMs: Double, bytes: Int)] = []
        while scrapes.count < Int(wrkSeconds) {
            let started = Date()
            let (status, text) = try await Self.fetch("\(base)/metrics")
            let roundTrip = Date().timeIntervalSince(started) * 1000
            guard status == 200 else { throw Failure(description: "GET /metrics answered \(status)") }
            // Each scrape reports the rendering of the one before it.
            if !scrapes.isEmpty, let render = Self.sample("arbitrage_metrics_render_seconds", in: text) {
                scrapes[scrapes.count - 1].renderMs = render * 1000
            }
            scrapes.append((.nan, roundTrip, text.utf8.count))
            try await Task.sleep(for: .seconds(1))
        }
        _ = try await waitUntilDone(base, id: scraped)
        rows.append(Self.metricsRow("\(metricsRoutes)-route realtime campaign, GET /metrics once a second", scrapes))
        return rows
    }

    static func metricsRow(_ name: String, _ scrapes: [(renderMs: Double, roundTripMs: Double, bytes: Int)]) -> JSONValue {
        func median(_ xs: [Double]) -> JSONValue {
            let sorted = xs.filter { !$0.isNaN }.sorted()
            return sorted.isEmpty ? .null : .double(sorted[sorted.count / 2])
        }
        let renders = scrapes.map(\.renderMs).filter { !$0.isNaN }
        return [
            "case": .string(name), "scrapes": .int(Int64(scrapes.count)),
            "render_ms": ["median": median(renders), "max": renders.max().map { .double($0) } ?? .null],
            "round_trip_ms": ["median": median(scrapes.map(\.roundTripMs)), "max": scrapes.map(\.roundTripMs).max().map { .double($0) } ?? .null],
            "bytes": scrapes.last.map { .int(Int64($0.bytes)) } ?? .null,
        ]
    }

    /// The value of an unlabelled sample in a Prometheus text exposition.
    static func sample(_ name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// A short simulated campaign whose record the idle runs read.
    static let finishedCampaign: JSONValue = [
        "name": "bench-http-idle", "universe": ["top_n": 3], "engine": ["mode": "multi", "multi_symbol_enabled": true],
        "session": ["clock": "simulated", "max_runtime_seconds": 60],
    ]

    static func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    func create(_ base: String, _ body: JSONValue) async throws -> String {
        let (status, answer) = try await Self.request("POST", "\(base)/campaigns", body: body)
        guard status == 201, let id = answer["id"]?.stringValue else {
            throw Failure(description: "POST /campaigns answered \(status): \(answer.rendered(pretty: false))")
        }
        return id
    }

    /// Polls until the campaign has ended; returns its final stats.
    func waitUntilDone(_ base: String, id: String) async throws -> StatsReport {
        while true {
            let (status, record) = try await Self.request("GET", "\(base)/campaigns/\(id)", body: nil)
            guard status == 200 else { throw Failure(description: "GET /campaigns/\(id) answered \(status)") }
            if record["status"] != "running" { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let (status, stats) = try await Self.request("GET", "\(base)/campaigns/\(id)/stats", body: nil)
        guard status == 200 else { throw Failure(description: "GET /campaigns/\(id)/stats answered \(status)") }
        do { return try JSONTree.decode(StatsReport.self, from: stats) } catch {
            throw Failure(description: "GET /campaigns/\(id)/stats answered stats that do not read: \(error)")
        }
    }

    static func request(_ method: String, _ url: String, body: JSONValue?) async throws -> (Int, JSONValue) {
        let (status, data) = try await send(method, url, body: body)
        return (status, (try? JSONValue(parsing: Array(data))) ?? .null)
    }

    static func fetch(_ url: String) async throws -> (Int, String) {
        let (status, data) = try await send("GET", url, body: nil)
        return (status, String(decoding: data, as: UTF8.self))
    }

    /// One request on URLSession's completion API (never cancelled: see `ExchangeListing`).
    static func send(_ method: String, _ url: String, body: JSONValue?) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.rendered(pretty: false).utf8)
        }
        let (data, status): (Data, Int) = try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { continuation.resume(throwing: error); return }
                continuation.resume(returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
            }.resume()
        }
        return (status, data)
    }

    static func row(_ name: String, load: WrkRun.Result?, stats: StatsReport?) -> JSONValue {
        let p = stats?.performance
        return [
            "case": .string(name),
            "requests_per_second": load.map { .double($0.requestsPerSecond) } ?? .null,
            "latency_ms": load.map { ["p50": .double($0.p50Ms), "p99": .double($0.p99Ms)] } ?? .null,
            "requests": load.map { .int(Int64($0.requests)) } ?? .null,
            "errors": load.map { .int(Int64($0.errors)) } ?? .null,
            "loop_latency_us": latencyTree(p?.loopLatencyUs["overall"] ?? nil),
            "tick_to_decision_us": latencyTree(p?.tickToDecisionUs),
            "campaign_cpu_percent_avg": p.map { .double($0.resources.cpuPercentAvg) } ?? .null,
            "runtime_seconds": stats.map { .double($0.runtimeSeconds) } ?? .null,
        ]
    }

    static func table(_ rows: [JSONValue]) -> String {
        var lines = [
            "| case | requests/s | latency p50 / p99 ms | errors | campaign loop p50 / p99 / max µs | tick→decision p99 µs | runtime s |",
            "|---|---:|---|---:|---|---:|---:|",
        ]
        for r in rows where r["scrapes"] == nil {
            let loop = r["loop_latency_us"] ?? .null
            let latency = r["latency_ms"] ?? .null
            let served = latency == .null ? "-" : "\(benchCell(latency["p50"], 2)) / \(benchCell(latency["p99"], 2))"
            let campaign = loop == .null ? "-" : "\(benchCell(loop["p50"], 2)) / \(benchCell(loop["p99"], 2)) / \(benchCell(loop["max"], 0))"
            lines.append("| \(r["case"]?.stringValue ?? "") | \(benchCell(r["requests_per_second"], 0)) | \(served) | \(benchCell(r["errors"], 0)) | \(campaign) | \(benchCell(r["tick_to_decision_us"]?["p99"])) | \(benchCell(r["runtime_seconds"], 3)) |")
        }
        for r in rows where r["scrapes"] != nil {
            lines.append("")
            lines.append("\(r["case"]?.stringValue ?? ""), \(benchCell(r["scrapes"], 0)) scrapes: rendering \(benchCell(r.at("render_ms.median"), 2)) ms median, \(benchCell(r.at("render_ms.max"), 2)) ms max (arbitrage_metrics_render_seconds); round trip \(benchCell(r.at("round_trip_ms.median"), 2)) ms median; \(benchCell(r["bytes"], 0)) bytes")
        }
        let quiet = rows.first { $0["case"]?.stringValue?.hasSuffix("no load") == true }?.at("loop_latency_us.p99")?.doubleValue
        for r in rows {
            guard let quiet, quiet > 0, r["requests_per_second"] != .null,
                  let loaded = r.at("loop_latency_us.p99")?.doubleValue else { continue }
            lines.append("")
            lines.append(String(format: "%@: campaign loop p99 %.2f µs against %.2f µs without load (%.2f×)",
                                r["case"]?.stringValue ?? "", loaded, quiet, loaded / quiet))
        }
        return lines.joined(separator: "\n")
    }
}

/// `arbitrage serve` in a child process on a free port with a fresh data directory.
struct ServiceProcess {
    let process: Process
    let url: String
    let dataDir: URL

    static func start() throws -> ServiceProcess {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = BenchCommand.executable
        process.arguments = ["serve", "--port", "0", "--data-dir", dir.path, "--log-level", "info"]
        let log = Pipe()
        process.standardError = log
        process.standardOutput = FileHandle.nullDevice
        // The log is read until the "listening" line names the URL, then drained so the service never blocks on
        // a full pipe.
        let found = LockedURL()
        log.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            found.scan(String(decoding: data, as: UTF8.self))
        }
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while found.url == nil && process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        guard let url = found.url else {
            process.terminate()
            throw HTTPBench.Failure(description: "the service did not start: \(found.text.suffix(500))")
        }
        return ServiceProcess(process: process, url: url, dataDir: dir)
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: dataDir)
    }
}

/// The service's log as read so far and the URL it listens on. A lock: the pipe's handler runs on its own queue.
private final class LockedURL: @unchecked Sendable {
    private let lock = NSLock()
    private var _text = ""
    private var _url: String?

    var url: String? { lock.withLock { _url } }
    var text: String { lock.withLock { _text } }

    func scan(_ chunk: String) {
        lock.withLock {
            guard _url == nil else { return }
            _text += chunk
            if let range = _text.range(of: #"url=http://[0-9.]+:[0-9]+"#, options: .regularExpression) {
                _url = String(_text[range].dropFirst(4))
            }
        }
    }
}
