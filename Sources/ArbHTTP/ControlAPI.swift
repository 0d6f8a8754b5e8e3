import ArbCore
import Foundation
import MicroHTTPD

/// The JSON control API (SPEC §3.9) over the campaign manager.
public struct ControlAPI: Sendable {
    public struct Options: Sendable {
        /// When set, POST, PATCH and DELETE need `Authorization: Bearer <token>`.
        public var apiToken: String?
        public var version: String
        /// The OpenAPI document served at `/openapi.yaml`.
        public var openAPI: String
        /// Renders `GET /metrics` (Prometheus text format); nil = 404.
        public var metrics: (@Sendable () async -> [UInt8])?
        /// Why the service is not ready (nil when it is): `GET /readyz` answers 503 with it.
        public var readiness: (@Sendable () -> String?)?
        /// Told of every request: route template (nil when unmatched), method, status, seconds.
        public var observe: (@Sendable (String?, String, Int, Double) -> Void)?
        /// The live feeds, whose health `GET /venues` shows; nil = every venue `idle`.
        public var feeds: FeedStatus?
        /// The sweeps (`/sweeps`); nil = those routes answer 404.
        public var sweeps: (any SweepOperations)?

        public init(apiToken: String? = nil, version: String) {
            self.apiToken = apiToken
            self.version = version
            self.openAPI = (try? YAMLText.render(OpenAPIDocument.build(version: version))) ?? ""
        }
    }

    let manager: any CampaignOperations
    let options: Options
    public let router: Router

    public init(manager: any CampaignOperations, options: Options) {
        self.manager = manager
        self.options = options
        var r = Router()
        Self.register(&r, manager: manager, options: options)
        Self.registerDetails(&r, manager: manager)
        Self.registerRoutes(&r, manager: manager, feeds: options.feeds)
        if let sweeps = options.sweeps { Self.registerSweeps(&r, sweeps: sweeps) }
        router = r
    }

