/// `universe`.
public struct UniverseConfig: Sendable, Equatable {
    public enum Mode: String, Sendable { case topN = "TOP_N", fixedList = "FIXED_LIST" }
    public enum Source: String, Sendable { case synthetic, file, live }
    public var mode: Mode
    public var topN: Int
    public var baseQuote: String
    public var whitelist: [String]
    public var blacklist: [String]
    public var excludeStablecoins: Bool
    public var source: Source
    public var file: String?
    /// Seconds of campaign clock between re-resolutions; 0 = never.
    public var refreshSeconds: Double
    /// Most routes per asset (the pairs with the most USDT volume for it); nil = every pair that lists it.
    public var maxRoutesPerSymbol: Int? = nil

    /// Routes a campaign starting with `routes` has room for: as many when the universe never changes, else
    /// enough for the routes that may join over its run (slots are never reused).
    public func routeCapacity(startingWith routes: Int) -> Int { refreshSeconds > 0 ? routes * 4 + 16 : routes }
}

/// `engine`.
public struct EngineConfig: Sendable, Equatable {
    public enum Mode: String, Sendable { case single, multi }
    public var mode: Mode
    public var multiSymbolEnabled: Bool
    public var perSymbolIsolation: Bool
}

/// `session`.
public struct SessionConfig: Sendable, Equatable {
    public enum Clock: String, Sendable { case realtime, simulated }
    public var clock: Clock
    public var maxRuntimeSeconds: Double
    public var loopIntervalMs: Double
    public var maxIterations: Int?
    public var startTimeNs: Int64
    public var flattenOnStop: Bool
    public var checkpointSeconds: Double
}

/// `market_data`.
public struct MarketDataConfig: Sendable, Equatable {
    public enum Source: String, Sendable { case synthetic, replay, live }
    public var source: Source
    public var replay: ReplayConfig
    public var live: LiveConfig
    public var seed: UInt64
    public var updatesPerSecond: Double
    public var symbolCount: Int
    /// As configured (nil = derived); `RiskLimits.maxDataAgeMs` holds the value in force.
    public var maxDataAgeMs: Double?
    public var fxSource: FxSource
    public var fxStart: Double
}

/// `market_data.replay`.
public struct ReplayConfig: Sendable, Equatable {
    public enum Format: String, Sendable { case jsonl, tardis, auto }
    public var files: [String]
    public var format: Format
    /// Market time per wall second on the realtime clock; 0 = as fast as possible (simulated clock only).
    public var speed: Double
    /// A universe file whose trading rules (and listings) add to the listing's, for markets it does not know.
    public var instruments: String? = nil
    /// Books received before this instant are passed over: the campaign starts at the first instant every market
    /// has a book at or after it (a window of a long recording; sweeps' walk-forward windows). nil = from the start.
    public var fromNs: Int64? = nil
}

/// One venue's live feed (`venue_config.<venue>`; for Upbit and Binance the seed's `market_data.live` keys).
public struct VenueFeedConfig: Sendable, Hashable {
    public var wsURL: String
    public var restURL: String
    /// What the adapter subscribes per market (`venue_config.<venue>.feed`): Binance's stream kind, Upbit's
    /// depth, Bithumb's format, OKX's channel, Bybit's depth.
    public var feed: String
    /// Upbit's message format (`market_data.live.upbit_format`).
    public var format: String

    public init(wsURL: String, restURL: String, feed: String, format: String = "SIMPLE") {
        self.wsURL = wsURL
        self.restURL = restURL
        self.feed = feed
        self.format = format
    }

    /// The venue's public endpoints and first feed option.
    public static func standard(_ venue: Venue) -> VenueFeedConfig {
        VenueFeedConfig(wsURL: venue.info.wsURL, restURL: venue.info.restURL, feed: venue.info.feedOptions[0])
    }
}

/// `market_data.live` and each venue's feed.
public struct LiveConfig: Sendable, Hashable {
    public var feeds: PerVenue<VenueFeedConfig>
    public var maxStreamsPerConnection: Int
    public var silenceSeconds: Double
    public var reconnectMinSeconds: Double
    public var reconnectMaxSeconds: Double
    public var connectionMaxAgeSeconds: Double

