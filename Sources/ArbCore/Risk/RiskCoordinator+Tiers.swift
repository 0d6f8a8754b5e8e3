extension RiskCoordinator {
    /// The outcome of the tiers for an entry, before it is logged.
    enum Judgement {
        case allowed(quantity: Fixed, reservedUSD: Fixed)
        case rejected(Rejection)
    }

    /// Runs an entry through every tier in order, shrinking the quantity to each limit's room, and reserves the
    /// allowance. A limit whose room leaves less than a valid order rejects with its reason.
    static func judge(_ r: EntryRequest, venues: PerLeg<Venue>, _ s: inout RiskState) -> Judgement {
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
        let route = s.routes[r.route]
        if !clamp(L.symbolCapUSD - route.allocationUSD.double) {
            return .rejected(Rejection(reason: .symbolAllocation, value: route.allocationUSD.double, limit: L.symbolCapUSD))
        }
        if !clamp(L.totalCapitalUSD - s.totalAllocatedUSD.double) {
            return .rejected(Rejection(reason: .totalCapital, value: s.totalAllocatedUSD.double, limit: L.totalCapitalUSD))
        }
        // Symbol
        if route.openPairs >= L.maxPositionCount {
            return .rejected(Rejection(reason: .maxPositionCount, value: Double(route.openPairs), limit: Double(L.maxPositionCount)))
        }
        if r.timeNs < route.cooldownUntilNs {
            return .rejected(Rejection(reason: .cooldown, value: Double(route.cooldownUntilNs - r.timeNs) / 1e9))
        }
        if r.timeNs < route.breakerUntilNs {
            return .rejected(Rejection(reason: .circuitBreaker, value: Double(route.breakerUntilNs - r.timeNs) / 1e9))
        }
        if !clamp(L.maxPositionSizeUSD - route.allocationUSD.double) {
            return .rejected(Rejection(reason: .maxPositionSize, value: route.allocationUSD.double, limit: L.maxPositionSizeUSD))
        }
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
        reserve(reserved, route: r.route, venues: venues, timeNs: r.timeNs, &s)
        return .allowed(quantity: qty, reservedUSD: reserved)
    }

    /// Books an allowed entry's notional against every limit it was judged by, and its orders on both venues.
    private static func reserve(_ usd: Fixed, route: Int, venues: PerLeg<Venue>, timeNs: Int64, _ s: inout RiskState) {
        s.totalExposureUSD += usd
        for venue in venues.values { s.venueExposureUSD[venue] += usd }
        s.routes[route].allocationUSD += usd
        s.routes[route].openPairs += 1
        s.totalAllocatedUSD += usd
        s.peakAllocatedUSD = Swift.max(s.peakAllocatedUSD, s.totalAllocatedUSD)
        for venue in venues.values { s.orderWindows[venue].add(timeNs) }
    }

    /// The data tier: crossed books, stale legs, stale fx, fx outside its band.
    static func dataTier(_ d: DataCheck, venues: PerLeg<Venue>, _ s: RiskState) -> Rejection? {
        let L = s.limits
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

    static func release(_ s: inout RiskState, route: Int, venues: PerLeg<Venue>, usd: Fixed, closePair: Bool) {
        s.totalExposureUSD -= usd
        for venue in venues.values { s.venueExposureUSD[venue] -= usd }
        s.routes[route].allocationUSD -= usd
        s.totalAllocatedUSD -= usd
        if closePair { s.routes[route].openPairs -= 1 }
    }

    static func rollDay(_ s: inout RiskState, _ now: Int64) {
        let day = now.floorDiv(86_400_000_000_000)
        if day != s.dayIndex {
            s.dayIndex = day
            s.realizedTodayUSD = .zero
        }
    }
}
