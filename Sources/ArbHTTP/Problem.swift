import ArbCore
import MicroHTTPD

/// RFC 9457 problem details (`application/problem+json`), with `errors: [{field, message}]` for validation.
public enum Problem {
    public static func response(status: Int, title: String, detail: String, errors: [ConfigIssue] = []) -> HTTPResponse {
        var body: [String: JSONValue] = [
            "type": "about:blank", "title": .string(title), "status": .int(Int64(status)), "detail": .string(detail),
        ]
        if !errors.isEmpty {
            body["errors"] = .array(errors.map { ["field": .string($0.field), "message": .string($0.message)] })
        }
        return HTTPResponse(status: status, contentType: "application/problem+json",
                            body: JSONValue.object(body).rendered(pretty: false))
    }

    public static func invalid(_ error: ConfigError) -> HTTPResponse {
        response(status: 422, title: "Unprocessable Content",
                 detail: error.issues.map(\.description).joined(separator: "; "), errors: error.issues)
    }
}
