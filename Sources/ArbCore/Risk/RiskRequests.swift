/// Market-data facts the data tier judges, measured by the route at the time of its proposal.
public struct DataCheck: Sendable, Equatable {
    public var ageAMs: Double
    public var ageBMs: Double
    /// Age of the fx rate; nil for a fixed rate.
    public var fxAgeMs: Double?
    public var crossedA: Bool
    public var crossedB: Bool
    /// The rate the route priced with; nil for a route with no KRW leg.
    public var fxRate: Double?
    /// The KRW venue whose fx that rate is (its band is measured against that venue's history).
    public var fxVenue: Venue?
    /// An entry leg's venue whose live feed is down, and why (exits are judged on their books alone).
    public var venueDown: VenueDown?

    public struct VenueDown: Sendable, Equatable {
        public var venue: Venue
        public var reason: String
    }

    public init(ageAMs: Double, ageBMs: Double, fxAgeMs: Double?, crossedA: Bool, crossedB: Bool, fxRate: Double?,
                fxVenue: Venue? = .upbit) {
        self.ageAMs = ageAMs
        self.ageBMs = ageBMs
        self.fxAgeMs = fxAgeMs
        self.crossedA = crossedA
        self.crossedB = crossedB
        self.fxRate = fxRate
        self.fxVenue = fxRate == nil ? nil : fxVenue
    }
}

/// An entry proposal as the risk coordinator sees it.
public struct EntryRequest: Sendable {
    public var route: Int
    public var direction: Direction
    /// Wanted quantity, already a multiple of `step` (order notional, depth within slippage).
    public var quantity: Fixed
    public var step: Fixed
    /// Each leg's price per unit at size, in its venue's quote currency.
    public var priceA: Double
    public var priceB: Double
    /// What leg B's price is divided by to be in USD (the route's fx on a KRW leg, 1 on a USDT leg): limits are
    /// counted in USD of leg B's notional.
    public var fxB: Double = 1
    public var minNotionalA: Double
    public var minNotionalB: Double
    /// Largest quantity both accounts can take (inventory for the sell leg, cash for the buy leg).
    public var balanceRoom: Fixed
    public var data: DataCheck
    public var netEdgeBps: Double
    public var timeNs: Int64

    public init(route: Int, direction: Direction, quantity: Fixed, step: Fixed, priceA: Double, priceB: Double,
                minNotionalA: Double, minNotionalB: Double, balanceRoom: Fixed, data: DataCheck,
                netEdgeBps: Double, timeNs: Int64) {
        self.route = route
        self.direction = direction
        self.quantity = quantity
        self.step = step
        self.priceA = priceA
        self.priceB = priceB
        self.minNotionalA = minNotionalA
        self.minNotionalB = minNotionalB
        self.balanceRoom = balanceRoom
        self.data = data
        self.netEdgeBps = netEdgeBps
        self.timeNs = timeNs
    }

    /// Whether `q` is a valid order on both venues.
    func fitsMinimums(_ q: Fixed) -> Bool {
        q.isPositive && q.double * priceA >= minNotionalA && q.double * priceB >= minNotionalB
    }
}

/// The coordinator's answer to an entry proposal.
public enum EntryVerdict: Sendable, Equatable {
    /// Go ahead with `quantity`; `reservedUSD` is held against every limit until the pair closes or the entry fails.
    case allowed(quantity: Fixed, reservedUSD: Fixed, decisionId: String)
    case rejected(RiskReason, detail: String)
}

/// The coordinator's answer to an exit proposal.
public enum ExitVerdict: Sendable, Equatable {
    case allowed(decisionId: String)
    case rejected(RiskReason, detail: String)
}
