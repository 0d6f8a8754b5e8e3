import ArbCore
import ArbMarketData

/// A campaign's view of the live feeds: the books of its markets as they arrive, pulled by its feed task.
/// Receive times are moved onto the campaign clock (which, after a resume, runs behind the wall clock by the
/// time the campaign was down).
public struct LiveSource: ScheduledMarketSource {
    let subscription: LiveSubscription
    var names: MarketMap
    /// Wall clock minus campaign clock.
    let offsetNs: Int64
    /// Receive time of the last book emitted.
    var lastNs = Int64.min
    public let venueHealth: VenueHealthBoard?

    // Connections stamp books on their own threads and the queue conflates, so a book can come out behind one
    // stamped a little later: times are kept from going backwards, as a recording and the campaign clock need.
    public var nextTimeNs: Int64? { subscription.queue.headTimeNs.map { Swift.max($0 - offsetNs, lastNs) } }

    public mutating func emit(into store: SnapshotStore) -> Int {
        // Only this source pops, and it is asked to emit only when `nextTimeNs` said a book is pending.
        guard let pending = subscription.queue.pop() else { preconditionFailure("emit without a pending book") }
        lastNs = Swift.max(lastNs, pending.event.timeNs - offsetNs)
        pending.event.write(into: store, market: pending.market, receiveTimeNs: lastNs)
        return pending.market
    }

    /// Nothing to keep: a resumed campaign subscribes again.
    public func checkpointState() throws -> [UInt8] { [] }

    public var isLive: Bool { true }

    public func waitForEvent(timeoutNs: Int64) async { await subscription.queue.wait(timeoutNs: timeoutNs) }

    /// Routes joining the campaign: their symbols are subscribed on the hub's connections (opening more when
    /// the ones there are full).
    public mutating func addRoutes(_ members: [UniverseMember], nowNs: Int64) throws(ConfigError) {
        let added = names.add(members.map(\.route))
        subscription.queue.grow(marketCount: names.count)
        subscription.add(added.map { (names.keys[$0].venue, names.keys[$0].symbol, $0) })
    }
}

/// Makes live sources on the process's hub.
public struct LiveSourceFactory: MarketSourceFactory {
    public let hub: LiveHub
    let listings = ListingCache()

    public init(hub: LiveHub) { self.hub = hub }

    /// Fetches the live listing when the universe comes from it (reusing one fetched within the last minute).
    public func prepare(config: CampaignConfig) async throws(ConfigError) {
        guard config.universe.source == .live else { return }
        do { _ = try await listings.refresh(config.venues, config.marketData.live, rest: hub.rest) } catch {
            throw ConfigError(field: "universe.source", "cannot fetch the live listing: \(error)")
        }
    }

    public func liveListing(config: CampaignConfig) throws(ConfigError) -> [ListingEntry] {
        guard let listing = listings.listing(config.venues, config.marketData.live) else {
            throw ConfigError(field: "universe.source", "the live listing has not been fetched")
        }
        return listing
    }

    public func makeSource(members: [UniverseMember], config: CampaignConfig,
                           startNs: Int64) throws(ConfigError) -> any ScheduledMarketSource {
        let names = MarketMap(config: config, routes: members.map(\.route))
        let queue = BookQueue(marketCount: names.count)
        let subscription = hub.subscribe(names: names, settings: config.marketData.live, queue: queue)
        return LiveSource(subscription: subscription, names: names, offsetNs: MonotonicClock.wallNanoseconds() - startNs,
                          venueHealth: hub.status.health)
    }

    public func restoreSource(members: [UniverseMember], config: CampaignConfig, startNs: Int64,
                              state: [UInt8]) throws -> any ScheduledMarketSource {
        try makeSource(members: members, config: config, startNs: startNs)
    }
}
