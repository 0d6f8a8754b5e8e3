import ArbCore
import Foundation
import MicroHTTPD

/// Request bodies and JSON responses.
enum JSONBody {
    /// The body as a JSON value: `{}` when empty; 415 for another content type, 400 for malformed JSON.
    static func parse(_ request: HTTPRequest) -> Result<JSONValue, HTTPResponseError> {
        if request.body.isEmpty { return .success(.object([:])) }
        let type = (request.header("Content-Type") ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        guard type == "application/json" else {
            return .failure(HTTPResponseError(Problem.response(
                status: 415, title: "Unsupported Media Type",
                detail: "send the body as application/json (got \(type.isEmpty ? "no Content-Type" : type))")))
        }
        do {
            return .success(try JSONValue(parsing: request.body))
        } catch {
            return .failure(HTTPResponseError(Problem.response(status: 400, title: "Bad Request",
                                                               detail: "the body is not valid JSON")))
        }
    }

    static func response(_ value: JSONValue, status: Int = 200, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers,
                     body: value.renderedBytes())
    }

    /// A `Codable` value as a JSON tree with snake_case keys.
    static func tree<T: Encodable>(_ value: T) -> JSONValue {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard let data = try? encoder.encode(value), let tree = try? JSONValue(parsing: Array(data)) else {
            return .null
        }
        return tree
    }
}

/// A response to send instead of the normal one.
struct HTTPResponseError: Error {
    let response: HTTPResponse
    init(_ response: HTTPResponse) { self.response = response }
}
