import MicroHTTPD

/// Path parameters of a matched route (`{id}` → value).
public struct PathParameters: Sendable {
    var values: [String: String] = [:]
    public subscript(name: String) -> String { values[name] ?? "" }
}

/// Method + path template → handler. Unknown paths answer 404; known paths with another method answer 405 with
/// `Allow`. Templates are literal segments and `{name}` segments.
public struct Router: Sendable {
    public typealias Handler = @Sendable (HTTPRequest, PathParameters) -> HTTPResponse

    struct Route: Sendable {
        let method: String
        let template: String
        let segments: [Substring]
        let handler: Handler
        /// Literal segments: of the templates a path matches, the one with the most names the resource
        /// (`/campaigns/compare` before `/campaigns/{id}`).
        var literals: Int { segments.filter { !$0.hasPrefix("{") }.count }
    }

    private var routes: [Route] = []

    public init() {}

    /// Every route as `METHOD /template`.
    public var operations: Set<String> { Set(routes.map { "\($0.method) \($0.template)" }) }

    public mutating func add(_ method: String, _ template: String, _ handler: @escaping Handler) {
        routes.append(Route(method: method, template: template, segments: template.split(separator: "/"), handler: handler))
    }

    /// The route template a request matches (for metrics labels), or nil.
    public func template(for path: String) -> String? {
        let parts = Array(path.split(separator: "/", omittingEmptySubsequences: false).dropFirst())
        return resource(parts).first?.route.template
    }

    /// The routes of the most specific template(s) `parts` matches, with their parameters.
    private func resource(_ parts: [Substring]) -> [(route: Route, parameters: PathParameters)] {
        var found: [(route: Route, parameters: PathParameters)] = []
        var best = -1
        for route in routes {
            guard let parameters = Self.match(route.segments, parts) else { continue }
            let literals = route.literals
            if literals > best {
                best = literals
                found = []
            }
            if literals == best { found.append((route, parameters)) }
        }
        return found
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        switch resolve(request) {
        case .success(let (handler, parameters)): return handler(request, parameters)
        case .failure(let refusal): return refusal.response
        }
    }

    /// A 404 or 405 answer.
    public struct Refusal: Error {
        public let response: HTTPResponse
    }

    /// The handler of a request, or the 404 / 405 (with `Allow`) to answer instead.
    public func resolve(_ request: HTTPRequest) -> Result<(Handler, PathParameters), Refusal> {
        let parts = Array(request.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst())
        var allowed: [String] = []
        for (route, parameters) in resource(parts) {
            if route.method == request.method || (request.method == "HEAD" && route.method == "GET") {
                return .success((route.handler, parameters))
            }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        if allowed.isEmpty {
            return .failure(Refusal(response: Problem.response(status: 404, title: "Not Found",
                                                               detail: "no route \(request.method) \(request.path)")))
        }
        var response = Problem.response(status: 405, title: "Method Not Allowed",
                                        detail: "\(request.path) allows \(allowed.joined(separator: ", "))")
        response.headers.append(("Allow", allowed.joined(separator: ", ")))
        return .failure(Refusal(response: response))
    }

    static func match(_ template: [Substring], _ parts: [Substring]) -> PathParameters? {
        guard template.count == parts.count else { return nil }
        var parameters = PathParameters()
        for (t, p) in zip(template, parts) {
            if t.hasPrefix("{") && t.hasSuffix("}") {
                guard !p.isEmpty else { return nil }
                parameters.values[String(t.dropFirst().dropLast())] = String(p)
            } else if t != p {
                return nil
            }
        }
        return parameters
    }
}