    public init(feeds: PerVenue<VenueFeedConfig> = PerVenue { .standard($0) }, maxStreamsPerConnection: Int = 50,
                silenceSeconds: Double = 15, reconnectMinSeconds: Double = 0.5, reconnectMaxSeconds: Double = 30,
                connectionMaxAgeSeconds: Double = 84_600) {
        self.feeds = feeds
        self.maxStreamsPerConnection = maxStreamsPerConnection
        self.silenceSeconds = silenceSeconds
        self.reconnectMinSeconds = reconnectMinSeconds
        self.reconnectMaxSeconds = reconnectMaxSeconds
        self.connectionMaxAgeSeconds = connectionMaxAgeSeconds
    }

    public subscript(venue: Venue) -> VenueFeedConfig {
        get { feeds[venue] }
        set { feeds[venue] = newValue }
    }

    /// These settings as far as `venue`'s connections are concerned (the other venues' feeds as standard), so
    /// campaigns that differ only in another venue's feed share its connections.
    public func scoped(to venue: Venue) -> LiveConfig {
        var copy = self
        copy.feeds = PerVenue { $0 == venue ? feeds[$0] : .standard($0) }
        return copy
    }
}

/// A validated campaign config with every default filled in.
public struct CampaignConfig: Sendable, Equatable {
    public var name: String?
    public var env: String
    public var universe: UniverseConfig
    public var engine: EngineConfig
    public var risk: RiskLimits
    public var session: SessionConfig
    public var marketData: MarketDataConfig
    public var strategy: StrategyParams
    /// The venues the campaign trades on, in config order (each gets an account with quote cash; the KRW ones'
    /// `KRW-USDT` books come first in the market map in this order).
    public var venues: [Venue] = [.upbit, .binance]
    /// The venue pairs that carry routes, in order (`routes.pairs`, or every KRW × USDT venue of `venues`).
    public var routePairs: [PerLeg<Venue>] = [Route.seedPair]
    /// Per venue, asset → amount: `venue_config.<venue>.initial_balances` over `paper.initial_balances`.
    public var initialBalances: [Venue: [String: Fixed]]
    /// Each venue's order latency by registry index: `venue_config.<venue>.latency_ms` or `paper.latency_ms`.
    public var latencyMs: [Double]
    /// `transfers`: networks, the allowlist, suspensions and the odds of reviews and failures.
    public var transferRules = TransferRules()
    /// `rebalance`.
    public var rebalance = RebalanceConfig()
    /// The normalized tree (defaults filled in), as stored and returned over HTTP.
    public var tree: JSONValue

    /// Validates `value` against the schema and the rules between fields.
    public static func parse(_ value: JSONValue) throws(ConfigError) -> CampaignConfig {
        let tree = try ConfigValidator().normalize(value)
        let config = CampaignConfig(tree: tree)
        let issues = config.crossFieldIssues()
        if !issues.isEmpty { throw ConfigError(issues) }
        return config
    }

    /// The defaults of every key (what an empty config runs with).
    public static var defaults: CampaignConfig { try! parse(.object([:])) }

