/// A market-data source whose events come in time order and can be pulled one at a time: the synthetic
/// market and replay. The simulated driver pulls as fast as it can; the realtime driver waits for each event's
/// time. (Live feeds push into the store instead.)
public protocol ScheduledMarketSource: Sendable {
    /// Time of the next event (ns since epoch); nil when the source is exhausted.
    var nextTimeNs: Int64? { get }
    /// Emits the next event: writes its book into `store` and returns the market index it wrote.
    mutating func emit(into store: SnapshotStore) -> Int
    /// The market of the next event when the source knows it without work (a driver has its reader's memory
    /// fetched ahead); nil otherwise.
    var upcomingMarket: Int? { get }
    /// The source's state, opaque to the caller, from which `MarketSourceFactory.restoreSource` continues the
    /// stream exactly where it was.
    func checkpointState() throws -> [UInt8]
    /// Once `nextTimeNs` is nil: the end of the span the source covers (a recording's end mark), where the
    /// campaign stops with `end_of_data`; nil for a source without end (the synthetic market).
    var dataEndNs: Int64? { get }
    /// Counts a recorded source keeps for the stats; nil for the synthetic market.
    var counters: MarketSourceCounters? { get }
    /// A live feed: `nextTimeNs` is nil while nothing has arrived, not at the end; books come when they come.
    var isLive: Bool { get }
    /// The live feeds' health (the data tier refuses entries on a venue that is down); nil for other sources.
    var venueHealth: VenueHealthBoard? { get }
    /// Waits until an event may be pending or `timeoutNs` passed (a live feed wakes on arrival; others sleep).
    func waitForEvent(timeoutNs: Int64) async
    /// Adds routes joining the universe of a running campaign (`universe.refresh_seconds`), whose indexes follow
    /// the source's last route: their books come from `nowNs` on. Throws when the source cannot add them.
    mutating func addRoutes(_ members: [UniverseMember], nowNs: Int64) throws(ConfigError)
}

extension ScheduledMarketSource {
    public var upcomingMarket: Int? { nil }
    public var dataEndNs: Int64? { nil }
    public var counters: MarketSourceCounters? { nil }
    public var isLive: Bool { false }
    public var venueHealth: VenueHealthBoard? { nil }
    public mutating func addRoutes(_ members: [UniverseMember], nowNs: Int64) throws(ConfigError) {
        throw ConfigError(field: "universe.refresh_seconds", "this market source cannot add routes while it runs")
    }

    public func waitForEvent(timeoutNs: Int64) async {
        try? await Task.sleep(for: .nanoseconds(Swift.max(0, timeoutNs)))
    }
}

/// Builds a campaign's market-data source from its config; the executable picks the concrete factory, the
/// config picks among its sources at run time.
public protocol MarketSourceFactory: Sendable {
    func makeSource(members: [UniverseMember], config: CampaignConfig, startNs: Int64) throws(ConfigError) -> any ScheduledMarketSource
    /// The source of a checkpoint, continuing after its last event.
    func restoreSource(members: [UniverseMember], config: CampaignConfig, startNs: Int64,
                       state: [UInt8]) throws -> any ScheduledMarketSource
    /// The part of `listing` the source has books for (replay: the routes with both books in the files); the
    /// universe is resolved from it.
    func availableListing(_ listing: [ListingEntry], config: CampaignConfig) throws(ConfigError) -> [ListingEntry]
    /// Fetches what building a campaign of `config` needs from outside (the live listing); called before the
    /// campaign is built, whose constructor does no I/O.
    func prepare(config: CampaignConfig) async throws(ConfigError)
    /// The live listing (`universe.source: live`), as `prepare` fetched it.
    func liveListing(config: CampaignConfig) throws(ConfigError) -> [ListingEntry]
    /// The listing of the synthetic market (`universe.source: synthetic`).
    func syntheticListing(config: CampaignConfig) throws(ConfigError) -> [ListingEntry]
    /// The market time the config's recorded data covers: its first book and its end (a sweep's walk-forward
    /// windows are cut from it).
    func recordedSpan(config: CampaignConfig) throws(ConfigError) -> (firstNs: Int64, endNs: Int64)
}

extension MarketSourceFactory {
    public func prepare(config: CampaignConfig) async throws(ConfigError) {}

    public func liveListing(config: CampaignConfig) throws(ConfigError) -> [ListingEntry] {
        throw ConfigError(field: "universe.source", "the live listing is not available here")
    }

    public func syntheticListing(config: CampaignConfig) throws(ConfigError) -> [ListingEntry] {
        throw ConfigError(field: "universe.source", "the synthetic listing is not available here")
    }

    public func availableListing(_ listing: [ListingEntry], config: CampaignConfig) throws(ConfigError) -> [ListingEntry] {
        listing
    }

    public func recordedSpan(config: CampaignConfig) throws(ConfigError) -> (firstNs: Int64, endNs: Int64) {
        throw ConfigError(field: "market_data.source", "no recorded data here")
    }
}
