import ArbCore
import MicroHTTPD

extension ControlAPI {
    /// Per-symbol, risk and universe views, the universe preview, changes to a running campaign.
    static func registerDetails(_ r: inout Router, manager: any CampaignOperations) {
        r.add("PATCH", "/campaigns/{id}") { request, p in
            withBody(request) { body in
                return respond {
                    let record = try await manager.patch(id: p["id"], body)
                    return (CampaignBody(record, paused: manager.isPaused(id: record.id)), [])
                }
            }
        }
        r.add("POST", "/campaigns/{id}/resume") { _, p in
            respond {
                let record = try await manager.resume(id: p["id"])
                return (CampaignBody(record, paused: manager.isPaused(id: record.id)), [])
            }
        }
        r.add("GET", "/campaigns/{id}/symbols") { _, p in
            answer {
                (ListBody(SymbolBody.all(try manager.stats(id: p["id"]))), [])
            }
        }
        r.add("GET", "/campaigns/{id}/symbols/{symbol}") { _, p in
            answer {
                guard let item = SymbolBody.one(try manager.stats(id: p["id"]), symbol: p["symbol"]) else {
                    throw ServiceError.notFound("\(p["symbol"]) is not in campaign \(p["id"])")
                }
                return (item, [])
            }
        }
        r.add("POST", "/campaigns/{id}/symbols/{symbol}/flatten") { _, p in
            respond(status: 202) {
                try await manager.flatten(id: p["id"], symbol: p["symbol"])
                return (["symbol": .string(p["symbol"]), "flatten": "requested"] as JSONValue, [])
            }
        }
        r.add("GET", "/campaigns/{id}/risk") { _, p in
            answer {
                let stats = try manager.stats(id: p["id"])
                let record = try manager.campaign(id: p["id"])
                return (RiskBody(limits: record.config["multi_symbol_risk_guard"], stats: stats), [])
            }
        }
        r.add("GET", "/campaigns/{id}/risk/symbols/{symbol}") { _, p in
            answer {
                guard let risk = SymbolRiskBody(try manager.stats(id: p["id"]), symbol: p["symbol"]) else {
                    throw ServiceError.notFound("\(p["symbol"]) is not in campaign \(p["id"])")
                }
                return (risk, [])
            }
        }
        r.add("GET", "/campaigns/{id}/universe") { _, p in
            respond {
                let members = try await manager.universe(id: p["id"])
                return (ListBody(members.map { UniverseMemberBody($0.member, active: $0.active) }), [])
            }
        }
        r.add("POST", "/universe/preview") { request, _ in
            withBody(request) { body in
                return respond {
                    (ListBody(try await manager.preview(body).map { UniverseMemberBody($0, active: true) }), [])
                }
            }
        }
    }
}
