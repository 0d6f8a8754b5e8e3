/// What a caller asks to move.
public struct TransferRequest: Sendable, Equatable {
    public var asset: String
    public var from: Venue
    public var to: Venue
    /// What should arrive (cut to the network's precision); the fee is paid on top.
    public var amount: Fixed
    /// A network by name; nil = the cheapest one open.
    public var network: String?
    public var purpose: Transfer.Purpose
    public var tradeId: String?
    /// The asset's USD price now: values the transfer and prices an asset the network table does not know.
    public var priceUSD: Double
    /// KRW per USD at the destination, for the travel-rule threshold (0 for a USDT venue).
    public var krwPerUSD: Double

    public init(asset: String, from: Venue, to: Venue, amount: Fixed, network: String? = nil, purpose: Transfer.Purpose,
                tradeId: String? = nil, priceUSD: Double, krwPerUSD: Double = 0) {
        self.asset = asset
        self.from = from
        self.to = to
        self.amount = amount
        self.network = network
        self.purpose = purpose
        self.tradeId = tradeId
        self.priceUSD = priceUSD
        self.krwPerUSD = krwPerUSD
    }
}

/// Every transfer of a campaign, and those still in transit. A pure state machine on the campaign clock:
/// `PaperExchange.requestTransfer` adds one, `PaperExchange.settleTransfers(at:)` moves the due ones on.
public struct TransferBook: Sendable, Codable, Equatable {
    /// Every transfer, in request order.
    public private(set) var transfers: [Transfer] = []
    /// Indices of the transfers in transit (sent or failed and coming back).
    public private(set) var open: [Int] = []
    /// When the rebalancer looks next (`rebalance.policy: band`); nil without one.
    public var nextRebalanceNs: Int64?

    public init() {}

    public var isEmpty: Bool { transfers.isEmpty && nextRebalanceNs == nil }

    /// When the next transfer changes state or the rebalancer looks; nil when neither is due.
    public var nextDueNs: Int64? {
        let transfer = open.lazy.map { self.transfers[$0].dueNs }.min()
        guard let rebalance = nextRebalanceNs else { return transfer }
        return Swift.min(transfer ?? .max, rebalance)
    }

    /// Amounts in transit per asset.
    public var inTransit: [String: Fixed] {
        var totals: [String: Fixed] = [:]
        for i in open { totals[transfers[i].asset, default: .zero] += transfers[i].amount }
        return totals
    }

    /// The transfers in transit.
    public var inFlight: [Transfer] { open.map { transfers[$0] } }

    /// Whether a transfer of `asset` from `from` to `to` is in transit.
    public func isInFlight(asset: String, from: Venue, to: Venue) -> Bool {
        open.contains { transfers[$0].asset == asset && transfers[$0].from == from && transfers[$0].to == to }
    }

    /// The transfer with `id` (`X0000012` is the twelfth).
    public func transfer(id: String) -> Transfer? {
        guard id.hasPrefix("X"), let n = Int(id.dropFirst()), n >= 1, n <= transfers.count else { return nil }
        return transfers[n - 1]
    }

    /// The id the next transfer gets.
    var nextId: String {
        let s = String(transfers.count + 1)
        return "X" + String(repeating: "0", count: Swift.max(0, 7 - s.count)) + s
    }

    mutating func append(_ transfer: Transfer) {
        open.append(transfers.count)
        transfers.append(transfer)
    }

    /// Transfer `index` after a state change; it leaves the open list once settled.
    mutating func update(_ index: Int, _ transfer: Transfer) {
        transfers[index] = transfer
        if !transfer.state.isOpen { open.removeAll { $0 == index } }
    }

    /// The open transfers due by `timeNs`, earliest first (ties by id), as indices.
    func due(by timeNs: Int64) -> [Int] {
        open.filter { transfers[$0].dueNs <= timeNs }.sorted { (transfers[$0].dueNs, $0) < (transfers[$1].dueNs, $1) }
    }
}
