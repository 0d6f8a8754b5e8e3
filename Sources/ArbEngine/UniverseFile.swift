import ArbCore
import Foundation

/// Reads a universe file (JSON; format in docs/universe.md) into a listing.
public enum UniverseFile {
    struct Document: Decodable {
        var symbols: [Entry]
    }

    struct Rules: Decodable {
        var tick: String
        var step: String
        var min_notional: String
    }

    struct Entry: Decodable {
        var symbol: String
        var quote_volume_usd: Double
        var reference_price_usd: Double
        var upbit: Rules?
        var binance: Rules?
    }

    public static func load(path: String) throws(ConfigError) -> [ListingEntry] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConfigError(field: "universe.file", "cannot read \(path): \(error.localizedDescription)")
        }
        let document: Document
        do { document = try JSONDecoder().decode(Document.self, from: data) } catch {
            throw ConfigError(field: "universe.file", "\(path) is not a universe file: \(describe(error))")
        }
        var result: [ListingEntry] = []
        for (i, e) in document.symbols.enumerated() {
            let field = "universe.file: symbols[\(i)]"
            guard let base = Route.base(ofSymbol: e.symbol) else { throw ConfigError(field: field, "\(e.symbol) is not a USDT symbol") }
            guard e.reference_price_usd > 0, e.quote_volume_usd >= 0 else {
                throw ConfigError(field: field, "reference_price_usd must be > 0 and quote_volume_usd ≥ 0")
            }
            func rules(_ r: Rules?, _ venue: String) throws(ConfigError) -> Instrument? {
                guard let r else { return nil }
                guard let tick = Fixed(r.tick), let step = Fixed(r.step), let min = Fixed(r.min_notional),
                      tick.isPositive, step.isPositive, min.raw >= 0
                else { throw ConfigError(field: "\(field).\(venue)", "tick, step and min_notional must be positive decimals") }
                return Instrument(tick: tick, step: step, minNotional: min)
            }
            result.append(ListingEntry(symbol: e.symbol, base: base, quoteVolumeUSD: e.quote_volume_usd,
                                       referencePriceUSD: e.reference_price_usd, upbit: try rules(e.upbit, "upbit"),
                                       binance: try rules(e.binance, "binance")))
        }
        return result
    }

    static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let ctx)?: return "missing \(path(ctx.codingPath + [key]))"
        case .typeMismatch(_, let ctx)?, .valueNotFound(_, let ctx)?: return "wrong type at \(path(ctx.codingPath))"
        case .dataCorrupted(let ctx)?: return ctx.codingPath.isEmpty ? "malformed JSON" : "bad value at \(path(ctx.codingPath))"
        default: return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}
