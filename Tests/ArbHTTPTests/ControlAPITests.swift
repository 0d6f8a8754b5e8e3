import ArbCore
import ArbEngine
import ArbTesting
import ArbHTTP
import ArbMarketData
import ArbTestSupport
import Foundation
import MicroHTTPD
import Testing

/// A service on a port from the OS: in-memory store, synthetic market, real libmicrohttpd.
final class Service: @unchecked Sendable {
    // Immutable after init; the server and manager are thread-safe.
    let server: HTTPServer
    let manager: CampaignManager
    var port: UInt16 { server.port }

    init(token: String? = nil, maxConcurrent: Int = 4) throws {
        manager = CampaignManager(store: InMemoryCampaignStore(), sources: SyntheticSourceFactory(), maxConcurrent: maxConcurrent)
        let api = ControlAPI(manager: manager, options: .init(apiToken: token, version: "test"))
        var c = HTTPServer.Configuration()
        c.port = 0
        server = HTTPServer(configuration: c) { api.handle($0) }
        try server.start()
    }

    deinit { server.stop() }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var json: JSONValue
        var text: String
    }

    func call(_ method: String, _ target: String, json: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var h = headers
        if json != nil && h["Content-Type"] == nil { h["Content-Type"] = "application/json" }
        let port = self.port, fields = h
        let r = try await offPool { try RawClient.request(port: port, method, target, headers: fields, body: Array((json ?? "").utf8)) }
        let value = (try? JSONDecoder().decode(JSONValue.self, from: Data(r.body.utf8))) ?? .null
        return Reply(status: r.status, headers: r.headers, json: value, text: r.body)
    }

    /// Polls a campaign until it leaves `running`.
    func waitFinished(_ id: String, seconds: Double = 60) async throws -> JSONValue {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let r = try await call("GET", "/campaigns/\(id)")
            if r.json["status"] != "running" { return r.json }
            try await Task.sleep(for: .milliseconds(50))
        }
        return .null
    }
}

/// Suites that start services, one test at a time.
@Suite(.serialized) struct HTTPSuites {}

let simulated = #"{"name": "sim", "universe": {"top_n": 3}, "engine": {"mode": "multi", "multi_symbol_enabled": true}, "strategy": {"entry_threshold_bps": -10}, "session": {"clock": "simulated", "max_runtime_seconds": 900}}"#
let realtime = #"{"universe": {"top_n": 2}, "engine": {"mode": "multi", "multi_symbol_enabled": true}, "session": {"max_runtime_seconds": 60}}"#

extension HTTPSuites {
@Suite struct ControlAPITests {
    @Test func probesAnswer() async throws {
        let s = try Service()
        #expect(try await s.call("GET", "/healthz").json["status"] == "ok")
        #expect(try await s.call("GET", "/readyz").json["status"] == "ready")
        #expect(try await s.call("GET", "/version").json["version"] == "test")
    }

    @Test func aCampaignFromPostToStatsTradesAndDecisions() async throws {
        let s = try Service()
        let created = try await s.call("POST", "/campaigns", json: simulated)
        #expect(created.status == 201)
        let id = try #require(created.json["id"]?.stringValue)
        #expect(created.headers["location"] == "/campaigns/\(id)")
        #expect(created.json["name"] == "sim" && created.json.at("config.universe.top_n") == 3)
        let done = try await s.waitFinished(id)
        #expect(done["status"] == "completed" && done["stop_reason"] == "runtime")

        let stats = try await s.call("GET", "/campaigns/\(id)/stats").json
        #expect(stats["symbols"] == ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
        let opened = Int(stats.at("trades.opened")?.intValue ?? 0)
        #expect(opened > 5)

        // Trades page by page with the opaque cursor, each once.
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try await s.call("GET", "/campaigns/\(id)/trades?limit=4" + (cursor.map { "&cursor=\($0)" } ?? "")).json
            ids += page["items"]!.arrayValue!.compactMap { $0["id"]?.stringValue }
            cursor = page["next_cursor"]?.stringValue
        } while cursor != nil
        #expect(ids.count == opened && Set(ids).count == opened)
        let eth = try await s.call("GET", "/campaigns/\(id)/trades?symbol=ETHUSDT&limit=1000").json["items"]!.arrayValue!
        #expect(!eth.isEmpty && eth.allSatisfy { $0["route"] == "ETHUSDT" })
        let first = try #require(eth.first)
        #expect(first["entry"]?["upbit_sequence"]?.intValue ?? 0 > 0 && first["fill_ids"]?.arrayValue?.count ?? 0 >= 2)

