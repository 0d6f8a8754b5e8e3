import ArbCore
import ArbEngine
import ArbLive
import ArbMarketData
import ArgumentParser
import Foundation
import Logging

/// `arbitrage run CONFIG`: one campaign headless. Progress on stderr, final stats JSON on stdout.
/// Exit 0 when completed or stopped, 2 for a config error (naming the field), 1 for a failure.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one campaign from a YAML or JSON config and print its stats as JSON.",
        discussion: "SIGINT stops the campaign gracefully (unwinding open pairs when flatten_on_stop) and still prints the stats."
    )

    @Argument(help: "Config file (YAML, or JSON when it ends in .json).")
    var config: String

    @Option(help: "Progress on stderr: auto (a bar on a terminal, plain lines otherwise), bar, lines or none.")
    var progress: ProgressMode = .auto

    @Flag(help: "Print the stats on one line instead of indented.")
    var compact = false

    @OptionGroup var logging: LoggingOptions
    @OptionGroup var rest: RestOptions

    enum ProgressMode: String, ExpressibleByArgument { case auto, bar, lines, none }

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "arbitrage.run")
        let campaign: Campaign
        do {
            let parsed = try ConfigLoader.load(path: config)
            let sources = StandardSourceFactory(live: LiveSourceFactory(hub: try rest.hub()))
            try await sources.prepare(config: parsed)
            campaign = try Campaign(config: parsed, sources: sources)
        } catch {
            ConfigFailure.report(error)
            throw ExitCode(2)
        }
        logger.info("campaign starting", metadata: [
            "routes": "\(campaign.members.count)", "clock": "\(campaign.config.session.clock.rawValue)",
            "max_runtime_seconds": "\(campaign.config.session.maxRuntimeSeconds)",
        ])

        let interrupts = SignalStop(control: campaign.control)
        let reporter = ProgressReporter(
            control: campaign.control, runtimeSeconds: campaign.config.session.maxRuntimeSeconds,
            mode: progress == .auto ? (isatty(2) != 0 ? .bar : .lines) : progress)
        let reporting = Task { await reporter.run() }
        let result: Campaign.Result
        do { result = try await campaign.run() } catch {
            ConfigFailure.report(error)
            throw ExitCode(2)
        }
        reporting.cancel()
        await reporter.finish()
        interrupts.cancel()

        // Compact stats are written straight from the report; indented ones go through the tree.
        let text = compact ? (try? JSONTree.renderedBytes(result.stats)).map { String(decoding: $0, as: UTF8.self) } : nil
        print(text ?? result.stats.tree.rendered(pretty: !compact))
        logger.info("campaign finished", metadata: [
            "status": "\(result.status.rawValue)", "stop_reason": "\(result.stopReason.rawValue)",
        ])
        if result.status == .failed { throw ExitCode(1) }
    }
}

/// SIGINT → graceful stop of the campaign (or the sweep).
/// `@unchecked Sendable`: the dispatch source is created in `init` and only cancelled after; both are thread-safe.
final class SignalStop: @unchecked Sendable {
    private let source: any DispatchSourceSignal

    convenience init(control: CampaignControl) { self.init { control.requestStop() } }

    init(_ action: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler(handler: action)
        source.resume()
    }

    func cancel() { source.cancel() }
}

/// Draws campaign progress on stderr.
actor ProgressReporter {
    let control: CampaignControl
    let runtimeSeconds: Double
    let mode: RunCommand.ProgressMode
    private var lastLine = -1

    init(control: CampaignControl, runtimeSeconds: Double, mode: RunCommand.ProgressMode) {
        self.control = control
        self.runtimeSeconds = runtimeSeconds
        self.mode = mode
    }

    func run() async {
        guard mode != .none else { return }
        while !Task.isCancelled {
            draw(final: false)
            try? await Task.sleep(for: .milliseconds(mode == .bar ? 200 : 1000))
        }
    }

    func finish() { if mode != .none { draw(final: true) } }

    private func draw(final: Bool) {
        let elapsed = Double(control.elapsedNs) / 1e9
        let fraction = Swift.min(1, Swift.max(0, elapsed / runtimeSeconds))
        let percent = Int(fraction * 100)
        switch mode {
        case .bar:
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            let line = "\r[\(bar)] \(percent)% \(String(format: "%.1f", elapsed))/\(String(format: "%.0f", runtimeSeconds)) s"
            FileHandle.standardError.write(Data((line + (final ? "\n" : "")).utf8))
        case .lines:
            let decile = percent / 10
            if decile != lastLine || final {
                lastLine = decile
                FileHandle.standardError.write(Data("progress \(percent)% (\(String(format: "%.1f", elapsed)) of \(String(format: "%.0f", runtimeSeconds)) s campaign time)\n".utf8))
            }
        default:
            break
        }
    }
}