    private init(tree t: JSONValue) {
        func d(_ p: String) -> Double { t.at(p)!.doubleValue! }
        func i(_ p: String) -> Int { Int(t.at(p)!.intValue!) }
        func s(_ p: String) -> String { t.at(p)!.stringValue! }
        func b(_ p: String) -> Bool { t.at(p)!.boolValue! }
        func list(_ p: String) -> [String] { t.at(p)!.arrayValue!.compactMap(\.stringValue) }
        tree = t
        name = t["name"]?.stringValue
        env = s("env")
        universe = UniverseConfig(
            mode: .init(rawValue: s("universe.mode"))!, topN: i("universe.top_n"), baseQuote: s("universe.base_quote"),
            whitelist: list("universe.whitelist"), blacklist: list("universe.blacklist"),
            excludeStablecoins: b("universe.exclude_stablecoins"), source: .init(rawValue: s("universe.source"))!,
            file: t.at("universe.file")?.stringValue, refreshSeconds: d("universe.refresh_seconds"),
            maxRoutesPerSymbol: t.at("universe.max_routes_per_symbol")?.intValue.map { Int($0) })
        venues = list("venues").compactMap(Venue.init(rawValue:))
        routePairs = Self.pairs(t.at("routes.pairs")?.arrayValue?.compactMap(\.stringValue), venues: venues)
        engine = EngineConfig(
            mode: .init(rawValue: s("engine.mode"))!, multiSymbolEnabled: b("engine.multi_symbol_enabled"),
            perSymbolIsolation: b("engine.per_symbol_isolation"))
        let ups = d("market_data.updates_per_second")
        let configuredAge = t.at("market_data.max_data_age_ms")?.doubleValue
        let g = "multi_symbol_risk_guard."
        let setting = Self.venueSetting(t)
        risk = RiskLimits(
            maxTotalExposureUSD: d(g + "max_total_exposure_usd"), maxDailyLossUSD: d(g + "max_daily_loss_usd"),
            emergencyStopLossUSD: d(g + "emergency_stop_loss_usd"), totalCapitalUSD: d(g + "total_capital_usd"),
            maxSymbolAllocationPct: d(g + "max_symbol_allocation_pct"), maxPositionSizeUSD: d(g + "max_position_size_usd"),
            maxPositionCount: i(g + "max_position_count"), cooldownSeconds: d(g + "cooldown_seconds"),
            circuitBreakerConsecutiveLosses: i(g + "circuit_breaker_consecutive_losses"),
            circuitBreakerHaltSeconds: d(g + "circuit_breaker_halt_seconds"),
            maxDataAgeMs: configuredAge ?? (s("market_data.source") == "synthetic"
                ? MarketDataConfig.derivedMaxAgeMs(updatesPerSecond: ups) : MarketDataConfig.recordedMaxAgeMs),
            fxBandPct: d(g + "fx_band_pct"),
            exchanges: PerVenue { venue in
                let standard = ExchangeLimits.standard
                return ExchangeLimits(
                    maxExposureUSD: setting(venue, "max_exposure_usd", g + "exchange.%v.max_exposure_usd") ?? standard.maxExposureUSD,
                    maxOrdersPerSecond: setting(venue, "max_orders_per_second", g + "exchange.%v.max_orders_per_second")
                        .map { Int($0) } ?? standard.maxOrdersPerSecond)
            })
        risk.route = Self.routeLimits(t)
        session = SessionConfig(
            clock: .init(rawValue: s("session.clock"))!, maxRuntimeSeconds: d("session.max_runtime_seconds"),
            loopIntervalMs: d("session.loop_interval_ms"), maxIterations: t.at("session.max_iterations")?.intValue.map { Int($0) },
            startTimeNs: UTCTime.parse(s("session.start_time"))!, flattenOnStop: b("session.flatten_on_stop"),
            checkpointSeconds: d("session.checkpoint_seconds"))
        let fxStart = d("market_data.fx.krw_per_usdt")
        marketData = MarketDataConfig(
            source: .init(rawValue: s("market_data.source"))!,
            replay: ReplayConfig(files: list("market_data.replay.files"), format: .init(rawValue: s("market_data.replay.format"))!,
                                 speed: d("market_data.replay.speed"), instruments: t.at("market_data.replay.instruments")?.stringValue,
                                 fromNs: t.at("market_data.replay.from")?.stringValue.flatMap(UTCTime.parse)),
            live: Self.liveConfig(t),
            seed: UInt64(t.at("market_data.seed")!.intValue!),
            updatesPerSecond: ups, symbolCount: i("market_data.symbol_count"), maxDataAgeMs: configuredAge,
            fxSource: s("market_data.fx.source") == "fixed" ? .fixed(Fixed(fxStart)) : .book, fxStart: fxStart)
        strategy = StrategyParams(
            entryThresholdBps: d("strategy.entry_threshold_bps"), exitThresholdBps: d("strategy.exit_threshold_bps"),
            maxHoldSeconds: d("strategy.max_hold_seconds"), orderNotionalUSD: d("strategy.order_notional_usd"),
            maxSlippageBps: d("strategy.max_slippage_bps"),
            takerBps: PerVenue { setting($0, "taker_bps", "fees.%v_taker_bps") ?? $0.info.takerBps })
        strategy.exitByTransfer = b("strategy.exit_by_transfer")
        strategy.transferAfterSeconds = d("strategy.transfer_after_seconds")
        transferRules = Self.transferRules(t)
        rebalance = Self.rebalanceConfig(t)
        var balances: [Venue: [String: Fixed]] = [:]
        for venue in Venue.allCases {
            var entries = t.at("paper.initial_balances.\(venue.rawValue)")?.objectValue ?? [:]
            entries.merge(t.at("venue_config.\(venue.rawValue).initial_balances")?.objectValue ?? [:]) { $1 }
            balances[venue] = entries.mapValues { Fixed($0.doubleValue!, rounding: .down) }
        }
        initialBalances = balances
        latencyMs = Venue.allCases.map { setting($0, "latency_ms", "paper.latency_ms.%v") ?? 0 }
    }

