import ArbCore
import Foundation

/// A sweep (SPEC §10): a base campaign config, the values to try over some of its keys (every combination of a
/// grid, or seeded random draws), what ranks the runs, and optionally walk-forward windows. The same object is
/// a sweep file and the body of `POST /sweeps`.
public struct SweepSpec: Sendable {
    public enum Objective: String, Sendable, CaseIterable {
        /// Realized PnL after trading and transfer fees, plus what is still open.
        case netPnl = "net_pnl"
        /// Net PnL over the largest fall of equity from a peak (at least 1 USD).
        case pnlPerDrawdown = "pnl_per_drawdown"
        /// Pairs executed.
        case trades
    }

    /// Choose on `chooseSeconds` of market time, report the chosen config on the `reportSeconds` after it; the
    /// windows move on by `reportSeconds` while the recording lasts.
    public struct WalkForward: Sendable, Equatable {
        public var chooseSeconds: Double
        public var reportSeconds: Double
    }

    /// One key a random draw varies: a number between two bounds (whole numbers for an integer key), or one of
    /// a list.
    public enum Draw: Sendable, Equatable {
        case range(low: Double, high: Double, integer: Bool)
        case pick([JSONValue])
    }

    public enum Space: Sendable, Equatable {
        /// Every combination, the first key varying slowest.
        case grid([(key: String, values: [JSONValue])])
        case random(draws: Int, seed: UInt64, keys: [(key: String, draw: Draw)])

        public static func == (a: Space, b: Space) -> Bool {
            switch (a, b) {
            case (.grid(let x), .grid(let y)): return x.map(\.key) == y.map(\.key) && x.map(\.values) == y.map(\.values)
            case (.random(let n, let s, let x), .random(let m, let t, let y)):
                return n == m && s == t && x.map(\.key) == y.map(\.key) && x.map(\.draw) == y.map(\.draw)
            default: return false
            }
        }
    }

    public var name: String?
    /// The base config as given, on the simulated clock.
    public var base: JSONValue
    public var space: Space
    public var objective: Objective
    public var walkForward: WalkForward?
    /// Runs at once.
    public var parallel: Int
    /// The sweep as given (a file's base read in), what the service stores and parses again on resume.
    public var tree: JSONValue

    /// The most configs a sweep may try (a grid's combinations, a random sweep's draws).
    public static let maxConfigs = 10_000
    public static let maxFolds = 1_000
    static let keys: Set<String> = ["name", "base", "grid", "random", "objective", "walk_forward", "parallel"]

