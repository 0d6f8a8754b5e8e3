import ArbCore
import Logging

/// The sources a campaign config can name: the synthetic market, replay, and live feeds when a live factory
/// (the process's feed hub) is plugged in.
public struct StandardSourceFactory: MarketSourceFactory {
    let logger: Logger
    let live: (any MarketSourceFactory)?
    /// Caches opened once for every campaign this factory makes a source for (a sweep's); nil = each opens its own.
    let caches: MarketCacheReaders?

    public init(logger: Logger = Logger(label: "arbitrage.market-data"), live: (any MarketSourceFactory)? = nil,
                caches: MarketCacheReaders? = nil) {
        self.logger = logger
        self.live = live
        self.caches = caches
    }

    func reader(_ path: String) throws(MarketCacheError) -> MarketCacheReader {
        if let caches { return try caches.reader(path: path) }
        return try MarketCacheReader(path: path)
    }

    static let noLive = ConfigError(field: "market_data.source", "live feeds are not available here")

    public func syntheticListing(config: CampaignConfig) throws(ConfigError) -> [ListingEntry] {
        SyntheticListing.listing(symbolCount: config.marketData.symbolCount)
    }

    public func makeSource(members: [UniverseMember], config: CampaignConfig,
                           startNs: Int64) throws(ConfigError) -> any ScheduledMarketSource {
        switch config.marketData.source {
        case .synthetic:
            return try SyntheticSourceFactory().makeSource(members: members, config: config, startNs: startNs)
        case .replay:
            let replay = config.marketData.replay
            let names = MarketMap(config: config, routes: members.map(\.route))
            if let cache = try Self.cache(replay.files) {
                do { return try CacheReplaySource(reader: reader(cache), names: names, logger: logger, fromNs: replay.fromNs) } catch {
                    throw ConfigError(field: "market_data.replay.files[0]", error.description)
                }
            }
            do {
                return try ReplaySource(paths: replay.files, format: Self.format(replay), names: names, logger: logger, fromNs: replay.fromNs)
            } catch {
                throw Self.configError(error, files: replay.files)
            }
        case .live:
            guard let live else { throw Self.noLive }
            return try live.makeSource(members: members, config: config, startNs: startNs)
        }
    }

    public func restoreSource(members: [UniverseMember], config: CampaignConfig, startNs: Int64,
                              state: [UInt8]) throws -> any ScheduledMarketSource {
        switch config.marketData.source {
        case .synthetic:
            return try SyntheticSourceFactory().restoreSource(members: members, config: config, startNs: startNs, state: state)
        case .replay:
            let replay = config.marketData.replay
            let names = MarketMap(config: config, routes: members.map(\.route))
            if let cache = try Self.cache(replay.files) {
                return try CacheReplaySource(reader: reader(cache), names: names, logger: logger, state: state)
            }
            return try ReplaySource(paths: replay.files, format: Self.format(replay), names: names, logger: logger, state: state)
        case .live:
            guard let live else { throw Self.noLive }
            return try live.restoreSource(members: members, config: config, startNs: startNs, state: state)
        }
    }

