/// Stats `transfers`: how many moved, what they cost, how long they took, and the capital they held in transit,
/// computed from the transfers themselves (deterministic in simulated time).
public struct TransferStats: Codable, Sendable, Equatable {
    public var count: Int
    /// Transfers per state (`in_transit`, `credited`, `failed`, `returned`), every state present.
    public var byState: [String: Int]
    /// Transfers per purpose (`rebalance`, `exit`, `manual`), every purpose present.
    public var byPurpose: [String: Int]
    /// Withdrawal fees, valued at each transfer's request.
    public var feesUSD: Double
    public var perAsset: [String: Asset]
    public var capitalInTransit: CapitalInTransit
    /// Closes by transfer refused, by reason (`inventory_exhausted`, `wallet_suspended`, `route_blocked`,
    /// `invalid_transfer`, `transfer_limited`), every reason present.
    public var rejections: [String: Int]

    enum CodingKeys: String, CodingKey {
        case count, byState = "by_state", byPurpose = "by_purpose", feesUSD = "fees_usd", perAsset = "per_asset"
        case capitalInTransit = "capital_in_transit", rejections
    }

    /// One asset's transfers.
    public struct Asset: Codable, Sendable, Equatable {
        public var count: Int
        /// Amounts sent and fees paid, exact decimals in the asset.
        public var amount: String
        public var fees: String
        public var feesUSD: Double
        /// Request to credit, over the transfers credited so far; nil before the first.
        public var transitP50Seconds: Double?
        public var transitP95Seconds: Double?

        enum CodingKeys: String, CodingKey {
            case count, amount, fees, feesUSD = "fees_usd", transitP50Seconds = "transit_p50_seconds"
            case transitP95Seconds = "transit_p95_seconds"
        }
    }

    /// USD value (at request) of what was in transit: now, at most, and on average over the campaign so far.
    public struct CapitalInTransit: Codable, Sendable, Equatable {
        public var nowUSD: Double
        public var maxUSD: Double
        public var timeWeightedUSD: Double

        enum CodingKeys: String, CodingKey { case nowUSD = "now_usd", maxUSD = "max_usd", timeWeightedUSD = "time_weighted_usd" }
    }

    /// The stats of `transfers` over a campaign from `startNs` to `nowNs`.
    public init(_ transfers: [Transfer], rejections: [String: Int] = [:], startNs: Int64, nowNs: Int64) {
        self.rejections = Dictionary(uniqueKeysWithValues: TransferRefusal.Code.allCases.map { ($0.rawValue, rejections[$0.rawValue] ?? 0) })
        count = transfers.count
        byState = Dictionary(uniqueKeysWithValues: Transfer.State.allCases.map { state in
            (state.rawValue, transfers.count { $0.state == state })
        })
        byPurpose = Dictionary(uniqueKeysWithValues: Transfer.Purpose.allCases.map { purpose in
            (purpose.rawValue, transfers.count { $0.purpose == purpose })
        })
        feesUSD = transfers.reduce(0) { $0 + $1.feeUSD }
        var assets: [String: Asset] = [:]
        for (asset, group) in Dictionary(grouping: transfers, by: \.asset) {
            let times = group.filter { $0.state == .credited }.compactMap(\.transitSeconds).sorted()
            assets[asset] = Asset(
                count: group.count, amount: group.reduce(Fixed.zero) { $0 + $1.amount }.description,
                fees: group.reduce(Fixed.zero) { $0 + $1.fee }.description, feesUSD: group.reduce(0) { $0 + $1.feeUSD },
                transitP50Seconds: Self.percentile(times, 0.5), transitP95Seconds: Self.percentile(times, 0.95))
        }
        perAsset = assets
        capitalInTransit = Self.capital(transfers, startNs: startNs, nowNs: nowNs)
    }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }

    /// A sweep over every transfer's time in transit (request to settlement, or to now while open).
    static func capital(_ transfers: [Transfer], startNs: Int64, nowNs: Int64) -> CapitalInTransit {
        var steps: [(Int64, Double)] = []
        for t in transfers {
            steps.append((t.requestedNs, t.valueUSD))
            if let settled = t.settledNs { steps.append((settled, -t.valueUSD)) }
        }
        steps.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var level = 0.0, peak = 0.0, area = 0.0, last = startNs
        for (time, delta) in steps {
            let t = Swift.max(time, startNs)
            area += level * Double(t - last)
            last = t
            level += delta
            peak = Swift.max(peak, level)
        }
        area += level * Double(Swift.max(0, nowNs - last))
        let span = Double(Swift.max(1, nowNs - startNs))
        return CapitalInTransit(nowUSD: Swift.max(0, level), maxUSD: peak, timeWeightedUSD: area / span)
    }
}
