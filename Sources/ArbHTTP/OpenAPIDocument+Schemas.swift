import ArbCore

extension OpenAPIDocument {
    static func parameters() -> [String: JSONValue] {
        func query(_ name: String, _ schema: JSONValue, _ description: String) -> JSONValue {
            ["name": .string(name), "in": "query", "required": false, "description": .string(description), "schema": schema]
        }
        let symbolSchema: JSONValue = ["type": "string", "pattern": "^[A-Z0-9]{1,20}USDT$"]
        let routeSchema: JSONValue = ["type": "string", "pattern": "^[A-Z0-9]{1,20}USDT(@[a-z]{1,20}-[a-z]{1,20})?$"]
        return [
            "id": ["name": "id", "in": "path", "required": true, "description": "Campaign id",
                   "schema": ["type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"]],
            "symbol": ["name": "symbol", "in": "path", "required": true,
                       "description": "An asset as its Binance symbol (`BTCUSDT`): on the seed's pair also its route's key",
                       "schema": symbolSchema],
            "route": ["name": "route", "in": "path", "required": true,
                      "description": "A route's key: the symbol, with `@a-b` unless the pair is upbit-binance (`BTCUSDT@bithumb-okx`)",
                      "schema": routeSchema],
            "venue": ["name": "venue", "in": "path", "required": true, "description": "A venue's name (`okx`)",
                      "schema": ["type": "string", "pattern": "^[a-z]{1,20}$"]],
            "symbolQuery": query("symbol", routeSchema, "Only this route (its key)"),
            "limit": query("limit", ["type": "integer", "minimum": 1, "maximum": 1000, "default": 100], "Page size"),
            "cursor": query("cursor", ["type": "string", "pattern": "^c[0-9a-f]{12}$"], "`next_cursor` of the previous page"),
            "status": query("status", ["type": "string", "enum": enumValues(["pending", "running", "completed", "stopped", "failed", "interrupted"])],
                            "Only campaigns in this state"),
            "tier": query("tier", ["type": "string", "enum": enumValues(RiskTier.allCases.map(\.rawValue))], "Only rejections by this tier"),
            "outcome": query("outcome", ["type": "string", "enum": ["allowed", "rejected"]], "Only this outcome"),
        ]
    }

    static func enumValues(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }

    static func object(_ properties: [String: JSONValue], required: [String], additional: Bool = false) -> JSONValue {
        ["type": "object", "additionalProperties": .bool(additional), "properties": .object(properties),
         "required": .array(required.map { .string($0) })]
    }

    static func nullable(_ type: String) -> JSONValue { ["type": [.string(type), "null"]] }
    static let decimal: JSONValue = ["type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$", "description": "Exact decimal"]
    static let integer: JSONValue = ["type": "integer"]
    static let number: JSONValue = ["type": "number"]
    static let string: JSONValue = ["type": "string"]
    static let boolean: JSONValue = ["type": "boolean"]

    static func list(_ item: String) -> JSONValue {
        object(["items": ["type": "array", "items": ref(item)], "next_cursor": ["type": ["string", "null"]]],
               required: ["items", "next_cursor"])
    }

