import ArbCore
import MicroHTTPD

extension ControlAPI {
    /// An operator's transfers and the transfer listing (JSON or CSV).
    static func registerTransfers(_ r: inout Router, manager: any CampaignOperations) {
        r.add("POST", "/campaigns/{id}/transfers") { request, p in
            withBody(request) { body in
                return respond(status: 201) {
                    let transfer = try await manager.transfer(id: p["id"], body)
                    return (JSONBody.snakeCased(try JSONTree.encode(transfer)), [])
                }
            }
        }
        r.add("GET", "/campaigns/{id}/transfers") { request, p in
            if wantsCSV(request) {
                return csvPage(TransferCSV.render) {
                    let q = try Query(request)
                    return try manager.transfers(id: p["id"], limit: try q.limit(), cursor: q.string("cursor"))
                }
            }
            return answer {
                let q = try Query(request)
                let page = try manager.transfersJSON(id: p["id"], limit: try q.limit(), cursor: q.string("cursor"))
                return (ListBody(page.items.map(JSONBody.snakeCased), next: page.nextCursor), [])
            }
        }
    }
}

/// Transfers as CSV (`Accept: text/csv`): one row per transfer in its newest state, amounts as exact decimals.
enum TransferCSV {
    static let columns = [
        "id", "asset", "network", "from", "to", "amount", "fee", "purpose", "trade_id", "state", "requested_at",
        "arrives_at", "settled_at", "transit_seconds", "value_usd", "fee_usd", "review", "fails",
    ]

    static func render(_ transfers: [Transfer]) -> String {
        var out = columns.joined(separator: ",") + "\n"
        for t in transfers {
            let row: [String] = [
                t.id, t.asset, t.network, t.from.rawValue, t.to.rawValue, t.amount.description, t.fee.description,
                t.purpose.rawValue, t.tradeId ?? "", t.state.rawValue, UTCTime.format(t.requestedNs), UTCTime.format(t.arrivesNs),
                t.settledNs.map(UTCTime.format) ?? "", t.transitSeconds.map { "\($0)" } ?? "", "\(t.valueUSD)", "\(t.feeUSD)",
                "\(t.review)", "\(t.fails)",
            ]
            out += row.joined(separator: ",") + "\n"
        }
        return out
    }
}
