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

    /// A tree `Encodable` wrote (camelCase keys) with its keys as `tree` writes them: what `JSONEncoder`'s
    /// `convertToSnakeCase` does, without encoding the value again.
    static func snakeCased(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var out: [String: JSONValue] = [:]
            out.reserveCapacity(members.count)
            for (key, member) in members { out[snakeCase(key)] = snakeCased(member) }
            return .object(out)
        case .array(let items): return .array(items.map(snakeCased))
        default: return value
        }
    }

    /// `JSONEncoder.KeyEncodingStrategy.convertToSnakeCase` on one key: words split before an uppercase letter
    /// that follows a lowercase letter or a digit, and before the last capital of a run followed by a lowercase
    /// letter (`realizedPnlUSD` → `realized_pnl_usd`, `myURLValue` → `my_url_value`), then lowercased.
    static func snakeCase(_ key: String) -> String {
        let bytes = Array(key.utf8)
        func isUpper(_ b: UInt8) -> Bool { b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") }
        func isLower(_ b: UInt8) -> Bool { b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") }
        guard bytes.contains(where: isUpper) else { return key }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 4)
        for (i, b) in bytes.enumerated() {
            if isUpper(b) && i > 0 {
                let previous = bytes[i - 1]
                let nextIsLower = i + 1 < bytes.count && isLower(bytes[i + 1])
                if !isUpper(previous) && previous != UInt8(ascii: "_") || isUpper(previous) && nextIsLower {
                    out.append(UInt8(ascii: "_"))
                }
            }
            out.append(isUpper(b) ? b + 32 : b)
        }
        return String(decoding: out, as: UTF8.self)
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