    static func schemas() -> [String: JSONValue] {
        let config = JSONSchemaExport.object(CampaignSchema.root)
        let sections = Dictionary(uniqueKeysWithValues: CampaignSchema.root.map { ($0.name, $0) })
        func section(_ name: String) -> JSONValue { JSONSchemaExport.property(sections[name]!) }
        let audit = object([
            "upbit_sequence": integer, "binance_sequence": integer, "fx_sequence": integer, "fx": decimal,
            "gross_edge_bps": number, "net_edge_bps": number, "slippage_bps": number, "fees_usd": decimal,
            "time_ns": integer, "decision_id": string,
        ], required: ["upbit_sequence", "binance_sequence", "fx_sequence", "fx", "gross_edge_bps", "net_edge_bps",
                      "slippage_bps", "fees_usd", "time_ns", "decision_id"])
        let statuses = enumValues(["pending", "running", "completed", "stopped", "failed", "interrupted"])
        let stopReasons: JSONValue = .array(["requested", "emergency_stop", "runtime", "iterations", "end_of_data", "route_failed", "error", "interrupted", nil])
        return viewSchemas(limits: section("multi_symbol_risk_guard")).merging(statsSchemas()) { view, _ in view }
            .merging(transferSchemas()) { view, _ in view }.merging(sweepSchemas()) { view, _ in view }.merging([
            "Problem": object([
                "type": string, "title": string, "status": integer, "detail": string,
                "errors": ["type": "array", "items": object(["field": string, "message": string], required: ["field", "message"])],
            ], required: ["type", "title", "status", "detail"]),
            "CampaignConfig": config,
            "CampaignChanges": object(["strategy": section("strategy"), "fees": section("fees"),
                                       "multi_symbol_risk_guard": section("multi_symbol_risk_guard")], required: []),
            "UniversePreview": object(["universe": section("universe"), "market_data": section("market_data")], required: []),
            "Health": object(["status": string], required: ["status"]),
            "Version": object(["version": string, "name": string], required: ["version", "name"]),
            "Campaign": object([
                "id": string, "name": nullable("string"), "status": ["type": "string", "enum": statuses],
                "stop_reason": ["type": ["string", "null"], "enum": stopReasons], "error": nullable("string"),
                "created_at": ["type": "string", "format": "date-time"], "started_at": nullable("string"),
                "finished_at": nullable("string"), "config": ref("CampaignConfig"), "paused": boolean,
                "checkpoint": [
                    "type": ["object", "null"], "description": "The newest committed checkpoint; a resume continues from it",
                    "properties": ["sequence": integer, "campaign_time": ["type": "string", "format": "date-time"],
                                   "saved_at": ["type": "string", "format": "date-time"]],
                    "required": ["sequence", "campaign_time", "saved_at"],
                ],
            ], required: ["id", "name", "status", "stop_reason", "error", "created_at", "started_at", "finished_at", "config",
                          "checkpoint"]),
            "CampaignList": list("Campaign"),
            "TradeAudit": audit,
            "Trade": object([
                "id": string, "route": string, "direction": ["type": "string", "enum": enumValues(Direction.allCases.map(\.rawValue))],
                "status": ["type": "string", "enum": ["open", "closing", "closed", "aborted"]], "quantity": decimal,
                "entry": ref("TradeAudit"), "exit": ref("TradeAudit"), "exit_reason": string, "hold_seconds": number,
                "committed_usd": decimal, "fill_ids": ["type": "array", "items": string], "cash_flow_usd": decimal,
                "fees_usd": decimal, "realized_pnl_usd": decimal, "seller_proceeds": decimal, "entry_quantity": decimal,
                "transfer_ids": ["type": "array", "items": string], "transfer_fees_usd": decimal,
            ], required: ["id", "route", "direction", "status", "quantity", "entry", "committed_usd", "fill_ids",
                          "cash_flow_usd", "fees_usd"]),
            "TradeList": list("Trade"),
            "Decision": object([
                "id": string, "route": string, "kind": ["type": "string", "enum": ["entry", "exit"]],
                "outcome": ["type": "string", "enum": ["allowed", "rejected"]],
                "tier": ["type": "string", "enum": enumValues(RiskTier.allCases.map(\.rawValue))], "reason": string,
                "count": integer, "first_time_ns": integer, "last_time_ns": integer,
                "direction": ["type": "string", "enum": enumValues(Direction.allCases.map(\.rawValue))],
                "requested_quantity": decimal, "approved_quantity": decimal, "edge_bps": number, "detail": string,
            ], required: ["id", "route", "kind", "outcome", "reason", "count", "first_time_ns", "last_time_ns",
                          "direction", "requested_quantity", "edge_bps"]),
            "DecisionList": list("Decision"),
        ]) { view, _ in view }
    }

