import ArbCore

/// Operators' transfers and the transfer listing.
extension CampaignManager {
    /// Makes an operator's transfer in a running campaign now: 422 naming the field for a bad body or an amount
    /// the network refuses, 409 with the rule's reason when the rules or the balance refuse it.
    public func transfer(id: String, _ body: JSONValue) async throws(ServiceError) -> Transfer {
        guard let running = live(id) else {
            let record = try campaign(id: id)
            throw .conflict("campaign \(id) is \(record.status.rawValue); only a running campaign can transfer")
        }
        let order: ManualTransfer
        do { order = try ManualTransfer.parse(body, venues: running.campaign.config.venues) } catch { throw .invalid(error) }
        switch running.campaign.requestTransfer(asset: order.asset, from: order.from, to: order.to, amount: order.amount,
                                                network: order.network) {
        case nil:
            throw .conflict("campaign \(id) is not running")
        case .success(let transfer)?:
            return transfer
        case .failure(let refusal)?:
            if refusal.code == .invalid { throw .invalid(ConfigError(field: "amount", refusal.description)) }
            throw .conflict(refusal.description)
        }
    }

    public nonisolated func transfers(id: String, limit: Int, cursor: String?) throws(ServiceError) -> Page<Transfer> {
        try listing(id) { try store.listTransfers(campaignId: id, limit: limit, cursor: cursor) }
    }

    /// Transfers as the JSON trees the store keeps (camelCase keys), for rendering.
    public nonisolated func transfersJSON(id: String, limit: Int, cursor: String?) throws(ServiceError) -> Page<JSONValue> {
        try listing(id) { try store.listTransfersJSON(campaignId: id, limit: limit, cursor: cursor) }
    }
}
