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

    /// The universe, in trading order. `single` engine mode keeps only the first route.
    public static func resolve(_ config: UniverseConfig, engine: EngineConfig,
                               listing: [ListingEntry]) throws(ConfigError) -> [UniverseMember] {
        let blacklist = Set(config.blacklist)
        var bySymbol: [String: ListingEntry] = [:]
        for entry in listing { bySymbol[entry.symbol] = entry }
        func eligible(_ e: ListingEntry) -> Bool {
            e.upbit != nil && e.binance != nil && e.symbol.hasSuffix(config.baseQuote)
                && !blacklist.contains(e.symbol) && !(config.excludeStablecoins && isStablecoin(e.symbol))
        }
        var chosen: [ListingEntry]
        switch config.mode {
        case .topN:
            chosen = listing.filter(eligible).sorted {
                $0.quoteVolumeUSD != $1.quoteVolumeUSD ? $0.quoteVolumeUSD > $1.quoteVolumeUSD : $0.symbol < $1.symbol
            }
            if chosen.count > config.topN { chosen.removeLast(chosen.count - config.topN) }
        case .fixedList:
            chosen = []
            var seen = Set<String>()
            var issues: [ConfigIssue] = []
            for (i, symbol) in config.whitelist.enumerated() where seen.insert(symbol).inserted {
                guard let entry = bySymbol[symbol], entry.upbit != nil, entry.binance != nil else {
                    issues.append(ConfigIssue(field: "universe.whitelist[\(i)]", message: "\(symbol) is not listed on both exchanges"))
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
        if engine.mode == .single { chosen = [chosen[0]] }
        return chosen.enumerated().map { i, e in
            UniverseMember(
                route: Route(index: i, key: e.symbol, base: e.base, upbit: e.upbit!, binance: e.binance!),
                quoteVolumeUSD: e.quoteVolumeUSD, referencePriceUSD: e.referencePriceUSD)
        }
    }
}
