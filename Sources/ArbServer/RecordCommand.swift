import ArbCore
import ArbEngine
import ArbLive
import ArbMarketData
import ArgumentParser
import Foundation
import Logging

/// `arbitrage record CONFIG --out FILE`: a campaign's market-data stream to JSONL, which `source: replay`
/// plays back exactly (docs/market-data.md).
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record the market-data stream of a campaign config to a JSONL file (gzip when it ends in .gz).",
        discussion: """
            Records the books of the config's universe (and KRW-USDT unless fx is fixed) from its market_data source, \
            from the start the campaign would have for --duration seconds (default: session.max_runtime_seconds). \
            The synthetic market and replays are recorded as fast as they can be read. Replaying the file with the \
            same universe, strategy and risk config gives the same results as the campaign on the original source.
            """
    )

    @Argument(help: "Config file (YAML, or JSON when it ends in .json).")
    var config: String

    @Option(name: .shortAndLong, help: "Output file (.jsonl, .jsonl.gz for gzip, or .arbcache for the market-data cache).")
    var out: String

    @Option(help: "Seconds of market time to record (default: the config's session.max_runtime_seconds).")
    var duration: Double?

    @OptionGroup var logging: LoggingOptions
    @OptionGroup var rest: RestOptions

    func validate() throws {
        if let duration, !(duration > 0 && duration <= 31_536_000) {
            throw ValidationError("--duration must be in (0, 31536000] seconds")
        }
    }

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "arbitrage.record")
        let parsed: CampaignConfig
        let campaign: Campaign
        var source: any ScheduledMarketSource
        let sources: StandardSourceFactory
        do {
            sources = StandardSourceFactory(logger: logger, live: LiveSourceFactory(hub: try rest.hub()))
            parsed = try ConfigLoader.load(path: config)
            try await sources.prepare(config: parsed)
            campaign = try Campaign(config: parsed, sources: sources)
            let startNs = parsed.session.clock == .realtime ? MonotonicClock.wallNanoseconds() : parsed.session.startTimeNs
            source = try sources.makeSource(members: campaign.members, config: parsed, startNs: startNs)
        } catch {
            ConfigFailure.report(error)
            throw ExitCode(2)
        }
        let names = MarketMap(config: parsed, routes: campaign.members.map(\.route))
        let store = SnapshotStore(marketCount: names.count)
        let startNs: Int64
        if source.isLive {
            startNs = MonotonicClock.wallNanoseconds()
        } else if let first = source.nextTimeNs {
            startNs = first
        } else {
            FileHandle.standardError.write(Data("error: the source has no data\n".utf8))
            throw ExitCode(1)
        }
        let endNs = startNs + Int64((duration ?? parsed.session.maxRuntimeSeconds) * 1e9)
        // Ctrl-C ends a live recording early, with its end mark.
        let interrupted = Interrupt()
        let tree = parsed.tree.rendered(pretty: false)
        do {
            let sink: any BookSink = out.hasSuffix(".arbcache")
                ? try CacheRecorder(path: out, names: names)
                : try JSONLSink(MarketRecorder(path: out, names: names, source: parsed.marketData.source.rawValue, extra: [
                    ("start_time", "\"\(UTCTime.format(startNs))\""), ("config", tree),
                ]))
            let recorder = sink
            var end = endNs
            while !interrupted.fired {
                if let t = source.nextTimeNs {
                    if t >= endNs { break }
                    let market = source.emit(into: store)
                    try recorder.record(market: market, from: store)
                    continue
                }
                guard source.isLive else {
                    end = Swift.min(endNs, source.dataEndNs ?? endNs)
                    break
                }
                let now = MonotonicClock.wallNanoseconds()
                if now >= endNs { break }
                await source.waitForEvent(timeoutNs: Swift.min(endNs - now, 100_000_000))
            }
            if interrupted.fired { end = MonotonicClock.wallNanoseconds() }
            try recorder.finish(endNs: end)
            let summary: JSONValue = [
                "file": .string(out), "books": .int(Int64(recorder.books)), "bytes": .int(Int64(recorder.bytes)),
                "markets": .int(Int64(names.readMarkets.count)),
                "start_time": .string(UTCTime.format(startNs)), "end_time": .string(UTCTime.format(end)),
            ]
            print(summary.rendered(pretty: false))
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Where `record` writes books: JSONL or the market-data cache.
protocol BookSink {
    var books: Int { get }
    var bytes: Int { get }
    func record(market: Int, from store: SnapshotStore) throws
    func finish(endNs: Int64) throws
}

extension CacheRecorder: BookSink {}

/// The JSONL recorder as a sink (it is a value; the box keeps its count).
final class JSONLSink: BookSink {
    private var recorder: MarketRecorder
    init(_ recorder: MarketRecorder) { self.recorder = recorder }
    var books: Int { recorder.books }
    var bytes: Int { recorder.writer.bytesWritten }
    func record(market: Int, from store: SnapshotStore) throws { try recorder.record(market: market, from: store) }
    func finish(endNs: Int64) throws { try recorder.finish(endNs: endNs) }
}

/// SIGINT, as a flag.
/// `@unchecked Sendable`: the dispatch source is created in `init` and never changed.
final class Interrupt: @unchecked Sendable {
    private let source: any DispatchSourceSignal
    private let flag = NSLock()
    private var value = false

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [unowned self] in
            self.flag.lock()
            self.value = true
            self.flag.unlock()
        }
        source.resume()
    }

    var fired: Bool {
        flag.lock()
        defer { flag.unlock() }
        return value
    }

    deinit { source.cancel() }
}