    /// `multi_symbol_risk_guard.route`.
    static func routeLimits(_ t: JSONValue) -> RouteLimits {
        let g = "multi_symbol_risk_guard.route."
        return RouteLimits(
            maxPositionSizeUSD: t.at(g + "max_position_size_usd")?.doubleValue, cooldownSeconds: t.at(g + "cooldown_seconds")!.doubleValue!,
            circuitBreakerConsecutiveLosses: t.at(g + "circuit_breaker_consecutive_losses")?.intValue.map { Int($0) },
            circuitBreakerHaltSeconds: t.at(g + "circuit_breaker_halt_seconds")!.doubleValue!)
    }

    /// Reads a venue's setting: `venue_config.<venue>.<key>` when set, else, for Upbit and Binance, the seed's key
    /// (`legacy` with `%v` standing for the venue).
    static func venueSetting(_ t: JSONValue) -> (Venue, String, String) -> Double? {
        { venue, key, legacy in
            if let value = t.at("venue_config.\(venue.rawValue).\(key)")?.doubleValue { return value }
            guard venue == .upbit || venue == .binance else { return nil }
            return t.at(legacy.replacing("%v", with: venue.rawValue))?.doubleValue
        }
    }

    /// `routes.pairs` as venue pairs; nil = every KRW venue × every USDT venue of `venues`, in their order.
    static func pairs(_ names: [String]?, venues: [Venue]) -> [PerLeg<Venue>] {
        guard let names else {
            return venues.filter(\.isKRW).flatMap { a in venues.filter { !$0.isKRW }.map { PerLeg(a: a, b: $0) } }
        }
        return names.compactMap { name in
            let parts = name.split(separator: "-").map(String.init)
            guard parts.count == 2, let a = Venue(rawValue: parts[0]), let b = Venue(rawValue: parts[1]) else { return nil }
            return PerLeg(a: a, b: b)
        }
    }

    private func crossFieldIssues() -> [ConfigIssue] {
        var issues: [ConfigIssue] = venueIssues() + transferIssues()
        if engine.mode == .multi && !engine.multiSymbolEnabled {
            issues.append(ConfigIssue(field: "engine.multi_symbol_enabled",
                                      message: "engine.mode: multi needs engine.multi_symbol_enabled: true"))
        }
        if universe.mode == .fixedList && universe.whitelist.isEmpty {
            issues.append(ConfigIssue(field: "universe.whitelist", message: "FIXED_LIST needs at least one symbol"))
        }
        if universe.source == .file && universe.file == nil {
            issues.append(ConfigIssue(field: "universe.file", message: "source: file needs a file path"))
        }
        if marketData.source == .replay {
            if marketData.replay.files.isEmpty {
                issues.append(ConfigIssue(field: "market_data.replay.files", message: "source: replay needs at least one file"))
            }
            if marketData.replay.speed == 0 && session.clock == .realtime {
                issues.append(ConfigIssue(field: "market_data.replay.speed", message:
                    "speed 0 replays as fast as possible, which is session.clock: simulated; the realtime clock needs a speed above 0"))
            }
        }
        if marketData.replay.fromNs != nil && marketData.source != .replay {
            issues.append(ConfigIssue(field: "market_data.replay.from", message: "a window of recorded data needs source: replay"))
        }
        if marketData.source == .live {
            if session.clock != .realtime {
                issues.append(ConfigIssue(field: "session.clock", message: "source: live runs on the realtime clock"))
            }
            let l = marketData.live
            for venue in venues {
                let legacy = venue == .upbit || venue == .binance
                let set = { (key: String) in tree.at("venue_config.\(venue.rawValue).\(key)")?.stringValue != nil }
                for (key, url, schemes) in [("ws_url", l[venue].wsURL, ["ws", "wss"]), ("rest_url", l[venue].restURL, ["http", "https"])] {
                    let scheme = url.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
                    if !schemes.contains(scheme) || !url.contains("://") || url.hasSuffix("://") {
                        let field = legacy && !set(key) ? "market_data.live.\(venue.rawValue)_\(key)" : "venue_config.\(venue.rawValue).\(key)"
                        issues.append(ConfigIssue(field: field, message: "\(url) is not a \(schemes.joined(separator: " or ")) URL"))
                    }
                }
            }
            if l.reconnectMaxSeconds < l.reconnectMinSeconds {
                issues.append(ConfigIssue(field: "market_data.live.reconnect_max_seconds", message: "is below reconnect_min_seconds"))
            }
        }
        // Bound the work one request can ask for (each route's two books at most; shared books only lower it).
        let assets = Double(universe.mode == .fixedList ? universe.whitelist.count : universe.topN)
        let perAsset = Double(Swift.min(routePairs.count, universe.maxRoutesPerSymbol ?? routePairs.count))
        let routes = engine.mode == .single ? 1 : assets * Swift.max(1, perAsset)
        let rate = (routes * 2 + Double(Set(venues.filter(\.isKRW)).count)) * marketData.updatesPerSecond
        switch session.clock {
        case _ where marketData.source != .synthetic:
            break  // recorded data: the files bound the work
        case .simulated where rate * session.maxRuntimeSeconds > Self.maxSimulatedUpdates:
            issues.append(ConfigIssue(field: "session.max_runtime_seconds", message:
                "a simulated campaign of \(Int(routes)) routes at \(marketData.updatesPerSecond) updates/s for \(session.maxRuntimeSeconds) s would process \(Int(rate * session.maxRuntimeSeconds)) book updates; the most is \(Int(Self.maxSimulatedUpdates))"))
        case .realtime where rate > Self.maxRealtimeUpdatesPerSecond:
            issues.append(ConfigIssue(field: "market_data.updates_per_second", message:
                "\(Int(routes)) routes at \(marketData.updatesPerSecond) updates/s per market make \(Int(rate)) book updates/s; the most a realtime campaign takes is \(Int(Self.maxRealtimeUpdatesPerSecond))"))
        default:
            break
        }
        let routeCheckpoints = routes * session.maxRuntimeSeconds / session.checkpointSeconds
        if session.clock == .simulated && routeCheckpoints > Self.maxSimulatedRouteCheckpoints {
            issues.append(ConfigIssue(field: "session.checkpoint_seconds", message:
                "checkpoints every \(session.checkpointSeconds) s of \(Int(routes)) routes for \(session.maxRuntimeSeconds) s would copy \(Int(routeCheckpoints)) route states; the most is \(Int(Self.maxSimulatedRouteCheckpoints))"))
        }
        return issues
    }

