import ArbCore
import ArbEngine
import ArbLive
import ArbMarketData
import ArgumentParser
import Foundation
import Logging

/// `arbitrage sweep SWEEP.yaml`: many campaigns over the same market data on every core (SPEC §10). Progress on
/// stderr, the ranked table on stdout, every run to `--out` (JSONL, or CSV when the name ends in .csv).
/// Exit 0 when every run finished (or SIGINT stopped the sweep), 2 for a sweep or config error.
struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a sweep of campaigns (a grid or random draws over config keys) and rank them.",
        discussion: "The sweep file (YAML, or JSON when it ends in .json) has base, grid or random, objective, walk_forward and parallel; see docs/sweeps.md. SIGINT stops it and still writes and ranks the runs that finished."
    )

    @Argument(help: "Sweep file.")
    var file: String

    @Option(help: "Write every run here: one JSON object a line (its overrides, objective, config and stats), or CSV when the name ends in .csv.")
    var out: String?

    @Option(help: "Runs at once (default: the sweep file's parallel, else the cores).")
    var parallel: Int?

    @Option(help: "Rows of the ranked table.")
    var top = 20

    @Option(help: "Progress on stderr: auto (a bar on a terminal, plain lines otherwise), bar, lines or none.")
    var progress: RunCommand.ProgressMode = .auto

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        logging.bootstrap()
        var spec: SweepSpec
        do throws(ConfigError) {
            let tree = try ConfigLoader.tree(path: file)
            spec = try SweepSpec.parse(tree, directory: URL(fileURLWithPath: file).deletingLastPathComponent().path)
            guard top >= 1 else { throw ConfigError(field: "--top", "expected 1 or more rows") }
            if let parallel {
                guard parallel >= 1 && parallel <= 256 else { throw ConfigError(field: "--parallel", "expected 1…256") }
                spec.parallel = parallel
            }
        } catch {
            ConfigFailure.report(error)
            throw ExitCode(2)
        }
        let runner = SweepRunner(spec: spec, sources: StandardSourceFactory(caches: MarketCacheReaders()))
        let interrupts = SignalStop { runner.control.requestStop() }
        let mode = progress == .auto ? (isatty(2) != 0 ? RunCommand.ProgressMode.bar : .lines) : progress
        let reporting = Task { await SweepProgress(control: runner.control, mode: mode).run() }
        let started = MonotonicClock.nanoseconds()
        let outcome: SweepRunner.Outcome
        do { outcome = try await runner.run() } catch {
            reporting.cancel()
            ConfigFailure.report(error)
            throw ExitCode(2)
        }
        reporting.cancel()
        interrupts.cancel()
        SweepProgress(control: runner.control, mode: mode).draw(final: true, wallNs: MonotonicClock.nanoseconds() - started)
        if let out { try write(outcome.results, to: out) }
        print(SweepReport.table(outcome, objective: spec.objective, top: top), terminator: "")
        let updates = outcome.results.reduce(0) { $0 + $1.bookUpdates }
        let wall = Double(MonotonicClock.nanoseconds() - started) / 1e9
        print(String(format: "%d run(s) in %.1f s (%.2f runs/s, %.0f book updates/s over %d at once)%@", outcome.results.count, wall,
                     Double(outcome.results.count) / wall, Double(updates) / wall, spec.parallel,
                     outcome.complete ? "" : "; stopped before the end"))
    }

    private func write(_ results: [SweepResult], to path: String) throws {
        let text = path.lowercased().hasSuffix(".csv")
            ? SweepReport.csv(results)
            : results.map { SweepReport.tree($0).rendered(pretty: false) + "\n" }.joined()
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
            FileHandle.standardError.write(Data("cannot write \(path): \(error.localizedDescription)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Draws a sweep's progress on stderr: runs finished of the total.
struct SweepProgress {
    let control: SweepControl
    let mode: RunCommand.ProgressMode
    private let started = MonotonicClock.nanoseconds()

    init(control: SweepControl, mode: RunCommand.ProgressMode) {
        self.control = control
        self.mode = mode
    }

    func run() async {
        guard mode != .none else { return }
        var last = -1
        while !Task.isCancelled {
            let done = control.finishedRuns
            // Nothing to show until the sweep knows how many runs it makes.
            if control.totalRuns > 0 && (mode == .bar || done != last) { draw(final: false, wallNs: MonotonicClock.nanoseconds() - started) }
            last = done
            try? await Task.sleep(for: .milliseconds(mode == .bar ? 200 : 1000))
        }
    }

    func draw(final: Bool, wallNs: UInt64) {
        let done = control.finishedRuns, total = Swift.max(1, control.totalRuns)
        let seconds = Double(wallNs) / 1e9
        switch mode {
        case .bar:
            let width = 30, filled = done * width / total
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            let line = String(format: "\r[%@] %d/%d runs %.1f s", bar, done, total, seconds)
            FileHandle.standardError.write(Data((line + (final ? "\n" : "")).utf8))
        case .lines:
            FileHandle.standardError.write(Data(String(format: "sweep %d/%d runs (%.1f s)\n", done, total, seconds).utf8))
        default:
            break
        }
    }
}
