import ArbCore

extension OpenAPIDocument {
    /// What ranks a sweep's runs (the engine's `SweepSpec.Objective`; a test keeps the two equal).
    public static let sweepObjectives = ["net_pnl", "pnl_per_drawdown", "trades"]

    static func sweepPaths() -> [String: JSONValue] {
        let id = param("sweepId")
        let missing = problem("No such sweep")
        return [
            "/sweeps": [
                "post": op("Start a sweep: a base config run over a grid or random draws of its keys, ranked", id: "createSweep",
                           body: body("SweepRequest"), responses: [
                    "201": ["description": "Stored and started", "headers": ["Location": ["schema": ["type": "string"]]],
                            "content": ["application/json": ["schema": ref("Sweep")]]],
                    "409": problem("As many sweeps run as the service allows (--max-concurrent-sweeps)"),
                    "422": invalid,
                ], mutating: true),
                "get": op("List sweeps, newest first", id: "listSweeps", parameters: [param("limit"), param("cursor")],
                          responses: ["200": json("SweepList", "A page of sweeps"), "422": invalid]),
            ],
            "/sweeps/{sweepId}": [
                "get": op("One sweep: progress, and its runs ranked by the objective (walk-forward: each fold's report run)",
                          id: "getSweep", parameters: [id], responses: ["200": json("Sweep", "The sweep"), "404": missing]),
                "delete": op("Stop a sweep if it runs and delete it with its runs", id: "deleteSweep", parameters: [id],
                             responses: ["204": ["description": "Deleted"], "404": missing], mutating: true),
            ],
            "/sweeps/{sweepId}/runs": ["get": op("Finished runs in run order: overrides, objective, figures and config", id: "listSweepRuns",
                                                 parameters: [id, param("limit"), param("cursor")],
                                                 responses: ["200": json("SweepRunList", "A page of runs"), "404": missing, "422": invalid])],
            "/campaigns/compare": ["get": op("Several campaigns' stats side by side: headline figures, max drawdown and daily PnL each, per symbol and per UTC day",
                                             id: "compareCampaigns", parameters: [param("ids")],
                                             responses: ["200": json("Comparison", "The comparison"), "404": notFound, "422": invalid])],
            "/sweeps/{sweepId}/runs/{run}/stats": ["get": op("One finished run's full stats", id: "getSweepRunStats",
                                                             parameters: [id, param("run")],
                                                             responses: ["200": json("Stats", "The run's stats"), "404": missing, "422": invalid])],
        ]
    }

    static func sweepParameters() -> [String: JSONValue] {
        [
            "sweepId": ["name": "sweepId", "in": "path", "required": true, "description": "Sweep id",
                        "schema": ["type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"]],
            "ids": ["name": "ids", "in": "query", "required": true, "description": "2 to 20 distinct campaign ids, comma-separated",
                    "schema": ["type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}(,[A-Za-z0-9_-]{1,64}){1,19}$"]],
            "run": ["name": "run", "in": "path", "required": true, "description": "Run number, from 1",
                    "schema": ["type": "integer", "minimum": 1]],
        ]
    }

