import ArbCore

extension OpenAPIDocument {
    static func transferPaths() -> [String: JSONValue] {
        let id = param("id")
        return [
            "/campaigns/{id}/transfers": [
                "post": op("Move an asset between two of a running campaign's venues now", id: "createTransfer",
                           parameters: [id], body: body("TransferRequest"), responses: [
                    "201": json("Transfer", "Sent: the source paid amount and fee, the amount is in transit"),
                    "404": notFound,
                    "409": problem("The campaign is not running, or the rules or the balance refuse it; the detail starts with the reason (`route_blocked`, `wallet_suspended`, `inventory_exhausted`)"),
                    "422": invalid,
                ], mutating: true),
                "get": op("Transfers, in request order, each in its newest state", id: "listTransfers",
                          parameters: [id, param("limit"), param("cursor")], responses: [
                    "200": ["description": "A page of transfers (CSV with Accept: text/csv; next cursor in X-Next-Cursor)",
                            "content": ["application/json": ["schema": ref("TransferList")], "text/csv": ["schema": ["type": "string"]]]],
                    "404": notFound, "422": invalid,
                ]),
            ],
        ]
    }

    static func transferSchemas() -> [String: JSONValue] {
        let venue: JSONValue = ["type": "string", "enum": enumValues(Venue.allCases.map(\.rawValue))]
        return [
            "TransferRequest": object([
                "asset": ["type": "string", "pattern": "^[A-Z0-9]{1,20}$"],
                "from": venue, "to": venue,
                "amount": ["oneOf": [["type": "number", "exclusiveMinimum": 0, "maximum": 1e10],
                                     ["type": "string", "pattern": "^[0-9]{1,11}(\\.[0-9]{1,8})?$",
                                      "description": "Exact decimal, positive"]]],
                "network": ["type": ["string", "null"], "minLength": 1, "maxLength": 32],
            ], required: ["asset", "from", "to", "amount"]),
            "Transfer": object([
                "id": string, "asset": string, "network": string, "from": venue, "to": venue, "amount": decimal, "fee": decimal,
                "purpose": ["type": "string", "enum": enumValues(Transfer.Purpose.allCases.map(\.rawValue))],
                "trade_id": nullable("string"), "value_usd": number, "fee_usd": number, "requested_ns": integer, "arrives_ns": integer,
                "settled_ns": nullable("integer"), "review": boolean, "fails": boolean,
                "state": ["type": "string", "enum": enumValues(Transfer.State.allCases.map(\.rawValue))], "due_ns": integer,
            ], required: ["id", "asset", "network", "from", "to", "amount", "fee", "purpose", "value_usd", "fee_usd",
                          "requested_ns", "arrives_ns", "review", "fails", "state", "due_ns"]),
            "TransferList": list("Transfer"),
            "TransferStats": object([
                "count": integer, "fees_usd": number,
                "by_state": object(Dictionary(uniqueKeysWithValues: Transfer.State.allCases.map { ($0.rawValue, integer) }),
                                   required: Transfer.State.allCases.map(\.rawValue)),
                "by_purpose": object(Dictionary(uniqueKeysWithValues: Transfer.Purpose.allCases.map { ($0.rawValue, integer) }),
                                     required: Transfer.Purpose.allCases.map(\.rawValue)),
                "per_asset": ["type": "object", "additionalProperties": object([
                    "count": integer, "amount": decimal, "fees": decimal, "fees_usd": number,
                    "transit_p50_seconds": nullable("number"), "transit_p95_seconds": nullable("number"),
                ], required: ["count", "amount", "fees", "fees_usd", "transit_p50_seconds", "transit_p95_seconds"])],
                "capital_in_transit": object(["now_usd": number, "max_usd": number, "time_weighted_usd": number],
                                             required: ["now_usd", "max_usd", "time_weighted_usd"]),
                "rejections": object(Dictionary(uniqueKeysWithValues: TransferRefusal.Code.allCases.map { ($0.rawValue, integer) }),
                                     required: TransferRefusal.Code.allCases.map(\.rawValue)),
            ], required: ["count", "by_state", "by_purpose", "fees_usd", "per_asset", "capital_in_transit", "rejections"]),
        ]
    }
}
