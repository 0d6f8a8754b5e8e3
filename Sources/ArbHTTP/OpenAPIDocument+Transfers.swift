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
                "amount": ["oneOf": [["type": "number", "exclusiveMinimum": 0], decimal]],
                "network": ["type": ["string", "null"], "maxLength": 32],
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
        ]
    }
}
