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
        var bithumb: Rules?
        var okx: Rules?
        var bybit: Rules?
        /// 24h volume on the USDT venues other than Binance (`okx`, `bybit`); Binance's is `quote_volume_usd`.
        var volumes_usd: [String: Double]?

        func rules(_ venue: Venue) -> Rules? {
            switch venue {
            case .upbit: return upbit
            case .binance: return binance
            case .bithumb: return bithumb
            case .okx: return okx
            case .bybit: return bybit
            default: return nil
            }
        }
    }

    /// The listing in the file at `path`; errors name `field`, the config key that named the file.
    public static func load(path: String, field key: String = "universe.file") throws(ConfigError) -> [ListingEntry] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConfigError(field: key, "cannot read \(path): \(error.localizedDescription)")
        }
        let document: Document
        do { document = try JSONDecoder().decode(Document.self, from: data) } catch {
            throw ConfigError(field: key, "\(path) is not a universe file: \(describe(error))")
        }
        var result: [ListingEntry] = []
        for (i, e) in document.symbols.enumerated() {
            let field = "\(key): symbols[\(i)]"
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
            var instruments = PerVenue<Instrument?>(repeating: nil)
            for venue in Venue.allCases { instruments[venue] = try rules(e.rules(venue), venue.rawValue) }
            var volumes = PerVenue(0, except: [.binance: e.quote_volume_usd])
            for (name, volume) in e.volumes_usd ?? [:] {
                guard let venue = Venue(rawValue: name), !venue.isKRW, venue != .binance, volume >= 0 else {
                    throw ConfigError(field: "\(field).volumes_usd.\(name)",
                                      "volumes_usd names the USDT venues other than Binance (okx, bybit), each ≥ 0")
                }
                volumes[venue] = volume
            }
            result.append(ListingEntry(symbol: e.symbol, base: base, usdtVolumes: volumes,
                                       referencePriceUSD: e.reference_price_usd, instruments: instruments))
        }
        return result
    }

    /// `listing` with `extra`'s assets added and, for assets in both, the venues `extra` gives rules for replaced.
    public static func merge(_ listing: [ListingEntry], _ extra: [ListingEntry]) -> [ListingEntry] {
        var merged = listing
        var index = Dictionary(merged.enumerated().map { ($1.symbol, $0) }, uniquingKeysWith: { a, _ in a })
        for e in extra {
            guard let i = index[e.symbol] else {
                index[e.symbol] = merged.count
                merged.append(e)
                continue
            }
            for venue in Venue.allCases where e.instruments[venue] != nil {
                merged[i].instruments[venue] = e.instruments[venue]
                if e.usdtVolumes[venue] > 0 { merged[i].usdtVolumes[venue] = e.usdtVolumes[venue] }
            }
        }
        return merged
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