        let allowed = try await s.call("GET", "/campaigns/\(id)/decisions?outcome=allowed&limit=1000").json["items"]!.arrayValue!
        #expect(allowed.count >= opened && allowed.allSatisfy { $0["outcome"] == "allowed" })
        let symbolTier = try await s.call("GET", "/campaigns/\(id)/decisions?tier=symbol").json["items"]!.arrayValue!
        #expect(symbolTier.allSatisfy { $0["tier"] == "symbol" })

        let listed = try await s.call("GET", "/campaigns?status=completed").json
        #expect(listed["items"]?.arrayValue?.map { $0["id"] } == [.string(id)] && listed["next_cursor"] == .null)
        #expect(try await s.call("GET", "/campaigns?status=running").json["items"] == [])
    }

    @Test func badRequestsGetProblemsAndChangeNothing() async throws {
        let s = try Service()
        let malformed = try await s.call("POST", "/campaigns", json: #"{"universe": "#)
        #expect(malformed.status == 400 && malformed.headers["content-type"] == "application/problem+json")
        let wrongType = try await s.call("POST", "/campaigns", json: "{}", headers: ["Content-Type": "text/plain"])
        #expect(wrongType.status == 415)
        let invalid = try await s.call("POST", "/campaigns", json: #"{"universe": {"top_n": 0, "bogus": 1}}"#)
        #expect(invalid.status == 422)
        let fields = invalid.json["errors"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
        #expect(fields.sorted() == ["universe.bogus", "universe.top_n"])
        #expect(invalid.json["status"] == 422 && invalid.json["title"] != nil && invalid.json["type"] != nil)
        #expect(try await s.call("POST", "/campaigns", json: "[1, 2]").status == 422)
        #expect(try await s.call("GET", "/campaigns").json["items"] == [])  // nothing was created

        #expect(try await s.call("GET", "/nowhere").status == 404)
        #expect(try await s.call("GET", "/campaigns/c0000000000000000").status == 404)
        #expect(try await s.call("GET", "/campaigns/c0000000000000000/stats").status == 404)
        let wrongMethod = try await s.call("PUT", "/campaigns/abc")
        #expect(wrongMethod.status == 405 && wrongMethod.headers["allow"] == "GET, DELETE, PATCH")
        // A literal route is its own resource: /campaigns/compare is not a campaign id.
        let onCompare = try await s.call("DELETE", "/campaigns/compare")
        #expect(onCompare.status == 405 && onCompare.headers["allow"] == "GET", "\(onCompare.headers)")
        #expect(try await s.call("OPTIONS", "/campaigns/compare?ids=a,b").headers["allow"] == "GET")
        #expect(try await s.call("GET", "/campaigns?limit=0").status == 422)
        let badLimit = try await s.call("GET", "/campaigns?limit=5000")
        #expect(badLimit.status == 422 && badLimit.json["errors"]?.arrayValue?.first?["field"] == "limit")
        #expect(try await s.call("GET", "/campaigns?status=sleeping").status == 422)
        #expect(try await s.call("GET", "/campaigns?cursor=%21%21").status == 422)
        let huge = try await s.call("POST", "/campaigns", json: "{\"name\": \"" + String(repeating: "x", count: 2 << 20) + "\"}")
        #expect(huge.status == 413)
    }

    @Test func runningCampaignsPauseStopAndRefuseDeletion() async throws {
        let s = try Service(maxConcurrent: 1)
        let id = try #require(try await s.call("POST", "/campaigns", json: realtime).json["id"]?.stringValue)
        // One running is the most: another is refused and not stored.
        let second = try await s.call("POST", "/campaigns", json: realtime)
        #expect(second.status == 409)
        #expect(try await s.call("GET", "/campaigns").json["items"]?.arrayValue?.count == 1)
        #expect(try await s.call("DELETE", "/campaigns/\(id)").status == 409)

        #expect(try await s.call("POST", "/campaigns/\(id)/pause").json["paused"] == true)
        #expect(try await s.call("GET", "/campaigns/\(id)").json["paused"] == true)
        #expect(try await s.call("POST", "/campaigns/\(id)/unpause").json["paused"] == false)
        try await Task.sleep(for: .milliseconds(500))
        let live = try await s.call("GET", "/campaigns/\(id)/stats").json
        #expect(live["status"] == "running" && (live.at("per_symbol.BTCUSDT.iterations")?.intValue ?? 0) > 0)

        let stopped = try await s.call("POST", "/campaigns/\(id)/stop")
        #expect(stopped.status == 200 && stopped.json["status"] == "stopped" && stopped.json["stop_reason"] == "requested")
        #expect(try await s.call("GET", "/campaigns/\(id)/stats").json["status"] == "stopped")
        #expect(try await s.call("POST", "/campaigns/\(id)/stop").status == 409)
        #expect(try await s.call("POST", "/campaigns/\(id)/pause").status == 409)
        #expect(try await s.call("DELETE", "/campaigns/\(id)").status == 204)
        #expect(try await s.call("GET", "/campaigns/\(id)").status == 404)
    }

    @Test func onlyAnInterruptedCampaignResumesAndAPatchSurvivesTheInterruption() async throws {
        let s = try Service(maxConcurrent: 1)
        #expect(try await s.call("POST", "/campaigns/nope/resume").status == 404)
        let id = try #require(try await s.call("POST", "/campaigns", json: realtime).json["id"]?.stringValue)
        #expect(try await s.call("POST", "/campaigns/\(id)/resume").status == 409)  // running
        let patched = try await s.call("PATCH", "/campaigns/\(id)", json: #"{"strategy": {"entry_threshold_bps": 42}}"#)
        #expect(patched.status == 200)
        try await Task.sleep(for: .milliseconds(300))

        // A shutdown halts it with a last checkpoint, nothing unwound.
        #expect(await s.manager.interruptAll().isEmpty)
        let halted = try await s.call("GET", "/campaigns/\(id)")
        #expect(halted.json["status"] == "interrupted" && halted.json["stop_reason"] == "interrupted")
        #expect((halted.json.at("checkpoint.sequence")?.intValue ?? 0) >= 1)
        #expect(try await s.call("GET", "/campaigns/\(id)/stats").json["status"] == "interrupted")
        // A slot is taken by another campaign: the resume is refused and changes nothing.
        let other = try #require(try await s.call("POST", "/campaigns", json: realtime).json["id"]?.stringValue)
        #expect(try await s.call("POST", "/campaigns/\(id)/resume").status == 409)
        #expect(try await s.call("GET", "/campaigns/\(id)").json["status"] == "interrupted")
        _ = try await s.call("POST", "/campaigns/\(other)/stop")

        let resumed = try await s.call("POST", "/campaigns/\(id)/resume")
        #expect(resumed.status == 200 && resumed.json["status"] == "running" && resumed.json["stop_reason"] == .null)
        #expect(resumed.json.at("config.strategy.entry_threshold_bps") == 42)
        let live = try await s.call("GET", "/campaigns/\(id)/stats").json
        #expect(live["status"] == "running")
        let stopped = try await s.call("POST", "/campaigns/\(id)/stop")
        #expect(stopped.json["status"] == "stopped")
        #expect(try await s.call("POST", "/campaigns/\(id)/resume").status == 409)  // finished
    }

    @Test func theTokenGuardsEveryMutationAndNeverShows() async throws {
        let token = "s3cret-token-value"
        let s = try Service(token: token)
        let anonymous = try await s.call("POST", "/campaigns", json: simulated)
        #expect(anonymous.status == 401 && anonymous.headers["www-authenticate"] == "Bearer")
        #expect(try await s.call("POST", "/campaigns", json: simulated, headers: ["Authorization": "Bearer wrong"]).status == 401)
        #expect(try await s.call("DELETE", "/campaigns/x").status == 401)
        #expect(try await s.call("PUT", "/campaigns").status == 405)  // an unknown method is 405 first
        #expect(try await s.call("POST", "/nowhere").status == 404)
        #expect(try await s.call("GET", "/campaigns").json["items"] == [])  // nothing created, reads need no token
        let ok = try await s.call("POST", "/campaigns", json: simulated, headers: ["Authorization": "Bearer \(token)"])
        #expect(ok.status == 201 && !ok.text.contains(token))
    }
}
}