    /// `venues` and `routes.pairs` agree: no venue twice, pairs of two listed venues, at least one pair.
    private func venueIssues() -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        var seen = Set<Venue>()
        for (i, venue) in venues.enumerated() where !seen.insert(venue).inserted {
            issues.append(ConfigIssue(field: "venues[\(i)]", message: "\(venue) is listed twice"))
        }
        let named = tree.at("routes.pairs")?.arrayValue
        var pairsSeen = Set<PerLeg<Venue>>()
        for (i, pair) in routePairs.enumerated() where named != nil {
            let field = "routes.pairs[\(i)]"
            for venue in [pair.a, pair.b] where !seen.contains(venue) {
                issues.append(ConfigIssue(field: field, message: "\(venue) is not in venues (\(venues.map(\.rawValue).joined(separator: ", ")))"))
            }
            if !pairsSeen.insert(pair).inserted {
                issues.append(ConfigIssue(field: field, message: "\(pair.a)-\(pair.b) is listed twice"))
            }
        }
        if routePairs.isEmpty {
            issues.append(ConfigIssue(field: named == nil ? "venues" : "routes.pairs", message: named == nil
                ? "no KRW venue against a USDT venue in venues; name the pairs to trade in routes.pairs"
                : "at least one pair is needed"))
        }
        return issues
    }

    /// The most route states one simulated campaign's checkpoints may copy (about a minute of one core).
    public static let maxSimulatedRouteCheckpoints = 5e7
    /// The most book updates one simulated campaign may process (about 20 minutes of one core).
    public static let maxSimulatedUpdates = 2e9
    /// The most book updates per second one realtime campaign may ask of the synthetic market.
    public static let maxRealtimeUpdatesPerSecond = 200_000.0
}

extension MarketDataConfig {
    /// 3 × the slowest expected update interval: synthetic intervals are jittered up to 1.5 × the mean.
    public static func derivedMaxAgeMs(updatesPerSecond: Double) -> Double {
        3 * 1.5 * 1000 / updatesPerSecond
    }

    /// Recorded and live books: 3 × 1 s, the slowest cadence of the exchanges' book streams used (Upbit pushes a
    /// book when it changes, Binance partial depth every 100 ms or 1 s).
    public static let recordedMaxAgeMs = 3_000.0
}