    /// Reads and checks a sweep; a `base` given as a file path is read relative to `directory` (a sweep file's).
    /// Every value tried is checked against the config schema over the base, each error naming its place in the
    /// sweep (`grid.strategy.entry_threshold_bps[2]`).
    /// `readsFiles: false` (the service) refuses a base given as a path.
    public static func parse(_ value: JSONValue, directory: String? = nil, readsFiles: Bool = true,
                             cores: Int = ProcessInfo.processInfo.activeProcessorCount) throws(ConfigError) -> SweepSpec {
        guard case .object(var fields) = value else { throw ConfigError(field: "(root)", "expected an object, got \(value.typeName)") }
        if let unknown = fields.keys.sorted().first(where: { !keys.contains($0) }) {
            throw ConfigError(field: unknown, "unknown key (a sweep has \(keys.sorted().joined(separator: ", ")))")
        }
        guard let base = fields["base"] else { throw ConfigError(field: "base", "a sweep needs a base config (an object, or a config file's path)") }
        if case .string(let path) = base {
            guard readsFiles else { throw ConfigError(field: "base", "expected a config object (only `arbitrage sweep` reads a base from a file)") }
            let resolved = path.hasPrefix("/") || directory == nil ? path : URL(fileURLWithPath: directory!).appendingPathComponent(path).path
            fields["base"] = try prefixed("base") { () throws(ConfigError) in try ConfigLoader.tree(path: resolved) }
        }
        let baseTree = try simulated(fields["base"]!)
        _ = try prefixed("base") { () throws(ConfigError) in try CampaignConfig.parse(baseTree) }
        let space = try Self.space(fields, base: baseTree)
        let objective = try fields["objective"].map { v throws(ConfigError) -> Objective in
            guard let s = v.stringValue, let o = Objective(rawValue: s) else {
                throw ConfigError(field: "objective", "expected one of \(Objective.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return o
        } ?? .netPnl
        let parallel = try fields["parallel"].map { v throws(ConfigError) -> Int in
            guard let n = v.intValue, n >= 1, n <= 256 else { throw ConfigError(field: "parallel", "expected an integer 1…256") }
            return Int(n)
        } ?? Swift.max(1, cores)
        let name = try fields["name"].flatMap { $0.isNull ? nil : $0 }.map { v throws(ConfigError) -> String in
            guard let s = v.stringValue, s.count <= 200 else { throw ConfigError(field: "name", "expected a string of at most 200 characters") }
            return s
        }
        let walk = try fields["walk_forward"].map { v throws(ConfigError) in try walkForward(v, base: baseTree) }
        return SweepSpec(name: name, base: baseTree, space: space, objective: objective, walkForward: walk, parallel: parallel,
                         tree: .object(fields))
    }

    /// `body` with its errors' fields under `prefix`.
    static func prefixed<T>(_ prefix: String, _ body: () throws(ConfigError) -> T) throws(ConfigError) -> T {
        do { return try body() } catch {
            throw ConfigError(error.issues.map { ConfigIssue(field: prefix + "." + $0.field, message: $0.message) })
        }
    }

    /// The base on the simulated clock (the clock sweeps run on; a base saying realtime is refused).
    static func simulated(_ base: JSONValue) throws(ConfigError) -> JSONValue {
        guard case .object = base else { throw ConfigError(field: "base", "expected a config object, got \(base.typeName)") }
        switch base.at("session.clock")?.stringValue {
        case nil: return base.setting("session.clock", to: "simulated")
        case "simulated": return base
        default: throw ConfigError(field: "base.session.clock", "sweeps run on the simulated clock; set it to simulated or leave it out")
        }
    }

    private static func space(_ fields: [String: JSONValue], base: JSONValue) throws(ConfigError) -> Space {
        switch (fields["grid"], fields["random"]) {
        case (nil, nil): throw ConfigError(field: "grid", "a sweep needs a grid or a random draw")
        case (.some, .some): throw ConfigError(field: "random", "a sweep has a grid or a random draw, not both")
        case (let grid?, nil): return try self.grid(grid, base: base)
        case (nil, let random?): return try self.random(random, base: base)
        }
    }

    private static func grid(_ value: JSONValue, base: JSONValue) throws(ConfigError) -> Space {
        guard case .object(let keys) = value, !keys.isEmpty else { throw ConfigError(field: "grid", "expected a map of config keys to lists of values") }
        var axes: [(key: String, values: [JSONValue])] = []
        var combinations = 1
        for key in keys.keys.sorted() {
            let field = "grid." + key
            guard let list = keys[key]?.arrayValue, !list.isEmpty else { throw ConfigError(field: field, "expected a non-empty list of values") }
            try checkKey(key, field: field)
            for (i, v) in list.enumerated() { try check(base, key, v, field: "\(field)[\(i)]") }
            combinations *= list.count
            guard combinations <= maxConfigs else {
                throw ConfigError(field: "grid", "more than \(maxConfigs) combinations; split the sweep or use a random draw")
            }
            axes.append((key, list))
        }
        return .grid(axes)
    }

    private static func random(_ value: JSONValue, base: JSONValue) throws(ConfigError) -> Space {
        guard case .object(let o) = value else { throw ConfigError(field: "random", "expected an object with draws, seed and ranges") }
        if let unknown = o.keys.sorted().first(where: { !["draws", "seed", "ranges"].contains($0) }) {
            throw ConfigError(field: "random." + unknown, "unknown key (random has draws, seed, ranges)")
        }
        guard let draws = o["draws"]?.intValue, draws >= 1, draws <= Int64(maxConfigs) else {
            throw ConfigError(field: "random.draws", "expected an integer 1…\(maxConfigs)")
        }
        let seed = o["seed"].map { $0.intValue ?? -1 } ?? 1
        guard seed >= 0 else { throw ConfigError(field: "random.seed", "expected a non-negative integer") }
        guard case .object(let ranges)? = o["ranges"], !ranges.isEmpty else {
            throw ConfigError(field: "random.ranges", "expected a map of config keys to [low, high] or a list to pick from")
        }
        var keys: [(key: String, draw: Draw)] = []
        for key in ranges.keys.sorted() {
            let field = "random.ranges." + key
            try checkKey(key, field: field)
            guard let list = ranges[key]?.arrayValue, !list.isEmpty else { throw ConfigError(field: field, "expected [low, high] or a list to pick from") }
            let type = CampaignSchema.type(at: key)
            let numeric: Bool
            switch type {
            case .integer?, .number?: numeric = true
            default: numeric = false
            }
            if numeric, list.count == 2, let low = list[0].doubleValue, let high = list[1].doubleValue {
                guard low <= high else { throw ConfigError(field: field, "low \(low) is above high \(high)") }
                try check(base, key, list[0], field: field + "[0]")
                try check(base, key, list[1], field: field + "[1]")
                if case .integer? = type { keys.append((key, .range(low: low.rounded(.up), high: high.rounded(.down), integer: true))) } else {
                    keys.append((key, .range(low: low, high: high, integer: false)))
                }
            } else {
                for (i, v) in list.enumerated() { try check(base, key, v, field: "\(field)[\(i)]") }
                keys.append((key, .pick(list)))
            }
        }
        return .random(draws: Int(draws), seed: UInt64(seed), keys: keys)
    }

    private static func walkForward(_ value: JSONValue, base: JSONValue) throws(ConfigError) -> WalkForward {
        guard case .object(let o) = value else { throw ConfigError(field: "walk_forward", "expected an object with choose_seconds and report_seconds") }
        if let unknown = o.keys.sorted().first(where: { !["choose_seconds", "report_seconds"].contains($0) }) {
            throw ConfigError(field: "walk_forward." + unknown, "unknown key (walk_forward has choose_seconds, report_seconds)")
        }
        func seconds(_ key: String) throws(ConfigError) -> Double {
            guard let s = o[key]?.doubleValue, s >= 1, s <= 31_536_000 else {
                throw ConfigError(field: "walk_forward." + key, "expected a number of seconds 1…31536000")
            }
            return s
        }
        guard base.at("market_data.source")?.stringValue == "replay" else {
            throw ConfigError(field: "walk_forward", "windows of market time need recorded data: base.market_data.source: replay")
        }
        return WalkForward(chooseSeconds: try seconds("choose_seconds"), reportSeconds: try seconds("report_seconds"))
    }

    /// Keys a sweep may not vary: what makes the runs comparable, and what the sweep itself sets.
    static let fixedKeys: Set<String> = ["session.clock", "market_data.source", "market_data.replay.files"]

    private static func checkKey(_ key: String, field: String) throws(ConfigError) {
        guard CampaignSchema.type(at: key) != nil else { throw ConfigError(field: field, "no such config key") }
        if case .object? = CampaignSchema.type(at: key) { throw ConfigError(field: field, "a section, not a value; name one of its keys") }
        guard !fixedKeys.contains(key) else { throw ConfigError(field: field, "the runs of a sweep share it; set it in base") }
    }

    /// `value` at `key` over the base must make a valid config; its errors are named at `field`.
    private static func check(_ base: JSONValue, _ key: String, _ value: JSONValue, field: String) throws(ConfigError) {
        do { _ = try CampaignConfig.parse(base.setting(key, to: value)) } catch {
            let own = error.issues.filter { $0.field == key || $0.field.hasPrefix(key + ".") || $0.field.hasPrefix(key + "[") }
            let issues = own.isEmpty ? error.issues : own
            throw ConfigError(issues.map { ConfigIssue(field: field, message: $0.field == key ? $0.message : "\($0.field): \($0.message)") })
        }
    }
}
