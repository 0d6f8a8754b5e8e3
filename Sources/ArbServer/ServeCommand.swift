import ArbCore
import ArbEngine
import ArbHTTP
import ArbMarketData
import ArbMetrics
import ArbStore
import ArgumentParser
import Foundation
import Logging
import MicroHTTPD

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

    @Option(help: "HTTP polling threads (libmicrohttpd's epoll thread pool, default 2; docs/adr/0001).")
    var httpThreads: Int?

    @OptionGroup var logging: LoggingOptions

    struct Settings {
        var host: String
        var port: UInt16
        var apiToken: String?
        var maxConcurrent: Int
        var httpThreads: Int
        var dataDir: String
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
        let (dirSource, dir) = dataDir.map { ("--data-dir", $0) } ?? env("data-dir") ?? ("--data-dir", "./data")
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw ConfigError(field: dirSource, "cannot create the data directory \(dir): \(error.localizedDescription)")
        }
        guard DataDirectory.isWritable(dir) else {
            throw ConfigError(field: dirSource, "the data directory \(dir) is not writable")
        }
        return Settings(host: host, port: UInt16(port), apiToken: token, maxConcurrent: maxConcurrent, httpThreads: threads,
                        dataDir: dir)
    }

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "arbitrage.serve")
        let settings: Settings
        do { settings = try self.settings() } catch {
            ConfigFailure.report(error)
            throw ExitCode(2)
        }
        let store: SQLiteCampaignStore
        do {
            store = try SQLiteCampaignStore(path: (settings.dataDir as NSString).appendingPathComponent("arbitrage.sqlite"))
            let interrupted = try await store.markRunningInterrupted()
            if !interrupted.isEmpty {
                logger.warning("campaigns left running by a previous process are interrupted",
                               metadata: ["campaigns": "\(interrupted.joined(separator: ","))"])
            }
        } catch {
            logger.error("cannot open the store", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let manager = CampaignManager(store: store, sources: SyntheticSourceFactory(),
                                      maxConcurrent: settings.maxConcurrent, logger: Logger(label: "arbitrage.campaigns"))
        let serviceMetrics = ServiceMetrics(version: BuildInfo.version)
        let exposition = MetricsExposition(service: serviceMetrics, manager: manager)
        var options = ControlAPI.Options(apiToken: settings.apiToken, version: BuildInfo.version)
        options.metrics = { await exposition.render() }
        let dataDir = settings.dataDir
        options.readiness = { DataDirectory.isWritable(dataDir) ? nil : "the data directory \(dataDir) is not writable" }
        options.observe = { route, method, status, seconds in
            serviceMetrics.observe(route: route, method: method, status: status, seconds: seconds)
        }
        let api = ControlAPI(manager: manager, options: options)
        var configuration = HTTPServer.Configuration()
        configuration.host = settings.host
        configuration.port = settings.port
        configuration.threads = UInt32(settings.httpThreads)
        let server = HTTPServer(configuration: configuration) { request in api.handle(request) }
        let signals = ShutdownSignals()
        do { try server.start() } catch {
            logger.error("cannot start", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        logger.info("listening", metadata: [
            "url": "http://\(settings.host):\(server.port)", "auth": "\(settings.apiToken == nil ? "off" : "bearer token")",
            "max_concurrent_campaigns": "\(settings.maxConcurrent)", "data_dir": "\(settings.dataDir)",
        ])
        let received = await signals.next()
        logger.info("shutting down", metadata: ["signal": "\(received)"])
        server.stop()
        await manager.stopAll()
        logger.info("stopped")
    }
}

/// Waits for SIGTERM or SIGINT.
/// `@unchecked Sendable`: the dispatch sources are created in `init` and only read after.
final class ShutdownSignals: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let stream: AsyncStream<Int32>

    init() {
        var continuation: AsyncStream<Int32>.Continuation!
        stream = AsyncStream { continuation = $0 }
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            let c = continuation!
            source.setEventHandler { c.yield(sig) }
            source.resume()
            sources.append(source)
        }
    }

    func next() async -> Int32 {
        for await sig in stream { return sig }
        return SIGTERM
    }
}

/// The service's data directory.
enum DataDirectory {
    /// Whether a file can be created and removed in `path` right now.
    static func isWritable(_ path: String) -> Bool {
        let probe = (path as NSString).appendingPathComponent(".write-probe-\(getpid())")
        guard FileManager.default.createFile(atPath: probe, contents: Data("ok".utf8)) else { return false }
        try? FileManager.default.removeItem(atPath: probe)
        return true
    }
}