    static func sweepSchemas() -> [String: JSONValue] {
        let values: JSONValue = ["type": "array", "minItems": 1, "items": ["description": "A value of the key's type"]]
        let objectives = enumValues(sweepObjectives)
        let row: [String: JSONValue] = [
            "run": integer, "candidate": integer, "overrides": ["type": "object"], "objective": nullable("number"),
            "net_pnl_usd": number, "max_drawdown_usd": number, "trades": integer, "status": string,
        ]
        var ranked = row
        ranked["rank"] = integer
        var fold = row
        fold["fold"] = integer
        fold["report_from"] = nullable("string")
        fold["choose_objective"] = nullable("number")
        var run = row
        run["fold"] = nullable("integer")
        run["window"] = ["type": "string", "enum": ["all", "choose", "report"]]
        run["error"] = nullable("string")
        run["book_updates"] = integer
        run["wall_seconds"] = number
        run["config"] = ["type": "object"]
        let summary: [String: JSONValue] = [
            "id": string, "name": nullable("string"), "status": ["type": "string", "enum": enumValues(SweepStatus.allCases.map(\.rawValue))],
            "error": nullable("string"), "objective": ["type": "string", "enum": objectives], "runs_total": integer,
            "runs_finished": integer, "created_at": string, "finished_at": nullable("string"),
        ]
        var sweep = summary
        sweep["spec"] = ref("SweepRequest")
        sweep["ranking"] = ["type": "array", "items": object(ranked, required: ranked.keys.sorted())]
        sweep["folds"] = ["type": ["array", "null"], "items": object(fold, required: fold.keys.sorted())]
        sweep["reported"] = ["type": ["object", "null"], "additionalProperties": false,
                             "properties": ["folds": integer, "net_pnl_usd": number, "trades": integer],
                             "required": ["folds", "net_pnl_usd", "trades"]]
        let campaign = object([
            "id": string, "status": string, "stop_reason": nullable("string"), "clock": string, "start_time": string, "end_time": string,
            "runtime_seconds": number, "routes": integer, "trades_opened": integer, "trades_executed": integer,
            "realized_pnl_usd": number, "unrealized_pnl_usd": number, "gross_pnl_usd": nullable("number"), "net_pnl_usd": number,
            "max_drawdown_usd": number, "decisions_allowed": integer, "decisions_rejected": integer,
            "daily_pnl": ["type": "array", "items": object(["day": string, "pnl_usd": number, "equity_usd": number],
                                                           required: ["day", "pnl_usd", "equity_usd"])],
        ], required: ["id", "status", "stop_reason", "clock", "start_time", "end_time", "runtime_seconds", "routes", "trades_opened",
                      "trades_executed", "realized_pnl_usd", "unrealized_pnl_usd", "gross_pnl_usd", "net_pnl_usd", "max_drawdown_usd",
                      "decisions_allowed", "decisions_rejected", "daily_pnl"])
        let symbolFigures: JSONValue = ["type": ["object", "null"], "properties": ["trades": integer, "realized_pnl_usd": number,
                                                                                    "unrealized_pnl_usd": number]]
        return [
            "Comparison": object([
                "campaigns": ["type": "array", "items": campaign],
                "per_symbol": ["type": "array", "items": object(["symbol": string, "campaigns": ["type": "object", "additionalProperties": symbolFigures]],
                                                                required: ["symbol", "campaigns"])],
                "per_day": ["type": "array", "items": object(["day": string, "pnl_usd": ["type": "object", "additionalProperties": nullable("number")]],
                                                             required: ["day", "pnl_usd"])],
            ], required: ["campaigns", "per_symbol", "per_day"]),
            "SweepRequest": object([
                "name": ["type": ["string", "null"], "maxLength": 200],
                "base": ref("CampaignConfig"),
                "grid": ["type": "object", "minProperties": 1, "additionalProperties": values,
                         "description": "Dotted config keys → lists of values; every combination is a run (at most 10,000)"],
                "random": object([
                    "draws": ["type": "integer", "minimum": 1, "maximum": 10_000], "seed": ["type": "integer", "minimum": 0],
                    "ranges": ["type": "object", "minProperties": 1, "additionalProperties": values,
                               "description": "Dotted config key → [low, high] (numbers) or a list to pick from"],
                ], required: ["draws", "ranges"]),
                "objective": ["type": "string", "enum": objectives],
                "walk_forward": object(["choose_seconds": ["type": "number", "minimum": 1, "maximum": 31_536_000],
                                        "report_seconds": ["type": "number", "minimum": 1, "maximum": 31_536_000]],
                                       required: ["choose_seconds", "report_seconds"]),
                "parallel": ["type": "integer", "minimum": 1, "maximum": 256],
            ], required: ["base"]),
            "Sweep": object(sweep, required: sweep.keys.sorted()),
            "SweepSummary": object(summary, required: summary.keys.sorted()),
            "SweepList": list("SweepSummary"),
            "SweepRun": object(run, required: run.keys.sorted()),
            "SweepRunList": list("SweepRun"),
        ]
    }
}
