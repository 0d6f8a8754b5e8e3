/// A market-data source whose events come in time order and can be pulled one at a time: the synthetic
/// market and replay. The simulated driver pulls as fast as it can; the realtime driver waits for each event's
/// time. (Live feeds push into the store instead.)
public protocol ScheduledMarketSource: Sendable {
    /// Time of the next event (ns since epoch); nil when the source is exhausted.
    var nextTimeNs: Int64? { get }
    /// Emits the next event: writes its book into `store` and returns the market index it wrote.
    mutating func emit(into store: SnapshotStore) -> Int
    /// The source's state, opaque to the caller, from which `MarketSourceFactory.restoreSource` continues the
    /// stream exactly where it was.
    func checkpointState() throws -> [UInt8]
}

/// Builds a campaign's market-data source from its config; the executable picks the concrete factory, the
/// config picks among its sources at run time.
public protocol MarketSourceFactory: Sendable {
    func makeSource(members: [UniverseMember], config: CampaignConfig, startNs: Int64) throws(ConfigError) -> any ScheduledMarketSource
    /// The source of a checkpoint, continuing after its last event.
    func restoreSource(members: [UniverseMember], config: CampaignConfig, startNs: Int64,
                       state: [UInt8]) throws -> any ScheduledMarketSource
}
