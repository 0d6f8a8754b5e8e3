import ArbCore

/// The embedded default: every campaign gets the synthetic market of its config.
public struct SyntheticSourceFactory: MarketSourceFactory {
    public init() {}

    public func makeSource(members: [UniverseMember], config: CampaignConfig,
                           startNs: Int64) throws(ConfigError) -> any ScheduledMarketSource {
        SyntheticMarket(members: members, settings: .init(
            seed: config.marketData.seed, updatesPerSecond: config.marketData.updatesPerSecond,
            fxStart: config.marketData.fxStart, startNs: startNs, includeFx: config.marketData.fxSource == .book))
    }
}
