extension RiskCoordinator {
    /// The outcome of the tiers for an entry, before it is logged.
    enum Judgement {
        case allowed(quantity: Fixed, reservedUSD: Fixed)
        case rejected(Rejection)
    }

    /// Runs an entry through every tier in order, shrinking the quantity to each limit's room, and reserves the
    /// allowance. A limit whose room leaves less than a valid order rejects with its reason.
    static func judge(_ r: EntryRequest, venues: PerLeg<Venue>, symbol: Int, _ s: inout RiskState) -> Judgement {
        let L = s.limits
        var qty = r.quantity
        let usdPerUnit = r.priceB / r.fxB

        /// USD a quantity commits: rounded up, so the sum of commitments never exceeds a limit it was checked against.
        func cost(_ q: Fixed) -> Fixed { Fixed(q.double * usdPerUnit, rounding: .up) }
        /// Shrinks `qty` until it costs no more than `roomUSD`; false when the result is no longer a valid order.
        func clamp(_ roomUSD: Double) -> Bool {
            guard roomUSD > 0 else { return false }
            let room = Fixed(roomUSD, rounding: .down)
            var most = Fixed(roomUSD / usdPerUnit, rounding: .down).rounded(toMultipleOf: r.step, .down)
            while most.isPositive && cost(most) > room { most -= r.step }
            if most < qty { qty = most }
            return r.fitsMinimums(qty)
        }

        // Global
        if s.emergencyStopped { return .rejected(Rejection(reason: .emergencyStop, limit: L.emergencyStopLossUSD)) }
        rollDay(&s, r.timeNs)
        let today = r.timeNs.floorDiv(86_400_000_000_000)
        if s.dailyHaltDay == today { return .rejected(Rejection(reason: .maxDailyLoss, limit: L.maxDailyLossUSD)) }
        let dailyLoss = Swift.max(0, -(s.realizedTodayUSD.double + s.unrealizedUSD))
        if dailyLoss >= L.maxDailyLossUSD {
            s.dailyHaltDay = today
            return .rejected(Rejection(reason: .maxDailyLoss, value: dailyLoss, limit: L.maxDailyLossUSD))
        }
        if !clamp(L.maxTotalExposureUSD - s.totalExposureUSD.double) {
            return .rejected(Rejection(reason: .maxTotalExposure, value: s.totalExposureUSD.double, limit: L.maxTotalExposureUSD))
        }
        // Portfolio
        let route = s.routes[r.route], asset = s.symbols[symbol]
        if !clamp(L.symbolCapUSD - asset.allocationUSD.double) {
            return .rejected(Rejection(reason: .symbolAllocation, value: asset.allocationUSD.double, limit: L.symbolCapUSD))
        }
        if !clamp(L.totalCapitalUSD - s.totalAllocatedUSD.double) {
            return .rejected(Rejection(reason: .totalCapital, value: s.totalAllocatedUSD.double, limit: L.totalCapitalUSD))
        }
        // Symbol: the asset across its routes (a route holds one pair at a time, so the count stays the route's).
        if route.openPairs >= L.maxPositionCount {
            return .rejected(Rejection(reason: .maxPositionCount, value: Double(route.openPairs), limit: Double(L.maxPositionCount)))
        }
        if r.timeNs < asset.cooldownUntilNs {
            return .rejected(Rejection(reason: .cooldown, value: Double(asset.cooldownUntilNs - r.timeNs) / 1e9))
        }
        if r.timeNs < asset.breakerUntilNs {
            return .rejected(Rejection(reason: .circuitBreaker, value: Double(asset.breakerUntilNs - r.timeNs) / 1e9))
        }
        if !clamp(L.maxPositionSizeUSD - asset.allocationUSD.double) {
            return .rejected(Rejection(reason: .maxPositionSize, value: asset.allocationUSD.double, limit: L.maxPositionSizeUSD))
        }
        if let rejected = routeTier(route, L.route, timeNs: r.timeNs, clamp: clamp) { return .rejected(rejected) }
        // Data
        if let rejected = dataTier(r.data, venues: venues, s) { return .rejected(rejected) }
        // Exchange
        for venue in venues.values {
            let limit = L.exchange(venue)
            if !clamp(limit.maxExposureUSD - s.venueExposureUSD[venue].double) {
                return .rejected(Rejection(reason: .maxExposure, value: s.venueExposureUSD[venue].double,
                                           limit: limit.maxExposureUSD, venue: venue))
            }
            if s.orderWindows[venue].count(at: r.timeNs) + 1 > limit.maxOrdersPerSecond {
                return .rejected(Rejection(reason: .maxOrdersPerSecond, limit: Double(limit.maxOrdersPerSecond), venue: venue))
            }
        }
        if r.balanceRoom < qty {
            qty = r.balanceRoom.rounded(toMultipleOf: r.step, .down)
            if !r.fitsMinimums(qty) { return .rejected(Rejection(reason: .inventoryExhausted, value: r.balanceRoom.double)) }
        }
        let reserved = cost(qty)
        reserve(reserved, route: r.route, symbol: symbol, venues: venues, timeNs: r.timeNs, &s)
        return .allowed(quantity: qty, reservedUSD: reserved)
    }