    /// The handler to give the HTTP server.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        guard let observe = options.observe else { return route(request) }
        let start = ContinuousClock.now
        let response = route(request)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        observe(router.template(for: request.path), request.method, response.status, seconds)
        return response
    }

    /// Unknown routes and methods are answered first (404, 405); then a mutation needs the token.
    private func route(_ request: HTTPRequest) -> HTTPResponse {
        let (handler, parameters): (Router.Handler, PathParameters)
        switch router.resolve(request) {
        case .success(let resolved): (handler, parameters) = resolved
        case .failure(let refusal): return refusal.response
        }
        if ["POST", "PATCH", "DELETE"].contains(request.method), let token = options.apiToken,
           !Self.authorized(request, token: token) {
            var response = Problem.response(status: 401, title: "Unauthorized",
                                            detail: "this request needs Authorization: Bearer <token>")
            response.headers.append(("WWW-Authenticate", "Bearer"))
            return response
        }
        return handler(request, parameters)
    }

    static func authorized(_ request: HTTPRequest, token: String) -> Bool {
        guard let header = request.header("Authorization"), header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.dropFirst(7).utf8), expected = Array(token.utf8)
        // Compare in time independent of where the first difference is.
        var diff = given.count ^ expected.count
        for i in 0..<expected.count { diff |= Int(expected[i] ^ (i < given.count ? given[i] : 0)) }
        return diff == 0
    }

    // MARK: Routes

    static func register(_ r: inout Router, manager: any CampaignOperations, options: Options) {
        registerService(&r, options: options)
        registerCampaigns(&r, manager: manager)
        registerRecords(&r, manager: manager)
        registerTransfers(&r, manager: manager)
    }

    /// Health, version, the OpenAPI document and the metrics.
    static func registerService(_ r: inout Router, options: Options) {
        r.add("GET", "/healthz") { _, _ in JSONBody.response(["status": "ok"]) }
        let readiness = options.readiness
        r.add("GET", "/readyz") { _, _ in
            if let reason = readiness?() { return Problem.response(status: 503, title: "Service Unavailable", detail: reason) }
            return JSONBody.response(["status": "ready"])
        }
        r.add("GET", "/version") { _, _ in JSONBody.response(["version": .string(options.version), "name": "arbitrage"]) }
        let document = options.openAPI
        r.add("GET", "/openapi.yaml") { _, _ in HTTPResponse(status: 200, contentType: "application/yaml", body: document) }
        if let metrics = options.metrics {
            r.add("GET", "/metrics") { _, _ in
                HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                             body: blocking { await metrics() })
            }
        }
    }

    /// Creating, listing, reading, deleting and controlling campaigns.
    static func registerCampaigns(_ r: inout Router, manager: any CampaignOperations) {
        r.add("POST", "/campaigns") { request, _ in
            withBody(request) { body in
                guard case .object = body else {
                    return Problem.invalid(ConfigError(field: "(root)", "the body must be a JSON object, got \(body.typeName)"))
                }
                return respond(status: 201) {
                    let record = try await manager.create(body)
                    return (CampaignBody(record, paused: false), [("Location", "/campaigns/\(record.id)")])
                }
            }
        }
        r.add("GET", "/campaigns") { request, _ in
            answer {
                let q = try Query(request)
                let status = try q.enumeration("status", CampaignStatus.self)
                let page = try manager.list(status: status, limit: try q.limit(), cursor: q.string("cursor"))
                return (ListBody(page.items.map { CampaignBody($0, paused: nil) }, next: page.nextCursor), [])
            }
        }
        // Before /campaigns/{id}, which would take `compare` for an id.
        r.add("GET", "/campaigns/compare") { request, _ in
            answer {
                let ids = try compareIds(try Query(request))
                var campaigns: [(label: String, stats: StatsReport)] = []
                for id in ids { campaigns.append((id, try manager.stats(id: id))) }
                return (StatsComparison.compare(campaigns), [])
            }
        }
        r.add("GET", "/campaigns/{id}") { _, p in
            answer {
                let record = try manager.campaign(id: p["id"])
                return (CampaignBody(record, paused: manager.isPaused(id: record.id)), [])
            }
        }
        r.add("DELETE", "/campaigns/{id}") { _, p in
            respond(status: 204) {
                try await manager.delete(id: p["id"])
                return (nil as JSONValue?, [])
            }
        }
        r.add("POST", "/campaigns/{id}/stop") { _, p in
            respond {
                let record = try await manager.stop(id: p["id"])
                return (CampaignBody(record, paused: nil), [])
            }
        }
        for (path, paused) in [("pause", true), ("unpause", false)] {
            r.add("POST", "/campaigns/{id}/\(path)") { _, p in
                respond {
                    let record = try await manager.setPaused(id: p["id"], paused)
                    return (CampaignBody(record, paused: paused), [])
                }
            }
        }
    }

    /// `ids`: 2 to `StatsComparison.maxCampaigns` distinct campaign ids, comma-separated.
    static func compareIds(_ q: Query) throws(ServiceError) -> [String] {
        func invalid(_ message: String) -> ServiceError { .invalid(ConfigError(field: "ids", message)) }
        guard let text = q.string("ids"), !text.isEmpty else { throw invalid("required: the campaigns to compare, comma-separated") }
        let ids = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        guard ids.allSatisfy({ !$0.isEmpty }) else { throw invalid("an empty id in \"\(text)\"") }
        guard ids.count >= 2 && ids.count <= StatsComparison.maxCampaigns else {
            throw invalid("\(ids.count) id(s); a comparison takes 2 to \(StatsComparison.maxCampaigns)")
        }
        guard Set(ids).count == ids.count else { throw invalid("an id appears twice") }
        return ids
    }

    /// A campaign's stats, trades (JSON or CSV) and decisions.
    static func registerRecords(_ r: inout Router, manager: any CampaignOperations) {
        r.add("GET", "/campaigns/{id}/stats") { _, p in
            switch serviceResult({ try manager.statsJSON(id: p["id"]) }) {
            case .success(let body): return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
            case .failure(let error): return problem(error)
            }
        }
        r.add("GET", "/campaigns/{id}/trades") { request, p in
            if wantsCSV(request) {
                return csvPage(TradeCSV.render) {
                    let q = try Query(request)
                    return try manager.trades(id: p["id"], symbol: try q.symbol("symbol"), limit: try q.limit(),
                                              cursor: q.string("cursor"))
                }
            }
            return answer {
                let q = try Query(request)
                let page = try manager.tradesJSON(id: p["id"], symbol: try q.symbol("symbol"), limit: try q.limit(),
                                                  cursor: q.string("cursor"))
                return (ListBody(page.items.map(JSONBody.snakeCased), next: page.nextCursor), [])
            }
        }
        r.add("GET", "/campaigns/{id}/decisions") { request, p in
            answer {
                let q = try Query(request)
                let filter = DecisionFilter(tier: try q.enumeration("tier", RiskTier.self),
                                            outcome: try q.enumeration("outcome", DecisionOutcome.self),
                                            symbol: try q.symbol("symbol"))
                let page = try manager.decisionsJSON(id: p["id"], filter: filter, limit: try q.limit(),
                                                     cursor: q.string("cursor"))
                return (ListBody(page.items.map(JSONBody.snakeCased), next: page.nextCursor), [])
            }
        }
    }

    /// The request's JSON body handed to `then`, or the answer saying what is wrong with it (400, 413, 415).
    static func withBody(_ request: HTTPRequest, _ then: (JSONValue) -> HTTPResponse) -> HTTPResponse {
        switch JSONBody.parse(request) {
        case .success(let body): return then(body)
        case .failure(let error): return error.response
        }
    }

    /// Whether the client asked for CSV (`Accept: text/csv`).
    static func wantsCSV(_ request: HTTPRequest) -> Bool { (request.header("Accept") ?? "").contains("text/csv") }

    /// A page of records as CSV, the next cursor in `X-Next-Cursor`, or the read's error.
    static func csvPage<T>(_ render: ([T]) -> String, _ read: () throws -> Page<T>) -> HTTPResponse {
        switch serviceResult(read) {
        case .failure(let error):
            return problem(error)
        case .success(let page):
            var headers = [("Content-Type", "text/csv; charset=utf-8")]
            if let next = page.nextCursor { headers.append(("X-Next-Cursor", next)) }
            return HTTPResponse(status: 200, headers: headers, body: Array(render(page.items).utf8))
        }
    }

    /// Runs a service call that waits (a write, a campaign's start or stop) on a task while the polling thread
    /// waits for it, and turns its answer or its error into a response.
    static func respond<Body: Encodable & Sendable>(status: Int = 200,
                        _ work: @escaping @Sendable () async throws -> (Body?, [(String, String)])) -> HTTPResponse {
        response(status: status, blocking {
            do { return .success(try await work()) } catch let error as ServiceError {
                return .failure(error)
            } catch {
                return .failure(.unavailable("\(error)"))
            }
        })
    }

    /// Runs a read on the polling thread itself (reads never wait, see `CampaignStore`) and turns its answer or
    /// its error into a response.
    static func answer<Body: Encodable & Sendable>(status: Int = 200, _ work: () throws -> (Body?, [(String, String)])) -> HTTPResponse {
        response(status: status, serviceResult(work))
    }

    /// A read's outcome, any error it throws as a service error.
    static func serviceResult<T>(_ work: () throws -> T) -> Result<T, ServiceError> {
        do { return .success(try work()) } catch let error as ServiceError {
            return .failure(error)
        } catch {
            return .failure(.unavailable("\(error)"))
        }
    }

    static func response<Body: Encodable & Sendable>(status: Int, _ outcome: Result<(Body?, [(String, String)]), ServiceError>) -> HTTPResponse {
        switch outcome {
        case .success(let (value, headers)):
            guard let value else { return HTTPResponse(status: status, headers: headers) }
            do {
                return HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers,
                                    body: try JSONTree.renderedBytes(value))
            } catch {
                return Self.problem(.unavailable("the response could not be written: \(error)"))
            }
        case .failure(let error):
            return Self.problem(error)
        }
    }

    static func problem(_ error: ServiceError) -> HTTPResponse {
        switch error {
        case .invalid(let e): return Problem.invalid(e)
        case .notFound(let detail): return Problem.response(status: 404, title: "Not Found", detail: detail)
        case .conflict(let detail): return Problem.response(status: 409, title: "Conflict", detail: detail)
        case .unavailable(let detail): return Problem.response(status: 503, title: "Service Unavailable", detail: detail)
        }
    }
}
