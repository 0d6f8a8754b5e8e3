#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A window in which a venue's wallet for an asset (or all of them) takes no withdrawals, no deposits, or neither.
/// While withdrawals are suspended no transfer leaves; a transfer on its way to a suspended deposit wallet is
/// credited when the suspension ends.
public struct WalletSuspension: Sendable, Codable, Equatable {
    public enum Direction: String, Sendable, Codable, CaseIterable {
        case withdraw, deposit, both

        func covers(_ other: Direction) -> Bool { self == .both || self == other }
    }

    public var venue: Venue
    /// nil: every asset (a venue-wide halt).
    public var asset: String?
    /// nil: every network of the asset.
    public var network: String?
    public var direction: Direction
    public var fromNs: Int64
    public var untilNs: Int64
    /// `scheduled` (config), `maintenance` (the seeded process) or `incident` (a venue-wide halt).
    public var cause: String

    public init(venue: Venue, asset: String?, network: String?, direction: Direction, fromNs: Int64, untilNs: Int64,
                cause: String) {
        self.venue = venue
        self.asset = asset
        self.network = network
        self.direction = direction
        self.fromNs = fromNs
        self.untilNs = untilNs
        self.cause = cause
    }

    /// Whether it stops `direction` of `asset` on `network` at `venue` at `timeNs`.
    public func covers(venue: Venue, asset: String, network: String, direction: Direction, at timeNs: Int64) -> Bool {
        self.venue == venue && (self.asset == nil || self.asset == asset) && (self.network == nil || self.network == network)
            && self.direction.covers(direction) && timeNs >= fromNs && timeNs < untilNs
    }

    public var description: String {
        let subject = asset.map { a in network.map { "\(a) (\($0))" } ?? a } ?? "every asset"
        let moves = direction == .both ? "deposits and withdrawals" : direction == .withdraw ? "withdrawals" : "deposits"
        return "\(venue) \(moves) of \(subject) suspended (\(cause)) from \(UTCTime.format(fromNs)) until \(UTCTime.format(untilNs))"
    }
}

/// Wallet suspensions drawn from a seeded process, per (venue, asset, network, direction): working for an
/// exponential time (mean `meanUpDays`), then suspended for a lognormal time (median and p95 in hours), and so
/// on from the campaign's start; and on KRW venues a venue-wide incident about `incidentsPerYear`, lasting 2 to
/// 14 days. A pure function of the seed and the key: the same campaign sees the same suspensions, resumed or not.
public struct SuspensionProcess: Sendable, Equatable {
    public var seed: UInt64
    public var startNs: Int64
    public var meanUpDays: Double
    public var downMedianHours: Double
    public var downP95Hours: Double
    public var incidentsPerYear: Double

    public init(seed: UInt64, startNs: Int64, meanUpDays: Double = 45, downMedianHours: Double = 3,
                downP95Hours: Double = 48, incidentsPerYear: Double = 1) {
        self.seed = seed
        self.startNs = startNs
        self.meanUpDays = meanUpDays
        self.downMedianHours = downMedianHours
        self.downP95Hours = Swift.max(downP95Hours, downMedianHours)
        self.incidentsPerYear = incidentsPerYear
    }

    static let dayNs = 86_400e9

    /// The suspension in force at `timeNs` for the key, if any (a venue-wide incident first).
    public func suspension(venue: Venue, asset: String, network: String, direction: WalletSuspension.Direction,
                           at timeNs: Int64) -> WalletSuspension? {
        if venue.isKRW, incidentsPerYear > 0,
           let w = window(key: "incident/\(venue.rawValue)", at: timeNs, meanUpNs: 365 * Self.dayNs / incidentsPerYear,
                          down: { rng in (2 + 12 * rng.unit()) * Self.dayNs }) {
            return WalletSuspension(venue: venue, asset: nil, network: nil, direction: .both, fromNs: w.0, untilNs: w.1,
                                    cause: "incident")
        }
        guard meanUpDays > 0, direction != .both else { return nil }
        let median = downMedianHours * 3_600e9, sigma = log(downP95Hours / downMedianHours) / 1.645
        let key = "\(venue.rawValue)/\(asset)/\(network)/\(direction.rawValue)"
        guard let w = window(key: key, at: timeNs, meanUpNs: meanUpDays * Self.dayNs,
                             down: { rng in median * exp(sigma * rng.gaussian()) }) else { return nil }
        return WalletSuspension(venue: venue, asset: asset, network: network, direction: direction, fromNs: w.0,
                                untilNs: w.1, cause: "maintenance")
    }

    /// Walks the key's alternating up and down times from the start to `timeNs`; the down window holding it, if any.
    private func window(key: String, at timeNs: Int64, meanUpNs: Double,
                        down: (inout Xoshiro256) -> Double) -> (Int64, Int64)? {
        guard timeNs >= startNs else { return nil }
        var rng = Xoshiro256(seed: seed ^ Self.hash(key))
        var t = Double(startNs)
        let target = Double(timeNs)
        // Far more windows than any campaign's span holds; a bound against degenerate settings.
        for _ in 0..<100_000 {
            t += -log(1 - rng.unit()) * meanUpNs
            if t > target { return nil }
            let end = t + Swift.max(down(&rng), 60e9)
            if target < end { return (Int64(t), Int64(end)) }
            t = end
        }
        return nil
    }

    /// FNV-1a of the key: stable across runs and platforms (Swift's `Hasher` is seeded per process).
    static func hash(_ key: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01B3
        }
        return h
    }
}
