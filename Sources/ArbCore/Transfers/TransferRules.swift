#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// What may move where, on which network, and how long it takes (`transfers` in the config): the networks per
/// asset, the allowlist of (from, to) venues, wallet suspensions from a schedule and a seeded process, and the
/// odds of a manual review, a travel-rule check and a failure. KRW never moves between venues.
public struct TransferRules: Sendable, Equatable {
    /// Networks per asset, the cheapest first: the embedded table with the config's overrides.
    public var networks: [String: [TransferNetwork]]
    /// Withdrawals allowed, as (from, to).
    public var allowed: Set<PerLeg<Venue>>
    public var schedule: [WalletSuspension]
    public var process: SuspensionProcess?
    /// The seed of transfer times, reviews and failures.
    public var seed: UInt64
    public var reviewProbability: Double
    public var reviewHours: ClosedRange<Double>
    public var failureProbability: Double
    public var returnHours: Double
    /// Deposits to a KRW venue worth at least `travelRuleThresholdKRW` wait up to this long for the travel-rule check.
    public var travelRuleMinutes: Double
    public var travelRuleThresholdKRW: Double

    public init(networks: [String: [TransferNetwork]] = TransferNetwork.defaults, allowed: Set<PerLeg<Venue>> = Self.defaultAllowed,
                schedule: [WalletSuspension] = [], process: SuspensionProcess? = nil, seed: UInt64 = 1,
                reviewProbability: Double = 0.02, reviewHours: ClosedRange<Double> = 1...6, failureProbability: Double = 0.003,
                returnHours: Double = 24, travelRuleMinutes: Double = 15, travelRuleThresholdKRW: Double = 1_000_000) {
        self.networks = networks
        self.allowed = allowed
        self.schedule = schedule
        self.process = process
        self.seed = seed
        self.reviewProbability = reviewProbability
        self.reviewHours = reviewHours
        self.failureProbability = failureProbability
        self.returnHours = returnHours
        self.travelRuleMinutes = travelRuleMinutes
        self.travelRuleThresholdKRW = travelRuleThresholdKRW
    }

    /// Every pair of venues but Upbit to the foreign venues (Upbit has sent nothing to them since the travel rule
    /// of 2022-03) and Bithumb to OKX (not on Bithumb's list of linked foreign venues).
    public static let defaultAllowed: Set<PerLeg<Venue>> = {
        var pairs = Set<PerLeg<Venue>>()
        for from in Venue.allCases {
            for to in Venue.allCases where to != from {
                let upbitAbroad = from == .upbit && !to.isKRW
                let bithumbToOKX = from == .bithumb && to == .okx
                if !upbitAbroad && !bithumbToOKX { pairs.insert(PerLeg(a: from, b: to)) }
            }
        }
        return pairs
    }()

    /// The networks `asset` moves on, cheapest first; `priceUSD` prices the generic network of an asset the
    /// table does not know.
    public func networks(for asset: String, priceUSD: Double) -> [TransferNetwork] {
        networks[asset] ?? [.generic(asset: asset, priceUSD: priceUSD)]
    }

    /// The network `asset` goes from `from` to `to` on at `timeNs`: the one `named`, or the cheapest one open (the
    /// lowest fee at the sender, then the shortest median time, then the name); why none, when none is open.
    public func network(for asset: String, from: Venue, to: Venue, named: String? = nil, priceUSD: Double,
                        at timeNs: Int64) -> Result<TransferNetwork, TransferRefusal> {
        let all = networks(for: asset, priceUSD: priceUSD)
        var candidates = all.sorted { ($0.fees[from], $0.medianMinutes, $0.name) < ($1.fees[from], $1.medianMinutes, $1.name) }
        if let named {
            candidates = candidates.filter { $0.name == named }
            if candidates.isEmpty {
                return .failure(TransferRefusal(.invalid, "\(asset) does not move on \(named) (its networks: \(all.map(\.name).joined(separator: ", ")))"))
            }
        }
        var firstRefusal: TransferRefusal?
        for network in candidates {
            guard let refusal = self.refusal(asset: asset, from: from, to: to, network: network.name, at: timeNs) else {
                return .success(network)
            }
            firstRefusal = firstRefusal ?? refusal
        }
        return .failure(firstRefusal ?? TransferRefusal(.invalid, "\(asset) has no network"))
    }

    /// The suspension stopping `direction` of `asset` on `network` at `venue` at `timeNs`, if any.
    public func suspension(venue: Venue, asset: String, network: String, direction: WalletSuspension.Direction,
                           at timeNs: Int64) -> WalletSuspension? {
        if let s = schedule.first(where: { $0.covers(venue: venue, asset: asset, network: network, direction: direction, at: timeNs) }) {
            return s
        }
        return process?.suspension(venue: venue, asset: asset, network: network, direction: direction, at: timeNs)
    }

    /// When deposits of `asset` on `network` at `venue` are next open at or after `timeNs`.
    public func depositsOpen(venue: Venue, asset: String, network: String, from timeNs: Int64) -> Int64 {
        var t = timeNs
        // Back-to-back windows (a schedule over a drawn one) are walked one after another.
        for _ in 0..<1_000 {
            guard let s = suspension(venue: venue, asset: asset, network: network, direction: .deposit, at: t) else { return t }
            t = s.untilNs
        }
        return t
    }

    /// Why `asset` cannot go from `from` to `to` on `network` at `timeNs`; nil when it can.
    public func refusal(asset: String, from: Venue, to: Venue, network: String, at timeNs: Int64) -> TransferRefusal? {
        if asset == "KRW" {
            return TransferRefusal(.routeBlocked, "KRW never moves between venues (capital controls); it leaves a KRW venue only as a bought asset, such as USDT on its KRW-USDT market")
        }
        if from == to { return TransferRefusal(.routeBlocked, "\(from) to itself is not a transfer") }
        if !allowed.contains(PerLeg(a: from, b: to)) {
            return TransferRefusal(.routeBlocked, "\(from) does not send to \(to) (transfers.allow)")
        }
        if let s = suspension(venue: from, asset: asset, network: network, direction: .withdraw, at: timeNs) {
            return TransferRefusal(.walletSuspended, s.description)
        }
        if let s = suspension(venue: to, asset: asset, network: network, direction: .deposit, at: timeNs) {
            return TransferRefusal(.walletSuspended, s.description)
        }
        return nil
    }

    /// The path of transfer number `sequence`, drawn from its own stream: the network's lognormal time, a manual
    /// review now and then, the travel-rule check on large deposits to a KRW venue, and a rare failure.
    public func draw(sequence: Int, network: TransferNetwork, to: Venue, valueKRW: Double,
                     requestedNs: Int64) -> (arrivesNs: Int64, review: Bool, fails: Bool) {
        var rng = Xoshiro256(seed: seed &+ UInt64(sequence) &* 0x9E37_79B9_7F4A_7C15)
        var minutes = network.medianMinutes * exp(network.sigma * rng.gaussian())
        let review = rng.unit() < reviewProbability
        let reviewDraw = rng.unit()
        if review { minutes += 60 * (reviewHours.lowerBound + (reviewHours.upperBound - reviewHours.lowerBound) * reviewDraw) }
        let travelDraw = rng.unit()
        if to.isKRW && valueKRW >= travelRuleThresholdKRW { minutes += travelRuleMinutes * travelDraw }
        let fails = rng.unit() < failureProbability
        return (requestedNs + Swift.max(1, Int64(minutes * 60e9)), review, fails)
    }
}
