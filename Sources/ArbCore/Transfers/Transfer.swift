/// One movement of an asset between two venues' paper accounts. At request the source pays `amount + fee` and
/// the amount goes in transit; the network delivers it at `arrivesNs`, and the destination is credited then, or
/// when its deposits resume if they are suspended. A failed transfer is returned to the source a day later (the
/// fee is not refunded). Everything random about it is drawn at request, so its path is fixed once it exists.
public struct Transfer: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Sent; the amount is in transit.
        case inTransit = "in_transit"
        case credited
        /// The network gave up; the amount is on its way back to the source.
        case failed
        /// Back on the source venue.
        case returned

        /// Whether the amount is still in transit (not yet on any venue).
        public var isOpen: Bool { self == .inTransit || self == .failed }
    }

    /// Why the transfer was made.
    public enum Purpose: String, Sendable, Codable, CaseIterable {
        /// The rebalancer moving inventory back toward its target.
        case rebalance
        /// Closing a pair by transfer (`strategy.exit_by_transfer`).
        case exit
        /// An operator's `POST /campaigns/{id}/transfers`.
        case manual
    }

    /// `X0000001`, in request order (deterministic in simulated time).
    public var id: String
    public var asset: String
    public var network: String
    public var from: Venue
    public var to: Venue
    /// What arrives: the source paid this plus `fee`.
    public var amount: Fixed
    public var fee: Fixed
    public var purpose: Purpose
    /// The trade a closing transfer belongs to.
    public var tradeId: String?
    /// The amount's USD value at request (marks capital in transit).
    public var valueUSD: Double
    /// The fee's USD value at request.
    public var feeUSD: Double
    public var requestedNs: Int64
    /// When the network delivers (or gives up, for a failing transfer).
    public var arrivesNs: Int64
    /// When the destination (or, returned, the source) was credited.
    public var settledNs: Int64?
    /// Held for a manual review (hours added to its time).
    public var review: Bool
    /// Drawn to fail: at `arrivesNs` it turns `failed` and comes back a day later.
    public var fails: Bool
    public var state: State
    /// When its next state change is due (a deposit suspension may push it past `arrivesNs`).
    public var dueNs: Int64

    /// Time from request to credit, once settled.
    public var transitSeconds: Double? { settledNs.map { Double($0 - requestedNs) / 1e9 } }
}

/// Why a transfer was not made. `code` is the rejection reason reported in stats and over HTTP.
public struct TransferRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable, CaseIterable {
        /// The source lacks the amount plus fee.
        case inventoryExhausted = "inventory_exhausted"
        /// A wallet on the way is suspended (withdrawals at the source or deposits at the destination).
        case walletSuspended = "wallet_suspended"
        /// The venues may not send to each other (the allowlist, KRW, one venue to itself).
        case routeBlocked = "route_blocked"
        /// The amount is under the network's minimum, or has no network the rules accept.
        case invalid = "invalid_transfer"
        /// The rebalancer's own limits: one transfer per asset and direction in flight, the cap on capital in transit.
        case limited = "transfer_limited"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
