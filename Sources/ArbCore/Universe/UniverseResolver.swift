/// Turns a listing and the `universe` config into the routes a campaign trades (SPEC §3.1).
public enum UniverseResolver {
    /// Stablecoin bases left out when `exclude_stablecoins` is on, whatever the blacklist says.
    public static let stablecoins: Set<String> = [
        "USDT", "USDC", "BUSD", "FDUSD", "TUSD", "DAI", "USDP", "USDD", "PYUSD", "USDE", "USD1", "RLUSD", "USDS",
        "EUR", "EURI", "AEUR", "GUSD", "FRAX", "LUSD", "SUSD", "XUSD", "PAX",
    ]

    public static func isStablecoin(_ symbol: String) -> Bool {
        guard let base = Route.base(ofSymbol: symbol) else { return false }
        return stablecoins.contains(base)
    }

    /// The universe, in trading order: the chosen assets in rank order, each on every pair of `pairs` that lists it
    /// (in the order of `pairs`). `single` engine mode keeps only the first route.
    public static func resolve(_ config: UniverseConfig, engine: EngineConfig, listing: [ListingEntry],
                               pairs: [PerLeg<Venue>] = [Route.seedPair]) throws(ConfigError) -> [UniverseMember] {
        let blacklist = Set(config.blacklist)
        var bySymbol: [String: ListingEntry] = [:]
        for entry in listing { bySymbol[entry.symbol] = entry }
        func listed(_ e: ListingEntry) -> Bool { pairs.contains { e.instruments(on: $0) != nil } }
        let venues = Venue.allCases.filter { v in pairs.contains { $0.a == v || $0.b == v } }
        var volume: [String: Double] = [:]
        for e in listing { volume[e.symbol] = e.volumeUSD(over: venues) }
        func eligible(_ e: ListingEntry) -> Bool {
            listed(e) && e.symbol.hasSuffix(config.baseQuote)
                && !blacklist.contains(e.symbol) && !(config.excludeStablecoins && isStablecoin(e.symbol))
        }
        var chosen: [ListingEntry]
        switch config.mode {
        case .topN:
            chosen = listing.filter(eligible).sorted {
                let (x, y) = (volume[$0.symbol]!, volume[$1.symbol]!)
                return x != y ? x > y : $0.symbol < $1.symbol
            }
            if chosen.count > config.topN { chosen.removeLast(chosen.count - config.topN) }
        case .fixedList:
            chosen = []
            var seen = Set<String>()
            var issues: [ConfigIssue] = []
            for (i, symbol) in config.whitelist.enumerated() where seen.insert(symbol).inserted {
                guard let entry = bySymbol[symbol], listed(entry) else {
                    let pairsText = pairs == [Route.seedPair] ? "both exchanges" : "both venues of any of the campaign's pairs"
                    issues.append(ConfigIssue(field: "universe.whitelist[\(i)]", message: "\(symbol) is not listed on \(pairsText)"))
                    continue
                }
                if eligible(entry) { chosen.append(entry) }
            }
            if !issues.isEmpty { throw ConfigError(issues) }
        }
        if chosen.isEmpty {
            throw ConfigError(field: config.mode == .topN ? "universe.top_n" : "universe.whitelist",
                              "the universe resolved to no route (blacklist and stablecoin exclusion applied)")
        }
        var members: [UniverseMember] = []
        for e in chosen {
            for pair in routePairs(e, pairs: pairs, cap: config.maxRoutesPerSymbol) {
                guard let instruments = e.instruments(on: pair) else { continue }
                let route = Route(index: members.count, key: Route.key(symbol: e.symbol, venues: pair), base: e.base,
                                  venues: pair, instruments: instruments)
                members.append(UniverseMember(route: route, quoteVolumeUSD: volume[e.symbol]!, referencePriceUSD: e.referencePriceUSD))
            }
        }
        if engine.mode == .single { members = [members[0]] }
        return members
    }

    /// The pairs of `pairs` that list `e`, in their order; with a cap, the `cap` with the most USDT volume for it
    /// (ties keep the order of `pairs`).
    static func routePairs(_ e: ListingEntry, pairs: [PerLeg<Venue>], cap: Int?) -> [PerLeg<Venue>] {
        let listed = pairs.filter { e.instruments(on: $0) != nil }
        guard let cap, listed.count > cap else { return listed }
        let volume = { (p: PerLeg<Venue>) in e.usdtVolumes[p.a] + e.usdtVolumes[p.b] }
        let kept = listed.indices.sorted { volume(listed[$0]) != volume(listed[$1]) ? volume(listed[$0]) > volume(listed[$1]) : $0 < $1 }
        return kept.prefix(cap).sorted().map { listed[$0] }
    }
}
