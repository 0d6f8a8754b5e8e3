/// Where a market lives in a campaign's snapshot store.
///
/// Route `i` has its Upbit book at `2i` and its Binance book at `2i + 1`; the `KRW-USDT` book (fx) follows
/// the routes at `2n`.
public struct MarketLayout: Sendable, Hashable {
    public let routeCount: Int

    public init(routeCount: Int) { self.routeCount = routeCount }

    /// Markets in the store, the fx book included.
    public var marketCount: Int { routeCount * 2 + 1 }
    public var fxMarket: Int { routeCount * 2 }

    @inlinable public func market(route: Int, venue: Venue) -> Int { route * 2 + (venue == .upbit ? 0 : 1) }

    /// The route and venue of a book market; nil for the fx market.
    @inlinable public func route(ofMarket market: Int) -> (route: Int, venue: Venue)? {
        guard market < routeCount * 2 else { return nil }
        return (market / 2, market % 2 == 0 ? .upbit : .binance)
    }
}
