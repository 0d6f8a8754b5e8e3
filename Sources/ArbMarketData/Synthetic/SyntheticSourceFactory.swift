import ArbCore

/// The embedded default: every campaign gets the synthetic market of its config.
public struct SyntheticSourceFactory: MarketSourceFactory {
    public init() {}

    public func syntheticListing(config: CampaignConfig) throws(ConfigError) -> [ListingEntry] {
        SyntheticListing.listing(symbolCount: config.marketData.symbolCount)
    }

    public func makeSource(members: [UniverseMember], config: CampaignConfig,
                           startNs: Int64) throws(ConfigError) -> any ScheduledMarketSource {
        SyntheticMarket(members: members, settings: settings(config, startNs))
    }

    public func restoreSource(members: [UniverseMember], config: CampaignConfig, startNs: Int64,
                              state: [UInt8]) throws -> any ScheduledMarketSource {
        try SyntheticMarket(members: members, settings: settings(config, startNs), state: state)
    }

    func settings(_ config: CampaignConfig, _ startNs: Int64) -> SyntheticMarket.Settings {
        .init(seed: config.marketData.seed, updatesPerSecond: config.marketData.updatesPerSecond,
              fxStart: config.marketData.fxStart, startNs: startNs, includeFx: config.marketData.fxSource == .book,
              venues: config.venues)
    }
}