    /// Replay: each asset on the venues whose book of it is in the files (so routes are made on the pairs with
    /// both books); each KRW venue of the campaign's pairs needs its `KRW-USDT` book unless fx is fixed.
    public func availableListing(_ listing: [ListingEntry], config: CampaignConfig) throws(ConfigError) -> [ListingEntry] {
        if config.marketData.source == .live {
            guard let live else { throw Self.noLive }
            return try live.availableListing(listing, config: config)
        }
        guard config.marketData.source == .replay else { return listing }
        let replay = config.marketData.replay
        let perFile: [Set<String>]
        if let cache = try Self.cache(replay.files) {
            do { perFile = [Set(try reader(cache).markets.map { MarketEvent.key($0.venue, $0.symbol) })] } catch {
                throw ConfigError(field: "market_data.replay.files[0]", error.description)
            }
        } else {
            do { perFile = try ReplayCatalog.markets(paths: replay.files, format: Self.format(replay)) } catch {
                throw Self.configError(error, files: replay.files)
            }
        }
        let markets = perFile.reduce(into: Set<String>()) { $0.formUnion($1) }
        let pairVenues = Set(config.routePairs.flatMap { [$0.a, $0.b] })
        for venue in config.venues where venue.isKRW && pairVenues.contains(venue) && config.marketData.fxSource == .book {
            guard !markets.contains(MarketEvent.key(venue, MarketMap.fxSymbol)) else { continue }
            throw ConfigError(field: "market_data.replay.files",
                              "no KRW-USDT book of \(venue) in the files; add a recording of \(venue)'s KRW-USDT or set market_data.fx.source: fixed")
        }
        let available = listing.compactMap { entry -> ListingEntry? in
            var e = entry
            for venue in Venue.allCases where !markets.contains(MarketEvent.key(venue, venue.info.market(base: e.base))) {
                e.instruments[venue] = nil
            }
            return config.routePairs.contains { e.instruments(on: $0) != nil } ? e : nil
        }
        if available.isEmpty {
            throw ConfigError(field: "market_data.replay.files",
                              "no listed route has both its books in the files (found: \(markets.sorted().prefix(10).joined(separator: ", "))); market_data.replay.instruments adds markets the listing does not know")
        }
        return available
    }

    public func prepare(config: CampaignConfig) async throws(ConfigError) {
        guard config.universe.source == .live || config.marketData.source == .live else { return }
        guard let live else { throw Self.noLive }
        try await live.prepare(config: config)
    }

    public func liveListing(config: CampaignConfig) throws(ConfigError) -> [ListingEntry] {
        guard let live else { throw ConfigError(field: "universe.source", "the live listing is not available here") }
        return try live.liveListing(config: config)
    }

    /// From the cache's index: its first block's first book, and its end mark (or last book).
    public func recordedSpan(config: CampaignConfig) throws(ConfigError) -> (firstNs: Int64, endNs: Int64) {
        let files = config.marketData.replay.files
        guard config.marketData.source == .replay, let path = try Self.cache(files) else {
            throw ConfigError(field: "market_data.replay.files",
                              "windows of market time are read from a market-data cache; convert the recordings with `arbitrage data import`")
        }
        let cache: MarketCacheReader
        do { cache = try reader(path) } catch { throw ConfigError(field: "market_data.replay.files[0]", error.description) }
        guard let first = cache.blocks.first, let last = cache.blocks.last else {
            throw ConfigError(field: "market_data.replay.files[0]", "\(path) holds no books")
        }
        do { try cache.verify(block: cache.blocks.count - 1) } catch {
            throw ConfigError(field: "market_data.replay.files[0]", error.description)
        }
        var at = last.offset
        for _ in 1..<last.rows { at = cache.nextRow(after: at) }
        return (first.firstNs, Swift.max(cache.dataEndNs ?? .min, cache.time(at: at)))
    }

    /// The cache among `files`, when they name one: it holds every book of its recordings, so it is replayed
    /// alone.
    static func cache(_ files: [String]) throws(ConfigError) -> String? {
        let caches = files.indices.filter { MarketCache.isCache(path: files[$0]) }
        guard let first = caches.first else { return nil }
        guard files.count == 1 else {
            throw ConfigError(field: "market_data.replay.files[\(first)]",
                              "\(files[first]) is a market-data cache: it is replayed alone (convert every recording into one cache with `arbitrage data import`)")
        }
        return files[first]
    }

    static func format(_ replay: ReplayConfig) -> ReplaySource.Format {
        switch replay.format {
        case .jsonl: return .jsonl
        case .tardis: return .tardis
        case .auto: return .auto
        }
    }

    static func configError(_ error: MarketFileError, files: [String]) -> ConfigError {
        let index = files.firstIndex(of: error.path).map { "[\($0)]" } ?? ""
        return ConfigError(field: "market_data.replay.files" + index, error.description)
    }
}
