import ArbCore

/// The OpenAPI 3.1 contract of the control API, built from the same schema the config is validated with.
/// `arbitrage openapi` prints it; `openapi/openapi.yaml` is that output, and a test keeps the two and the
/// router's routes equal.
public enum OpenAPIDocument {
    public static func build(version: String) -> JSONValue {
        [
            "openapi": "3.1.0",
            "info": [
                "title": "Arbitrage control API", "version": .string(version),
                "description": "Run cross-exchange arbitrage campaigns (Upbit KRW vs Binance USDT) on a paper exchange. Errors are application/problem+json (RFC 9457). When the service has an API token, POST, PATCH and DELETE need `Authorization: Bearer <token>`.",
            ],
            "servers": [["url": "http://127.0.0.1:8080"]],
            "paths": .object(paths()),
            "components": ["schemas": .object(schemas()), "parameters": .object(parameters().merging(sweepParameters()) { a, _ in a }),
                           "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]],
        ]
    }

    /// Every (method, path) the document describes, for checking against the router.
    public static func operations(_ document: JSONValue) -> Set<String> {
        var out = Set<String>()
        for (path, item) in document["paths"]?.objectValue ?? [:] {
            for method in (item.objectValue ?? [:]).keys where method != "parameters" { out.insert("\(method.uppercased()) \(path)") }
        }
        return out
    }

    // MARK: Paths

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func param(_ name: String) -> JSONValue { ["$ref": .string("#/components/parameters/\(name)")] }

    static func json(_ schema: String, _ description: String) -> JSONValue {
        ["description": .string(description), "content": ["application/json": ["schema": ref(schema)]]]
    }

    static func problem(_ description: String) -> JSONValue {
        ["description": .string(description), "content": ["application/problem+json": ["schema": ref("Problem")]]]
    }

    static let common: [String: JSONValue] = [
        "405": problem("Method not allowed on this path (see the Allow header)"),
        "503": problem("The store cannot serve the request"),
    ]

    /// An operation: its responses get the codes every route can answer.
    static func op(_ summary: String, id: String, parameters: [JSONValue] = [], body: JSONValue? = nil,
                   responses: [String: JSONValue], mutating: Bool = false) -> JSONValue {
        var all = common
        for (code, r) in responses { all[code] = r }
        if mutating { all["401"] = problem("An API token is configured and the request does not carry it") }
        if body != nil {
            all["400"] = problem("The body is not valid JSON")
            all["413"] = problem("The body is larger than the limit")
            all["415"] = problem("The body is not application/json")
        }
        var o: [String: JSONValue] = ["summary": .string(summary), "operationId": .string(id), "responses": .object(all)]
        if !parameters.isEmpty { o["parameters"] = .array(parameters) }
        if let body { o["requestBody"] = body }
        if mutating { o["security"] = [[:], ["bearer": []]] }
        return .object(o)
    }

    static func body(_ schema: String) -> JSONValue {
        ["required": false, "content": ["application/json": ["schema": ref(schema)]]]
    }

    static let notFound = problem("No such campaign (or symbol)")
    static let invalid = problem("A parameter or the body is invalid; `errors` names each field")
    static let conflict = problem("The campaign's state or the service's limits do not allow it")

    static func paths() -> [String: JSONValue] {
        let id = param("id")
        let paging = [param("limit"), param("cursor")]
        return [
            "/healthz": ["get": op("The process is up", id: "healthz", responses: ["200": json("Health", "Up")])],
            "/readyz": ["get": op("The service can take requests (its data directory is writable)", id: "readyz",
                                  responses: ["200": json("Health", "Ready")])],
            "/version": ["get": op("Build version", id: "version", responses: ["200": json("Version", "Version")])],
            "/metrics": ["get": op("Prometheus metrics (text format 0.0.4)", id: "metrics", responses: [
                "200": ["description": "Every family with HELP and TYPE", "content": ["text/plain": ["schema": ["type": "string"]]]],
            ])],
            "/openapi.yaml": ["get": op("This document", id: "openapi", responses: [
                "200": ["description": "OpenAPI 3.1 document", "content": ["application/yaml": ["schema": ["type": "object"]]]],
            ])],
            "/campaigns": [
                "post": op("Start a campaign", id: "createCampaign", body: body("CampaignConfig"), responses: [
                    "201": ["description": "Stored and started", "headers": ["Location": ["schema": ["type": "string"]]],
                            "content": ["application/json": ["schema": ref("Campaign")]]],
                    "409": conflict, "422": invalid,
                ], mutating: true),
                "get": op("List campaigns, newest first", id: "listCampaigns", parameters: [param("status")] + paging,
                          responses: ["200": json("CampaignList", "A page of campaigns"), "422": invalid]),
            ],
            "/campaigns/{id}": [
                "get": op("One campaign", id: "getCampaign", parameters: [id],
                          responses: ["200": json("Campaign", "The campaign"), "404": notFound]),
                "patch": op("Change strategy, fees and risk limits of a running campaign", id: "patchCampaign",
                            parameters: [id], body: body("CampaignChanges"),
                            responses: ["200": json("Campaign", "Applied"), "404": notFound, "409": conflict, "422": invalid],
                            mutating: true),
                "delete": op("Delete a finished or interrupted campaign and its records", id: "deleteCampaign", parameters: [id],
                             responses: ["204": ["description": "Deleted"], "404": notFound, "409": conflict], mutating: true),
            ],
            "/campaigns/{id}/stop": ["post": op("Stop gracefully (unwinding first when flatten_on_stop)", id: "stopCampaign",
                                                parameters: [id], responses: ["200": json("Campaign", "Stopped"), "404": notFound, "409": conflict],
                                                mutating: true)],
            "/campaigns/{id}/pause": ["post": op("Pause entries (exits go on)", id: "pauseCampaign", parameters: [id],
                                                 responses: ["200": json("Campaign", "Paused"), "404": notFound, "409": conflict],
                                                 mutating: true)],
            "/campaigns/{id}/unpause": ["post": op("Resume entries", id: "unpauseCampaign", parameters: [id],
                                                   responses: ["200": json("Campaign", "Entries resumed"), "404": notFound, "409": conflict],
                                                   mutating: true)],
            "/campaigns/{id}/resume": ["post": op("Resume an interrupted campaign from its last checkpoint (from its start when it has none)", id: "resumeCampaign",
                                                  parameters: [id], responses: ["200": json("Campaign", "Resumed"), "404": notFound, "409": conflict],
                                                  mutating: true)],
            "/campaigns/{id}/stats": ["get": op("Stats: live while running, final after", id: "getStats", parameters: [id],
                                                responses: ["200": json("Stats", "Stats"), "404": notFound])],
            "/campaigns/{id}/trades": ["get": op("Round trips, in entry order", id: "listTrades",
                                                 parameters: [id, param("symbolQuery")] + paging, responses: [
                "200": ["description": "A page of trades (CSV with Accept: text/csv; next cursor in X-Next-Cursor)",
                        "content": ["application/json": ["schema": ref("TradeList")], "text/csv": ["schema": ["type": "string"]]]],
                "404": notFound, "422": invalid,
            ])],
            "/campaigns/{id}/decisions": ["get": op("Risk decisions, identical consecutive rejections folded", id: "listDecisions",
                                                    parameters: [id, param("tier"), param("outcome"), param("symbolQuery")] + paging,
                                                    responses: ["200": json("DecisionList", "A page of decisions"), "404": notFound, "422": invalid])],
        ].merging(detailPaths()) { a, _ in a }.merging(transferPaths()) { a, _ in a }.merging(sweepPaths()) { a, _ in a }
    }

    /// The per-symbol, per-route, risk and universe views.
    static func detailPaths() -> [String: JSONValue] {
        let id = param("id"), symbol = param("symbol"), route = param("route")
        return [
            "/campaigns/{id}/symbols": ["get": op("Every symbol's progress and risk", id: "listSymbols", parameters: [id],
                                                  responses: ["200": json("SymbolList", "Symbols"), "404": notFound])],
            "/campaigns/{id}/symbols/{symbol}": ["get": op("One symbol", id: "getSymbol", parameters: [id, symbol],
                                                           responses: ["200": json("Symbol", "The symbol"), "404": notFound])],
            "/campaigns/{id}/symbols/{symbol}/flatten": ["post": op("Unwind the open pairs of every route of one asset now", id: "flattenSymbol",
                                                                    parameters: [id, symbol], responses: [
                "202": json("FlattenRequest", "The routes unwind at their next evaluation"), "404": notFound, "409": conflict,
            ], mutating: true)],
            "/campaigns/{id}/routes": ["get": op("Every route's progress, pair and risk", id: "listRoutes", parameters: [id],
                                                 responses: ["200": json("RouteList", "Routes"), "404": notFound])],
            "/campaigns/{id}/routes/{route}": ["get": op("One route", id: "getRoute", parameters: [id, route],
                                                         responses: ["200": json("Route", "The route"), "404": notFound])],
            "/campaigns/{id}/routes/{route}/flatten": ["post": op("Unwind one route's open pair now", id: "flattenRoute",
                                                                  parameters: [id, route], responses: [
                "202": json("RouteFlattenRequest", "The route unwinds at its next evaluation"), "404": notFound, "409": conflict,
            ], mutating: true)],
            "/venues": ["get": op("The venues the service knows, with their live feeds' health", id: "listVenues",
                                  responses: ["200": json("VenueList", "Venues")])],
            "/venues/{venue}": ["get": op("One venue and its live feed's health", id: "getVenue", parameters: [param("venue")],
                                          responses: ["200": json("Venue", "The venue"), "404": notFound])],
            "/campaigns/{id}/risk": ["get": op("Limits in force and the global and portfolio tiers", id: "getRisk",
                                               parameters: [id], responses: ["200": json("Risk", "Risk state"), "404": notFound])],
            "/campaigns/{id}/risk/symbols/{symbol}": ["get": op("One symbol's risk state", id: "getSymbolRisk",
                                                                parameters: [id, symbol],
                                                                responses: ["200": json("SymbolRisk", "Risk state"), "404": notFound])],
            "/campaigns/{id}/universe": ["get": op("The campaign's routes", id: "getUniverse", parameters: [id],
                                                   responses: ["200": json("UniverseList", "Routes"), "404": notFound])],
            "/universe/preview": ["post": op("Resolve a universe without running anything", id: "previewUniverse",
                                             body: body("UniversePreview"),
                                             responses: ["200": json("UniverseList", "Routes"), "422": invalid], mutating: true)],
        ]
    }
}
