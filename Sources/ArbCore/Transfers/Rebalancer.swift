/// `rebalance`: when and how inventory moves back toward a target share per venue (docs/transfers.md).
public struct RebalanceConfig: Sendable, Equatable {
    public enum Policy: String, Sendable { case off, band }
    public var policy: Policy = .off
    public var bandLow = 0.25
    public var bandHigh = 0.75
    public var target = 0.5
    /// A side holding less than this many orders is refilled.
    public var lowOrders = 2.0
    public var maxFeePct = 0.001
    public var maxInTransitPct = 0.3
    public var checkSeconds = 60.0

    public init() {}
}

/// The rebalancer (`rebalance.policy: band`) as a pure decision: given the accounts, the transfers in flight,
/// the routes' venue pairs per asset and prices, which transfers to make now. For each asset and each pair of
/// venues its routes trade it on, the richer venue's share (what is in transit between the two counted on the
/// receiving side) is held within the band: past it, or with a side under `low_orders` orders, it sends the poorer
/// one enough to reach the target, by the cheapest open network, at least the network's minimum and large enough
/// that the fee stays under `max_fee_pct` of the amount; at most one transfer per asset and direction in flight,
/// and never past `max_in_transit_pct` of the capital in transit. Coins and USDT move; KRW never does.
public struct Rebalancer: Sendable {
    public var config: RebalanceConfig
    public var rules: TransferRules
    public var orderNotionalUSD: Double
    public var totalCapitalUSD: Double

    public init(config: RebalanceConfig, rules: TransferRules, orderNotionalUSD: Double, totalCapitalUSD: Double) {
        self.config = config
        self.rules = rules
        self.orderNotionalUSD = orderNotionalUSD
        self.totalCapitalUSD = totalCapitalUSD
    }

    /// What to send now (`pairs`: each asset's venue pairs, in route order), and the refusals met on the way.
    public func plan(_ paper: PaperExchange, pairs: [(asset: String, venues: PerLeg<Venue>)], priceUSD: (String) -> Double,
                     nowNs: Int64) -> (requests: [TransferRequest], refusals: [TransferRefusal]) {
        guard config.policy == .band else { return ([], []) }
        var requests: [TransferRequest] = [], refusals: [TransferRefusal] = []
        let book = paper.transferBook
        var inTransitUSD = book.inFlight.reduce(0) { $0 + $1.valueUSD }
        var seen = Set<String>()
        for (asset, venues) in pairs where asset != "KRW" {
            let (a, b) = (Swift.min(venues.a, venues.b), Swift.max(venues.a, venues.b))
            guard seen.insert("\(asset)/\(a)/\(b)").inserted else { continue }
            let price = priceUSD(asset)
            guard price > 0 else { continue }
            // Balances with what is on its way to each side.
            let toA = book.inFlight.filter { $0.asset == asset && $0.to == a && $0.from == b }.reduce(0.0) { $0 + $1.amount.double }
            let toB = book.inFlight.filter { $0.asset == asset && $0.to == b && $0.from == a }.reduce(0.0) { $0 + $1.amount.double }
            let heldA = paper.balance(a, asset).double + toA, heldB = paper.balance(b, asset).double + toB
            let total = heldA + heldB
            guard total > 0 else { continue }
            let low = config.lowOrders * orderNotionalUSD / price
            let shareA = heldA / total
            let outOfBand = shareA < config.bandLow || shareA > config.bandHigh
            let (rich, poor, poorHeld) = heldA >= heldB ? (a, b, heldB) : (b, a, heldA)
            guard outOfBand || (poorHeld < low && total >= 2 * low) else { continue }
            // One transfer per asset and direction in flight.
            if book.isInFlight(asset: asset, from: rich, to: poor) { continue }
            let wanted = config.target * total - poorHeld
            guard let request = sized(asset: asset, from: rich, to: poor, wanted: wanted, available: paper.balance(rich, asset),
                                      price: price, nowNs: nowNs, refusals: &refusals) else { continue }
            let value = request.amount.double * price
            if inTransitUSD + value > config.maxInTransitPct * totalCapitalUSD {
                refusals.append(TransferRefusal(.limited, "\(asset) \(rich) to \(poor): \(Int(inTransitUSD + value)) USD in transit would pass max_in_transit_pct"))
                continue
            }
            inTransitUSD += value
            requests.append(request)
        }
        return (requests, refusals)
    }

    /// The request for `wanted` of `asset` from `from` to `to` on the cheapest open network: at least its minimum
    /// and `fee / max_fee_pct`, at most what `from` holds beside the fee; nil (with why, when the rules say no).
    private func sized(asset: String, from: Venue, to: Venue, wanted: Double, available: Fixed, price: Double, nowNs: Int64,
                       refusals: inout [TransferRefusal]) -> TransferRequest? {
        let network: TransferNetwork
        switch rules.network(for: asset, from: from, to: to, priceUSD: price, at: nowNs) {
        case .success(let n): network = n
        case .failure(let refusal):
            refusals.append(refusal)
            return nil
        }
        let fee = network.fees[from]
        let floor = Swift.max(network.minimum.double, fee.double / config.maxFeePct)
        let most = (available - fee).double
        let amount = Swift.min(Swift.max(wanted, floor), most)
        guard amount >= floor, amount > 0 else {
            refusals.append(TransferRefusal(.limited, "\(asset) \(from) to \(to): \(Fixed(Swift.max(0, most), rounding: .down)) available, the fee needs at least \(Fixed(floor, rounding: .up))"))
            return nil
        }
        return TransferRequest(asset: asset, from: from, to: to, amount: network.truncate(Fixed(amount, rounding: .down)),
                               network: network.name, purpose: .rebalance, priceUSD: price)
    }
}
