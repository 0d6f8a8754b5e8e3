import ArbCore
import MicroHTTPD

extension ControlAPI {
    /// Per-symbol, risk and universe views, the universe preview, changes to a running campaign.
    static func registerDetails(_ r: inout Router, manager: any CampaignOperations) {
        r.add("PATCH", "/campaigns/{id}") { request, p in
            let body: JSONValue
            switch JSONBody.parse(request) {
            case .success(let value): body = value
            case .failure(let error): return error.response
            }
            return respond {
                let record = try await manager.patch(id: p["id"], body)
                return (CampaignView.json(record, paused: manager.isPaused(id: record.id)), [])
            }
        }
        r.add("POST", "/campaigns/{id}/resume") { _, p in
            respond {
                let record = try await manager.resume(id: p["id"])
                return (CampaignView.json(record, paused: manager.isPaused(id: record.id)), [])
            }
        }
        r.add("GET", "/campaigns/{id}/symbols") { _, p in
            answer {
                let stats = try manager.stats(id: p["id"])
                return (CampaignView.list(SymbolView.all(stats), next: nil), [])
            }
        }
        r.add("GET", "/campaigns/{id}/symbols/{symbol}") { _, p in
            answer {
                let stats = try manager.stats(id: p["id"])
                guard let item = SymbolView.all(stats).first(where: { $0["symbol"] == .string(p["symbol"]) }) else {
                    throw ServiceError.notFound("\(p["symbol"]) is not in campaign \(p["id"])")
                }
                return (item, [])
            }
        }
        r.add("POST", "/campaigns/{id}/symbols/{symbol}/flatten") { _, p in
            respond(status: 202) {
                try await manager.flatten(id: p["id"], symbol: p["symbol"])
                return (["symbol": .string(p["symbol"]), "flatten": "requested"], [])
            }
        }
        r.add("GET", "/campaigns/{id}/risk") { _, p in
            answer {
                let stats = try manager.stats(id: p["id"])
                let record = try manager.campaign(id: p["id"])
                return ([
                    "limits": record.config["multi_symbol_risk_guard"] ?? .null,
                    "global": stats.at("risk_stats.global") ?? .null,
                    "portfolio": stats.at("risk_stats.portfolio") ?? .null,
                    "decisions": stats["decisions"] ?? .null,
                ], [])
            }
        }
        r.add("GET", "/campaigns/{id}/risk/symbols/{symbol}") { _, p in
            answer {
                let stats = try manager.stats(id: p["id"])
                let symbol = p["symbol"]
                guard let risk = stats.at("risk_stats.symbols")?[symbol] else {
                    throw ServiceError.notFound("\(symbol) is not in campaign \(p["id"])")
                }
                return (SymbolView.risk(stats, symbol: symbol, base: risk), [])
            }
        }
        r.add("GET", "/campaigns/{id}/universe") { _, p in
            respond {
                let members = try await manager.universe(id: p["id"])
                return (CampaignView.list(members.map { UniverseView.json($0.member, active: $0.active) }, next: nil), [])
            }
        }
        r.add("POST", "/universe/preview") { request, _ in
            let body: JSONValue
            switch JSONBody.parse(request) {
            case .success(let value): body = value
            case .failure(let error): return error.response
            }
            return respond {
                (CampaignView.list(try await manager.preview(body).map { UniverseView.json($0, active: true) }, next: nil), [])
            }
        }
    }
}

/// A symbol as the API shows it: its stats and its risk state together.
enum SymbolView {
    static func all(_ stats: JSONValue) -> [JSONValue] {
        (stats["symbols"]?.arrayValue ?? []).compactMap { $0.stringValue }.map { symbol in
            var item = stats.at("per_symbol")?[symbol]?.objectValue ?? [:]
            item["symbol"] = .string(symbol)
            item["risk"] = risk(stats, symbol: symbol, base: stats.at("risk_stats.symbols")?[symbol] ?? .null)
            return .object(item)
        }
    }

    static func risk(_ stats: JSONValue, symbol: String, base: JSONValue) -> JSONValue {
        var o = base.objectValue ?? [:]
        o["symbol"] = .string(symbol)
        o["allocation_usd"] = stats.at("risk_stats.portfolio.symbol_allocations")?[symbol] ?? .null
        o["allocation_cap_usd"] = stats.at("risk_stats.portfolio.symbol_allocation_caps")?[symbol] ?? .null
        return .object(o)
    }
}

/// A universe member on the wire.
enum UniverseView {
    static func json(_ m: UniverseMember, active: Bool) -> JSONValue {
        func instrument(_ i: Instrument, market: String) -> JSONValue {
            ["market": .string(market), "tick": .string(i.tick.description), "step": .string(i.step.description),
             "min_notional": .string(i.minNotional.description)]
        }
        return [
            "symbol": .string(m.route.key), "base": .string(m.route.base), "quote_volume_usd": .double(m.quoteVolumeUSD),
            "reference_price_usd": .double(m.referencePriceUSD),
            "upbit": instrument(m.route.upbit, market: m.route.upbitMarket),
            "binance": instrument(m.route.binance, market: m.route.binanceMarket),
            "active": .bool(active),
        ]
    }
}
