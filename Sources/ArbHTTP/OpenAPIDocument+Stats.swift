import ArbCore

extension OpenAPIDocument {
    /// An object whose every key maps to `value`.
    static func map(_ value: JSONValue) -> JSONValue { ["type": "object", "additionalProperties": value] }
    static func array(_ item: JSONValue) -> JSONValue { ["type": "array", "items": item] }
    /// `schema`, or null.
    static func orNull(_ schema: JSONValue) -> JSONValue { ["anyOf": [schema, ["type": "null"]]] }

    /// `Stats` and every part of it, described whole (no open objects), so a generated client is typed.
    static func statsSchemas() -> [String: JSONValue] {
        let counts = map(integer)
        return runSchemas().merging([
            "Stats": object([
                "status": string, "stop_reason": ["type": ["string", "null"]], "start_time": string, "end_time": string,
                "runtime_seconds": number, "clock": string, "engine_mode": string, "universe_mode": string,
                "symbols": array(string), "num_symbols": integer, "failed_routes": array(ref("FailedRoute")),
                "risk_stats": ref("RiskStats"), "per_symbol": map(ref("SymbolStats")), "routes": orNull(map(ref("RouteStats"))),
                "decisions": ref("DecisionCounts"),
                "balances": ref("Balances"), "pnl": ref("PnL"), "trades": ref("TradeCounts"),
                "market_data": ref("MarketDataStats"), "universe": ref("UniverseStats"), "performance": ref("Performance"),
                "transfers": orNull(ref("TransferStats")),
            ], required: ["status", "stop_reason", "start_time", "end_time", "runtime_seconds", "clock", "engine_mode",
                          "universe_mode", "symbols", "num_symbols", "failed_routes", "risk_stats", "per_symbol",
                          "decisions", "balances", "pnl", "trades", "market_data", "universe", "performance"]),
            "FailedRoute": object(["symbol": string, "error": string], required: ["symbol", "error"]),
            "RiskStats": object([
                "global": ref("RiskGlobal"), "portfolio": ref("RiskPortfolio"), "symbols": map(ref("SymbolRiskStats")),
            ], required: ["global", "portfolio", "symbols"]),
            "RiskGlobal": object([
                "total_exposure_usd": number, "total_daily_loss_usd": number, "max_daily_loss_seen_usd": number,
                "trades_executed": integer, "trades_rejected": integer, "emergency_stopped": boolean,
            ], required: ["total_exposure_usd", "total_daily_loss_usd", "max_daily_loss_seen_usd", "trades_executed",
                          "trades_rejected", "emergency_stopped"]),
            "RiskPortfolio": object([
                "total_capital_usd": number, "total_allocated_capital": number, "peak_allocated_capital": number,
                "symbol_allocations": map(number), "symbol_allocation_caps": map(number),
            ], required: ["total_capital_usd", "total_allocated_capital", "peak_allocated_capital", "symbol_allocations",
                          "symbol_allocation_caps"]),
            "SymbolRiskStats": object(["trades_executed": integer, "trades_rejected": integer, "circuit_breaker_triggered": boolean],
                                      required: ["trades_executed", "trades_rejected", "circuit_breaker_triggered"]),
            "SymbolStats": object([
                "iterations": integer, "trades": integer, "realized_pnl_usd": number, "unrealized_pnl_usd": number,
                "premium_bps": number, "position": orNull(ref("OpenPosition")), "active": boolean,
            ], required: ["iterations", "trades", "realized_pnl_usd", "unrealized_pnl_usd", "premium_bps", "position", "active"]),
            "RouteStats": object([
                "symbol": string, "venues": array(["type": "string", "enum": enumValues(Venue.allCases.map(\.rawValue))]),
                "iterations": integer, "trades": integer, "realized_pnl_usd": number, "unrealized_pnl_usd": number,
                "premium_bps": number, "position": orNull(ref("OpenPosition")), "active": boolean, "allocation_usd": number,
                "risk": ref("SymbolRiskStats"),
            ], required: ["symbol", "venues", "iterations", "trades", "realized_pnl_usd", "unrealized_pnl_usd", "premium_bps",
                          "position", "active", "allocation_usd", "risk"]),
            "OpenPosition": object([
                "trade_id": string, "direction": ["type": "string", "enum": enumValues(Direction.allCases.map(\.rawValue))],
                "quantity": decimal, "entry_time": string, "committed_usd": number,
            ], required: ["trade_id", "direction", "quantity", "entry_time", "committed_usd"]),
            "DecisionCounts": object([
                "allowed": map(counts), "rejected": map(counts),
            ], required: ["allowed", "rejected"]),
            "Balances": object(
                Dictionary(uniqueKeysWithValues: Venue.allCases.map { ($0.rawValue, map(ref("AssetBalance"))) })
                    .merging(["reconciled": boolean]) { a, _ in a },
                required: ["reconciled"]),
            "AssetBalance": object(["initial": decimal, "final": decimal, "fees": decimal], required: ["initial", "final", "fees"]),
            "PnL": object([
                "realized_usd": number, "unrealized_usd": number,
                "equity_curve": array(object(["t": number, "realized_usd": number, "unrealized_usd": number, "equity_usd": number],
                                             required: ["t", "realized_usd", "unrealized_usd", "equity_usd"])),
                "gross_usd": nullable("number"), "net_of_trading_fees_usd": nullable("number"),
                "net_of_transfers_usd": nullable("number"),
            ], required: ["realized_usd", "unrealized_usd", "equity_curve"]),
            "TradeCounts": object([
                "opened": integer, "executed": integer, "legs_rejected": map(counts),
            ], required: ["opened", "executed", "legs_rejected"]),
            "MarketDataStats": object([
                "source": ["type": "string", "enum": enumValues(["synthetic", "replay", "live"])], "files": integer, "rows": integer,
                "bad_rows": integer, "skipped_rows": integer, "waiting_markets": array(string), "waiting_routes": array(string),
            ], required: ["source"]),
        ]) { run, _ in run }
    }

    /// The stats' universe and performance parts.
    static func runSchemas() -> [String: JSONValue] {
        return [
            "UniverseStats": object([
                "refresh_seconds": number, "routes": integer, "capacity": integer, "active": array(string),
                "changes": array(object([
                    "time": string, "t": number, "symbol": string,
                    "change": ["type": "string", "enum": enumValues(["joined", "rejoined", "left"])],
                ], required: ["time", "t", "symbol", "change"])),
            ], required: ["refresh_seconds", "routes", "capacity", "active", "changes"]),
            "LatencySummary": object(["p50": number, "p99": number, "max": number, "avg": number, "count": integer],
                                     required: ["p50", "p99", "max", "avg", "count"]),
            "Performance": object([
                "wall_seconds": number, "universe_refreshes": integer, "universe_refresh_failures": integer,
                "book_updates": integer, "book_updates_per_second": number, "iterations": integer,
                "iterations_per_second": number, "loop_latency_us": map(orNull(ref("LatencySummary"))),
                "tick_to_decision_us": orNull(ref("LatencySummary")),
                "resources": object([
                    "cpu_percent_avg": number, "cpu_percent_max": number, "rss_mb_avg": number, "rss_mb_max": number,
                    "samples": integer,
                ], required: ["cpu_percent_avg", "cpu_percent_max", "rss_mb_avg", "rss_mb_max", "samples"]),
            ], required: ["wall_seconds", "universe_refreshes", "universe_refresh_failures", "book_updates",
                          "book_updates_per_second", "iterations", "iterations_per_second", "loop_latency_us",
                          "tick_to_decision_us", "resources"]),
        ]
    }
}
