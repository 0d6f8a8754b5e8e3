/// Where a market lives in a campaign's snapshot store.
///
/// The `KRW-USDT` book (fx) is market 0; route `i` has its leg A book at `1 + 2i` and its leg B book at
/// `2 + 2i`. Indexes do not depend on how many routes there are, so routes joining a running campaign
/// (`universe.refresh_seconds`) take the next slots without moving anything.
public struct MarketLayout: Sendable, Hashable {
    public let routeCount: Int

    public init(routeCount: Int) { self.routeCount = routeCount }

    public static let fxMarket = 0

    /// Markets in the store, the fx book included.
    public var marketCount: Int { Self.marketCount(routes: routeCount) }
    public var fxMarket: Int { Self.fxMarket }

    /// Markets a store needs for `routes` routes, the fx book included.
    public static func marketCount(routes: Int) -> Int { routes * 2 + 1 }

    @inlinable public func market(route: Int, leg: Leg) -> Int { Self.market(route: route, leg: leg) }

    @inlinable public static func market(route: Int, leg: Leg) -> Int { 1 + route * 2 + leg.rawValue }

    /// The route of a book market (not the fx market).
    @inlinable public static func route(ofBookMarket market: Int) -> Int { (market - 1) >> 1 }

    /// The route and leg of a book market; nil for the fx market.
    @inlinable public func route(ofMarket market: Int) -> (route: Int, leg: Leg)? {
        guard market > 0 else { return nil }
        return ((market - 1) >> 1, market & 1 == 1 ? .a : .b)
    }
}
