import ArbCore
import MicroHTTPD

/// Typed query parameters; a bad value is a 422 naming the parameter.
struct Query {
    let values: [String: String]

    init(_ request: HTTPRequest) throws(ServiceError) { values = request.query }

    func string(_ name: String) -> String? { values[name] }

    /// `limit`: 1…1000, default 100.
    func limit() throws(ServiceError) -> Int {
        guard let text = values["limit"] else { return 100 }
        guard let n = Int(text), (1...1000).contains(n) else {
            throw .invalid(ConfigError(field: "limit", "must be an integer 1…1000, got \"\(text)\""))
        }
        return n
    }

    func enumeration<E: RawRepresentable>(_ name: String, _ type: E.Type) throws(ServiceError) -> E? where E.RawValue == String {
        guard let text = values[name] else { return nil }
        guard let value = E(rawValue: text) else {
            throw .invalid(ConfigError(field: name, "\"\(text)\" is not a valid \(name)"))
        }
        return value
    }

    /// A route key: a USDT symbol (`BTCUSDT`), with `@a-b` for a pair other than the seed's (`BTCUSDT@bithumb-okx`).
    func symbol(_ name: String) throws(ServiceError) -> String? {
        guard let text = values[name] else { return nil }
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        let symbol = String(parts[0])
        let pairOK = parts.count == 1 || parts[1].split(separator: "-", omittingEmptySubsequences: false).map { venue in
            !venue.isEmpty && venue.count <= 20 && venue.utf8.allSatisfy { $0 >= 97 && $0 <= 122 }
        } == [true, true]
        guard Route.base(ofSymbol: symbol) != nil, symbol.count <= 24, pairOK,
              symbol.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) })
        else { throw .invalid(ConfigError(field: name, "\"\(text)\" is not a route key like BTCUSDT or BTCUSDT@bithumb-okx")) }
        return text
    }
}
