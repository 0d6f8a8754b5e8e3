import ArbCore
import ArbEngine
import ArbHTTP
import ArbLive
import ArbMarketData
import ArbMetrics
import ArbStore
import ArgumentParser
import Foundation
import Logging
import MicroHTTPD
import ServiceLifecycle
import UnixSignals

/// `arbitrage serve`: the HTTP control API on the embedded defaults (synthetic market).
/// Every flag can also come from `ARBITRAGE_<FLAG>` (`ARBITRAGE_PORT=9090`); a flag on the command line wins.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the JSON control API (campaigns over HTTP).",
        discussion: "Each flag also reads ARBITRAGE_<FLAG>, for example ARBITRAGE_PORT or ARBITRAGE_API_TOKEN_FILE. SIGTERM or SIGINT stops taking requests, stops running campaigns cleanly and exits 0."
    )

    @Option(help: "Address to bind (default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to bind, 0 for any free port (default 8080).")
    var port: Int?

    @Option(help: "Directory for the service's data (created when missing; must be writable). Default ./data.")
    var dataDir: String?

    @Option(help: "File holding the bearer token POST, PATCH and DELETE requests must present.")
    var apiTokenFile: String?

    @Option(help: "Most campaigns running at once; more are refused with 409 (default 4).")
    var maxConcurrentCampaigns: Int?

    @Option(help: "Most sweeps running at once (each on its `parallel` threads); more are refused with 409 (default 1).")
    var maxConcurrentSweeps: Int?

    @Option(help: "HTTP polling threads (libmicrohttpd's epoll thread pool, default 2; docs/adr/0001).")
    var httpThreads: Int?

    @Flag(help: "Resume every interrupted campaign at start (ARBITRAGE_AUTO_RESUME=1).")
    var autoResume = false

    @Option(help: "Delete finished campaigns and their records this many days after they ended, checked at start and hourly (default: keep).")
    var retainDays: Double?

    @OptionGroup var logging: LoggingOptions
    @OptionGroup var rest: RestOptions

    struct Settings {
        var host: String
        var port: UInt16
        var apiToken: String?
        var maxConcurrent: Int
        var maxSweeps: Int = 1
        var httpThreads: Int
        var dataDir: String
        var autoResume: Bool
        var retainDays: Double?
        var restShare: Double = 0.5
    }

    /// Flags, then `ARBITRAGE_*` variables, then defaults; a bad value names where it came from.
    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> Settings {
        func env(_ flag: String) -> (String, String)? {
            let name = "ARBITRAGE_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
            return environment[name].map { (name, $0) }
        }
        func integer(_ flag: String, _ given: Int?, _ fallback: Int, _ range: ClosedRange<Int>) throws(ConfigError) -> Int {
            if let given {
                guard range.contains(given) else { throw ConfigError(field: "--\(flag)", "\(given) is out of range \(range)") }
                return given
            }
            guard let (name, text) = env(flag) else { return fallback }
            guard let value = Int(text), range.contains(value) else {
                throw ConfigError(field: name, "\"\(text)\" is not an integer in \(range)")
            }
            return value
        }
        let host = host ?? env("host")?.1 ?? "127.0.0.1"
        let port = try integer("port", port, 8080, 0...65535)
        let maxConcurrent = try integer("max-concurrent-campaigns", maxConcurrentCampaigns, 4, 1...64)
        let maxSweeps = try integer("max-concurrent-sweeps", maxConcurrentSweeps, 1, 1...16)
        let threads = try integer("http-threads", httpThreads, 2, 1...64)
        var token: String?
        if let (source, path) = apiTokenFile.map({ ("--api-token-file", $0) }) ?? env("api-token-file") {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigError(field: source, "cannot read the token file \(path)")
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw ConfigError(field: source, "the token file \(path) is empty") }
            token = trimmed
        }
        var retain = retainDays
        if retain == nil, let (name, text) = env("retain-days") {
            guard let value = Double(text) else { throw ConfigError(field: name, "\"\(text)\" is not a number of days") }
            retain = value
        }
        if let retain, !(retain > 0 && retain <= 36_500) {
            throw ConfigError(field: retainDays == nil ? "ARBITRAGE_RETAIN_DAYS" : "--retain-days", "\(retain) is out of range (0, 36500]")
        }
        var resume = autoResume
        if !resume, let (name, text) = env("auto-resume") {
            switch text.lowercased() {
            case "1", "true", "yes", "on": resume = true
            case "0", "false", "no", "off", "": resume = false
            default: throw ConfigError(field: name, "\"\(text)\" is not a boolean (1 or 0)")
            }
        }
        let (dirSource, dir) = dataDir.map { ("--data-dir", $0) } ?? env("data-dir") ?? ("--data-dir", "./data")
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw ConfigError(field: dirSource, "cannot create the data directory \(dir): \(error.localizedDescription)")
        }
        guard DataDirectory.isWritable(dir) else {
            throw ConfigError(field: dirSource, "the data directory \(dir) is not writable")
        }
        var settings = Settings(host: host, port: UInt16(port), apiToken: token, maxConcurrent: maxConcurrent, httpThreads: threads,
                        dataDir: dir, autoResume: resume, retainDays: retain, restShare: try rest.share(environment: environment))
        settings.maxSweeps = maxSweeps
        return settings
    }

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "arbitrage.serve")
        let settings: Settings
        do { settings = try self.settings() } catch {
            ConfigFailure.report(error)
            throw ExitCode(2)
        }
        // A file-size limit (RLIMIT_FSIZE) then fails a write with EFBIG, reported like a full disk, instead of
        // killing the process mid-commit.
        signal(SIGXFSZ, SIG_IGN)
        MemoryTrimService.start()
        // Trapped from here on: a signal before the services run shuts them down as soon as they start.
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let (lock, store) = try await Self.openStore(settings, logger: logger)
        let hub = LiveHub(logger: Logger(label: "arbitrage.feed"), restShare: settings.restShare)
        let manager = CampaignManager(store: store, sources: StandardSourceFactory(live: LiveSourceFactory(hub: hub)),
                                      maxConcurrent: settings.maxConcurrent, logger: Logger(label: "arbitrage.campaigns"))
        let sweeps = SweepManager(store: store, makeSources: {
            StandardSourceFactory(live: LiveSourceFactory(hub: hub), caches: MarketCacheReaders())
        }, maxConcurrent: settings.maxSweeps, logger: Logger(label: "arbitrage.sweeps"))
        let server = HTTPServer(configuration: Self.httpConfiguration(settings),
                                handler: Self.api(settings, manager: manager, sweeps: sweeps, hub: hub).handle)
        do { try server.start() } catch {
            logger.error("cannot start", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        // Before the "listening" line: a client that sees the service up sees the campaigns running again.
        if settings.autoResume {
            let resumed = await manager.resumeInterrupted()
            logger.info("interrupted campaigns resumed", metadata: ["campaigns": "\(resumed.joined(separator: ","))"])
        }
        // A sweep goes on with the runs it had, whatever stopped it.
        let resumedSweeps = await sweeps.resumeUnfinished()
        if !resumedSweeps.isEmpty { logger.info("unfinished sweeps resumed", metadata: ["sweeps": "\(resumedSweeps.joined(separator: ","))"]) }
        logger.info("listening", metadata: [
            "url": "http://\(settings.host):\(server.port)", "auth": "\(settings.apiToken == nil ? "off" : "bearer token")",
            "max_concurrent_campaigns": "\(settings.maxConcurrent)", "data_dir": "\(settings.dataDir)",
            "rest_share": "\(settings.restShare)",
        ])
        // Started in this order, stopped in the reverse: the HTTP server first, then the pruner, the campaigns
        // (interrupted with a last checkpoint), the feeds.
        var services: [any Service] = [
            MemoryTrimService(logger: Logger(label: "arbitrage.memory")),
            FeedHubService(hub: hub, logger: Logger(label: "arbitrage.feed")),
            CampaignService(manager: manager, logger: Logger(label: "arbitrage.campaigns")),
            SweepService(sweeps: sweeps, logger: Logger(label: "arbitrage.sweeps")),
        ]
        if let days = settings.retainDays {
            services.append(RetentionService(manager: manager, days: days, logger: Logger(label: "arbitrage.retention")))
        }
        services.append(HTTPService(server: server, logger: Logger(label: "arbitrage.http")))
        let group = ServiceGroup(services: services, logger: Logger(label: "arbitrage.lifecycle"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask { await ShutdownSignals.watch(signals, group: group, logger: logger) }
            try await tasks.next()
            tasks.cancelAll()
        }
        withExtendedLifetime(lock) {}
        logger.info("stopped")
    }

    /// Locks the data directory, opens the store and marks what a previous process left running interrupted.
    static func openStore(_ settings: Settings, logger: Logger) async throws -> (DataDirectory.Lock, SQLiteCampaignStore) {
        do {
            let lock = try DataDirectory.Lock(directory: settings.dataDir)
            let store = try SQLiteCampaignStore(path: (settings.dataDir as NSString).appendingPathComponent("arbitrage.sqlite"))
            let interrupted = try await store.markRunningInterrupted()
            if !interrupted.isEmpty {
                logger.warning("campaigns left running by a previous process are interrupted",
                               metadata: ["campaigns": "\(interrupted.joined(separator: ","))"])
            }
            return (lock, store)
        } catch {
            logger.error("cannot open the store", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    static func httpConfiguration(_ settings: Settings) -> HTTPServer.Configuration {
        var configuration = HTTPServer.Configuration()
        configuration.host = settings.host
        configuration.port = settings.port
        configuration.threads = UInt32(settings.httpThreads)
        return configuration
    }

    /// The control API with its metrics, readiness and request observation.
    static func api(_ settings: Settings, manager: CampaignManager, sweeps: SweepManager, hub: LiveHub) -> ControlAPI {
        let serviceMetrics = ServiceMetrics(version: BuildInfo.version, feeds: hub.status)
        let exposition = MetricsExposition(service: serviceMetrics, manager: manager)
        var options = ControlAPI.Options(apiToken: settings.apiToken, version: BuildInfo.version)
        options.metrics = { await exposition.render() }
        options.feeds = hub.status
        options.sweeps = sweeps
        let dataDir = settings.dataDir
        let health = manager.health
        options.readiness = {
            guard DataDirectory.isWritable(dataDir) else { return "the data directory \(dataDir) is not writable" }
            return health.problem
        }
        options.observe = { route, method, status, seconds in
            serviceMetrics.observe(route: route, method: method, status: status, seconds: seconds)
        }
        return ControlAPI(manager: manager, options: options)
    }
}

/// The service's data directory.
enum DataDirectory {
    /// An exclusive hold on a data directory for the life of the process: a second service on the same
    /// directory would mark the first one's running campaigns interrupted and resume them twice.
    final class Lock {
        private let fd: Int32

        init(directory: String) throws(StoreError) {
            let path = (directory as NSString).appendingPathComponent("arbitrage.lock")
            fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw StoreError(.unavailable, "cannot open \(path): \(String(cString: strerror(errno)))") }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                close(fd)
                throw StoreError(.unavailable, "the data directory \(directory) is in use by another arbitrage process\(holder.isEmpty ? "" : " (pid \(holder))")")
            }
            let pid = Array("\(getpid())\n".utf8)
            _ = ftruncate(fd, 0)
            _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }

        deinit { close(fd) }
    }

    /// Whether a file can be created and removed in `path` right now.
    static func isWritable(_ path: String) -> Bool {
        let probe = (path as NSString).appendingPathComponent(".write-probe-\(getpid())")
        guard FileManager.default.createFile(atPath: probe, contents: Data("ok".utf8)) else { return false }
        try? FileManager.default.removeItem(atPath: probe)
        return true
    }
}