    /// Books an allowed entry's notional against every limit it was judged by, and its orders on both venues.
    private static func reserve(_ usd: Fixed, route: Int, symbol: Int, venues: PerLeg<Venue>, timeNs: Int64,
                                _ s: inout RiskState) {
        s.totalExposureUSD += usd
        for venue in venues.values { s.venueExposureUSD[venue] += usd }
        s.routes[route].allocationUSD += usd
        s.routes[route].openPairs += 1
        s.symbols[symbol].allocationUSD += usd
        s.symbols[symbol].openPairs += 1
        s.totalAllocatedUSD += usd
        s.peakAllocatedUSD = Swift.max(s.peakAllocatedUSD, s.totalAllocatedUSD)
        for venue in venues.values { s.orderWindows[venue].add(timeNs) }
    }

    /// The route tier: the route's own cooldown, breaker and position size (`clamp` shrinks the quantity to a room).
    static func routeTier(_ route: RouteRiskState, _ limits: RouteLimits, timeNs: Int64, clamp: (Double) -> Bool) -> Rejection? {
        if timeNs < route.cooldownUntilNs {
            return Rejection(reason: .routeCooldown, value: Double(route.cooldownUntilNs - timeNs) / 1e9)
        }
        if timeNs < route.breakerUntilNs {
            return Rejection(reason: .routeCircuitBreaker, value: Double(route.breakerUntilNs - timeNs) / 1e9)
        }
        if let most = limits.maxPositionSizeUSD, !clamp(most - route.allocationUSD.double) {
            return Rejection(reason: .routePositionSize, value: route.allocationUSD.double, limit: most)
        }
        return nil
    }

    /// The data tier: a venue feed down (entries), crossed books, stale legs, stale fx, fx outside its band.
    static func dataTier(_ d: DataCheck, venues: PerLeg<Venue>, _ s: RiskState) -> Rejection? {
        let L = s.limits
        if let down = d.venueDown { return Rejection(reason: .venueDown, venue: down.venue, note: down.reason) }
        if d.crossedA || d.crossedB { return Rejection(reason: .crossedBook, venue: d.crossedA ? venues.a : venues.b) }
        if d.ageAMs > L.maxDataAgeMs {
            return Rejection(reason: .staleLeg, value: d.ageAMs, limit: L.maxDataAgeMs, venue: venues.a)
        }
        if d.ageBMs > L.maxDataAgeMs {
            return Rejection(reason: .staleLeg, value: d.ageBMs, limit: L.maxDataAgeMs, venue: venues.b)
        }
        if let fxAge = d.fxAgeMs, fxAge > L.maxDataAgeMs {
            return Rejection(reason: .staleFx, value: fxAge, limit: L.maxDataAgeMs)
        }
        if let rate = d.fxRate, let fxVenue = d.fxVenue, let median = s.fx[fxVenue].median, median > 0,
           abs(rate - median) / median > L.fxBandPct {
            return Rejection(reason: .fxBand, value: rate, limit: median)
        }
        return nil
    }

    static func release(_ s: inout RiskState, route: Int, symbol: Int, venues: PerLeg<Venue>, usd: Fixed, closePair: Bool) {
        s.totalExposureUSD -= usd
        for venue in venues.values { s.venueExposureUSD[venue] -= usd }
        s.routes[route].allocationUSD -= usd
        s.symbols[symbol].allocationUSD -= usd
        s.totalAllocatedUSD -= usd
        if closePair {
            s.routes[route].openPairs -= 1
            s.symbols[symbol].openPairs -= 1
        }
    }

    static func rollDay(_ s: inout RiskState, _ now: Int64) {
        let day = now.floorDiv(86_400_000_000_000)
        if day != s.dayIndex {
            s.dayIndex = day
            s.realizedTodayUSD = .zero
        }
    }
}
