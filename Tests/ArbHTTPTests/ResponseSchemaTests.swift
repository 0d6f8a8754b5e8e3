import ArbCore
import ArbHTTP
import ArbTestSupport
import Foundation
import Testing

/// Checks a JSON value against an OpenAPI 3.1 schema of the document: `$ref`, `type` (one or several), `enum`,
/// `properties`, `required`, `additionalProperties`, `items`, `anyOf`. What the service's schemas use, no more.
struct SchemaCheck {
    let schemas: [String: JSONValue]

    func errors(_ value: JSONValue, _ schema: JSONValue, at path: String = "$") -> [String] {
        if let ref = schema["$ref"]?.stringValue {
            guard let target = schemas[String(ref.split(separator: "/").last ?? "")] else { return ["\(path): no schema \(ref)"] }
            return errors(value, target, at: path)
        }
        if let options = schema["anyOf"]?.arrayValue {
            let failures = options.map { errors(value, $0, at: path) }
            return failures.contains { $0.isEmpty } ? [] : ["\(path): matches none of anyOf (\(failures.flatMap { $0 }.joined(separator: "; ")))"]
        }
        let types = schema["type"].map { $0.arrayValue?.compactMap(\.stringValue) ?? [$0.stringValue ?? ""] }
        if let types, !types.contains(where: { Self.isA(value, $0) }) {
            return ["\(path): \(value.typeName) is not \(types.joined(separator: "|"))"]
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) { return ["\(path): \(value) not in enum"] }
        switch value {
        case .object(let members):
            var out: [String] = []
            for key in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[key] == nil {
                out.append("\(path): missing required \(key)")
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            for (key, member) in members {
                if let property = properties[key] {
                    out += errors(member, property, at: "\(path).\(key)")
                } else if let additional = schema["additionalProperties"] {
                    if additional == .bool(false) { out.append("\(path): unexpected key \(key)") }
                    else if additional.objectValue != nil { out += errors(member, additional, at: "\(path).\(key)") }
                }
            }
            return out
        case .array(let items):
            guard let item = schema["items"] else { return [] }
            return items.enumerated().flatMap { errors($1, item, at: "\(path)[\($0)]") }
        default:
            return []
        }
    }

    static func isA(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): return true
        case ("number", .int), ("number", .double): return true
        case ("integer", _): return value.intValue != nil
        default: return false
        }
    }
}

extension HTTPSuites {
@Suite struct ResponseSchemaTests {
    static let document = OpenAPIDocument.build(version: "x")
    static let check = SchemaCheck(schemas: document.at("components.schemas")?.objectValue ?? [:])

    /// Every body a finished campaign's reads answer matches the schema the document gives it, and the document
    /// describes them whole (no key it does not name).
    @Test func everyReadAnswersWhatTheDocumentDescribes() async throws {
        let s = try Service()
        // Positions left open at the end, so the stats carry open pairs too.
        let body = #"{"universe": {"top_n": 3}, "engine": {"mode": "multi", "multi_symbol_enabled": true}, "strategy": {"entry_threshold_bps": -10}, "multi_symbol_risk_guard": {"cooldown_seconds": 0}, "session": {"clock": "simulated", "max_runtime_seconds": 300, "flatten_on_stop": false}}"#
        let id = try #require(try await s.call("POST", "/campaigns", json: body).json["id"]?.stringValue)
        _ = try await s.waitFinished(id)

        let reads: [(String, String)] = [
            ("/campaigns/\(id)", "Campaign"), ("/campaigns", "CampaignList"), ("/campaigns/\(id)/stats", "Stats"),
            ("/campaigns/\(id)/symbols", "SymbolList"), ("/campaigns/\(id)/symbols/ETHUSDT", "Symbol"),
            ("/campaigns/\(id)/risk", "Risk"), ("/campaigns/\(id)/risk/symbols/ETHUSDT", "SymbolRisk"),
            ("/campaigns/\(id)/universe", "UniverseList"), ("/campaigns/\(id)/trades?limit=5", "TradeList"),
            ("/campaigns/\(id)/decisions?limit=5", "DecisionList"), ("/campaigns/\(id)/routes", "RouteList"),
            ("/campaigns/\(id)/routes/ETHUSDT", "Route"), ("/venues", "VenueList"),
        ]
        for (path, schema) in reads {
            let reply = try await s.call("GET", path)
            #expect(reply.status == 200, "\(path)")
            #expect(Self.check.errors(reply.json, ["$ref": .string("#/components/schemas/\(schema)")]) == [], "\(path)")
        }
        let stats = try await s.call("GET", "/campaigns/\(id)/stats").json
        let open = stats["per_symbol"]?.objectValue?.values.filter { $0["position"] != .null } ?? []
        #expect(!open.isEmpty, "a pair open at the end, so OpenPosition is checked")
        // The stats read back from the store decode into the typed report and encode to the same body.
        let report = try JSONTree.decode(StatsReport.self, from: stats)
        #expect(report.tree == stats)
    }

    @Test func theCheckFindsWhatIsWrong() throws {
        let symbolRisk: JSONValue = ["$ref": "#/components/schemas/SymbolRisk"]
        let good: JSONValue = ["symbol": "BTCUSDT", "trades_executed": 1, "trades_rejected": 0, "circuit_breaker_triggered": false,
                               "allocation_usd": 10.5, "allocation_cap_usd": nil]
        #expect(Self.check.errors(good, symbolRisk) == [])
        guard case .object(var o) = good else { return }
        o["trades_executed"] = "one"
        o["extra"] = 1
        o["symbol"] = nil
        #expect(Set(Self.check.errors(.object(o), symbolRisk)) == [
            "$: missing required symbol", "$.trades_executed: string is not integer", "$: unexpected key extra",
        ])
    }
}
}
