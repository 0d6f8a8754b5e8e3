import ArbCore
import Foundation

/// One config a sweep tries: its number (from 1) and the values it sets over the base.
public struct SweepCandidate: Sendable, Equatable {
    public var number: Int
    /// Dotted key → value (`{"strategy.entry_threshold_bps": 30}`).
    public var overrides: [String: JSONValue]
}

/// One campaign of a sweep: a candidate over the whole recording, or (walk-forward) over a fold's window.
public struct SweepRun: Sendable, Equatable {
    public enum Window: String, Sendable { case all, choose, report }
    /// The run's number in the sweep, from 1: candidates in order, a walk-forward's choose runs fold by fold,
    /// then its report runs.
    public var number: Int
    public var candidate: Int
    public var fold: Int?
    public var window: Window
    public var overrides: [String: JSONValue]
    /// The run's whole config as given: base, overrides and window. `arbitrage run` of it ends with the same stats.
    public var config: JSONValue
}

/// A walk-forward fold: choose over `[chooseFromNs, reportFromNs)`, report over `reportSeconds` from `reportFromNs`.
public struct SweepFold: Sendable, Equatable {
    public var number: Int
    public var chooseFromNs: Int64
    public var reportFromNs: Int64
}

extension SweepSpec {
    /// The configs to try, in order: a grid's combinations (the first key, alphabetically, varying slowest), or
    /// the draws of the seeded generator, each key drawn in alphabetical order.
    public var candidates: [SweepCandidate] {
        switch space {
        case .grid(let axes):
            var out: [SweepCandidate] = []
            let total = axes.reduce(1) { $0 * $1.values.count }
            for n in 0..<total {
                var rest = n
                var overrides: [String: JSONValue] = [:]
                for axis in axes.reversed() {
                    overrides[axis.key] = axis.values[rest % axis.values.count]
                    rest /= axis.values.count
                }
                out.append(SweepCandidate(number: n + 1, overrides: overrides))
            }
            return out
        case .random(let draws, let seed, let keys):
            var rng = Xoshiro256(seed: seed)
            return (0..<draws).map { n in
                var overrides: [String: JSONValue] = [:]
                for (key, draw) in keys { overrides[key] = Self.value(draw, &rng) }
                return SweepCandidate(number: n + 1, overrides: overrides)
            }
        }
    }

    static func value(_ draw: Draw, _ rng: inout Xoshiro256) -> JSONValue {
        switch draw {
        case .pick(let values): return values[Swift.min(values.count - 1, Int(rng.unit() * Double(values.count)))]
        case .range(let low, let high, true):
            let span = Int64(high - low) + 1
            return .int(Int64(low) + Swift.min(span - 1, Int64(rng.unit() * Double(span))))
        case .range(let low, let high, false):
            return .double(significant(low + rng.unit() * (high - low)))
        }
    }

    /// Six significant digits: drawn values read as a person would write them, and survive a round trip as text.
    static func significant(_ x: Double) -> Double {
        guard x != 0, x.isFinite else { return x }
        return Double(String(format: "%.6g", x)) ?? x
    }

    /// The config of `candidate` over the base, in `window` (walk-forward: from the window's start, for its
    /// length).
    public func config(_ candidate: SweepCandidate, fromNs: Int64? = nil, seconds: Double? = nil) -> JSONValue {
        var tree = base
        for key in candidate.overrides.keys.sorted() { tree = tree.setting(key, to: candidate.overrides[key]!) }
        if let fromNs { tree = tree.setting("market_data.replay.from", to: .string(UTCTime.format(fromNs))) }
        if let seconds { tree = tree.setting("session.max_runtime_seconds", to: .double(seconds)) }
        return tree
    }

    /// Walk-forward folds over recorded data from `firstNs` (or the base's `market_data.replay.from`) to `endNs`,
    /// on whole seconds: each fold's report window ends within the recording.
    public func folds(firstNs: Int64, endNs: Int64) throws(ConfigError) -> [SweepFold] {
        guard let walk = walkForward else { return [] }
        let fromBase = base.at("market_data.replay.from")?.stringValue.flatMap(UTCTime.parse) ?? .min
        let second: Int64 = 1_000_000_000
        let start = (Swift.max(firstNs, fromBase) + second - 1) / second * second
        let choose = Int64(walk.chooseSeconds * 1e9), report = Int64(walk.reportSeconds * 1e9)
        var folds: [SweepFold] = []
        var at = start
        while at + choose + report <= endNs && folds.count < Self.maxFolds {
            folds.append(SweepFold(number: folds.count + 1, chooseFromNs: at, reportFromNs: at + choose))
            at += report
        }
        guard !folds.isEmpty else {
            throw ConfigError(field: "walk_forward", String(
                format: "one fold needs %.0f s of recorded data (choose_seconds + report_seconds); the recording has %.0f s from %@",
                walk.chooseSeconds + walk.reportSeconds, Double(Swift.max(0, endNs - start)) / 1e9, UTCTime.format(start)))
        }
        return folds
    }

    /// The runs that need no result of another: every candidate over the recording, or over each fold's choose
    /// window.
    public func firstRuns(folds: [SweepFold]) -> [SweepRun] {
        let candidates = self.candidates
        guard let walk = walkForward else {
            return candidates.map {
                SweepRun(number: $0.number, candidate: $0.number, fold: nil, window: .all, overrides: $0.overrides, config: config($0))
            }
        }
        return folds.flatMap { fold in
            candidates.map { c in
                SweepRun(number: (fold.number - 1) * candidates.count + c.number, candidate: c.number, fold: fold.number, window: .choose,
                         overrides: c.overrides, config: config(c, fromNs: fold.chooseFromNs, seconds: walk.chooseSeconds))
            }
        }
    }

    /// A fold's report run: the candidate its choose runs ranked first, over its report window.
    public func reportRun(fold: SweepFold, folds: Int, chosen: SweepCandidate) -> SweepRun {
        SweepRun(number: folds * candidates.count + fold.number, candidate: chosen.number, fold: fold.number, window: .report,
                 overrides: chosen.overrides, config: config(chosen, fromNs: fold.reportFromNs, seconds: walkForward!.reportSeconds))
    }
}