    /// The per-symbol, risk and universe views; `limits` is the config's risk section.
    static func viewSchemas(limits: JSONValue) -> [String: JSONValue] {
        let instrument = object(["market": string, "tick": decimal, "step": decimal, "min_notional": decimal],
                                required: ["market", "tick", "step", "min_notional"])
        return [
            "SymbolRisk": object([
                "symbol": string, "trades_executed": integer, "trades_rejected": integer, "circuit_breaker_triggered": boolean,
                "allocation_usd": nullable("number"), "allocation_cap_usd": nullable("number"),
            ], required: ["symbol", "trades_executed", "trades_rejected", "circuit_breaker_triggered", "allocation_usd",
                          "allocation_cap_usd"]),
            "Symbol": object([
                "symbol": string, "iterations": integer, "trades": integer, "realized_pnl_usd": number,
                "unrealized_pnl_usd": number, "premium_bps": number, "position": orNull(ref("OpenPosition")), "risk": ref("SymbolRisk"),
                "active": boolean,
            ], required: ["symbol", "iterations", "trades", "realized_pnl_usd", "unrealized_pnl_usd", "premium_bps", "position", "risk",
                          "active"]),
            "SymbolList": list("Symbol"),
            "Risk": object(["limits": limits, "global": ref("RiskGlobal"), "portfolio": ref("RiskPortfolio"),
                            "decisions": ref("DecisionCounts")], required: ["limits", "global", "portfolio", "decisions"]),
            "Instrument": instrument,
            "UniverseItem": object([
                "symbol": string, "base": string, "quote_volume_usd": number, "reference_price_usd": number,
                "venues": array(["type": "string", "enum": enumValues(Venue.allCases.map(\.rawValue))]),
                "legs": array(ref("Instrument")), "upbit": ref("Instrument"), "binance": ref("Instrument"), "active": boolean,
            ], required: ["symbol", "base", "quote_volume_usd", "reference_price_usd", "venues", "legs", "upbit", "binance",
                          "active"]),
            "UniverseList": list("UniverseItem"),
            "FlattenRequest": object(["symbol": string, "flatten": string], required: ["symbol", "flatten"]),
            "RouteFlattenRequest": object(["route": string, "flatten": string], required: ["route", "flatten"]),
            "Route": object([
                "route": string, "symbol": string,
                "venues": array(["type": "string", "enum": enumValues(Venue.allCases.map(\.rawValue))]),
                "iterations": integer, "trades": integer, "realized_pnl_usd": number, "unrealized_pnl_usd": number,
                "premium_bps": number, "position": orNull(ref("OpenPosition")), "active": boolean, "allocation_usd": number,
                "risk": ref("SymbolRiskStats"),
            ], required: ["route", "symbol", "venues", "iterations", "trades", "realized_pnl_usd", "unrealized_pnl_usd",
                          "premium_bps", "position", "active", "allocation_usd", "risk"]),
            "RouteList": list("Route"),
            "Venue": object([
                "name": string, "quote": ["type": "string", "enum": ["KRW", "USDT"]], "market_example": string,
                "fx_market": nullable("string"), "taker_bps": number, "book_levels": integer, "tardis_exchange": nullable("string"),
                "health": ref("VenueHealth"),
            ], required: ["name", "quote", "market_example", "fx_market", "taker_bps", "book_levels", "tardis_exchange", "health"]),
            "VenueHealth": object([
                "state": ["type": "string", "enum": enumValues(HealthState.allCases.map(\.rawValue))], "reason": nullable("string"),
                "connections_wanted": integer, "connections_open": integer, "messages_per_second": number, "books_per_second": number,
                "data_age_ms": nullable("number"), "parse_errors_1m": integer, "sequence_gaps_1m": integer, "resyncs_1m": integer,
                "reconnects_1m": integer, "venue_errors_1m": integer, "rest_requests_1m": integer, "rest_errors_1m": integer,
                "rest_latency_ms": nullable("number"), "markets_without_book": ["type": "array", "items": string],
            ], required: ["state", "reason", "connections_wanted", "connections_open", "messages_per_second", "books_per_second",
                          "data_age_ms", "parse_errors_1m", "sequence_gaps_1m", "resyncs_1m", "reconnects_1m", "venue_errors_1m",
                          "rest_requests_1m", "rest_errors_1m", "rest_latency_ms", "markets_without_book"]),
            "VenueList": list("Venue"),
        ]
    }
}
