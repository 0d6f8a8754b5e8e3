/// What the core knows of one exchange. Adding a venue is an entry here (and, for live data, an adapter): the
/// engine, risk, paper exchange, stats and metrics read these facts and never a venue's name.
///
/// Fees and depths are the venues' published defaults (`../shared/exchange-samples/<venue>/FORMAT.md`); a campaign
/// overrides fees, latency, balances and limits per venue in its config.
public struct VenueInfo: Sendable {
    /// `upbit`: configs, route keys, stats and labels.
    public let name: String
    /// `KRW` or `USDT`.
    public let quote: String
    /// Whether the quote is KRW.
    public var krw: Bool { quote == "KRW" }
    /// `krw` by venue index: the hot path asks it per book update, and reading it through `all` copied a whole
    /// entry (its strings retained and released) to compare one.
    public static let krwFlags: [Bool] = all.map(\.krw)
    /// How the venue writes a market of a base asset.
    public let naming: MarketNaming
    /// One letter of order and fill ids (`U-O0000001`), unique per venue.
    public let idPrefix: String
    /// The taker fee of a regular account, in basis points.
    public let takerBps: Double
    /// Levels per side of the book the venue's feed gives (the synthetic market builds as many).
    public let bookLevels: Int
    /// The exchange id of Tardis.dev recordings; nil when Tardis does not record the venue.
    public let tardisExchange: String?
    /// The venue's typical spread against the seed's two venues' (the synthetic market draws its spreads with it).
    public let spreadScale: Double
    /// The public websocket and REST endpoints (`venue_config.<venue>.ws_url` and `rest_url` override them).
    public let wsURL: String
    public let restURL: String
    /// The venue's feed option (`venue_config.<venue>.feed`): what the adapter subscribes per market, and the
    /// values it takes.
    public let feedOptions: [String]

    /// The registry, in `Venue.index` order. Upbit and Binance keep indexes 0 and 1: checkpoints of the
    /// two-venue release hold their per-venue arrays in that order.
    public static let all: [VenueInfo] = [
        VenueInfo(name: "upbit", quote: "KRW", naming: .quoteDashBase, idPrefix: "U", takerBps: 5, bookLevels: 15,
                  tardisExchange: "upbit", spreadScale: 1, wsURL: "wss://api.upbit.com/websocket/v1",
                  restURL: "https://api.upbit.com", feedOptions: ["15", "5", "1", "30"]),
        VenueInfo(name: "binance", quote: "USDT", naming: .baseQuote, idPrefix: "B", takerBps: 10, bookLevels: 20,
                  tardisExchange: "binance", spreadScale: 1, wsURL: "wss://stream.binance.com:9443",
                  restURL: "https://api.binance.com",
                  feedOptions: ["depth20@100ms", "depth10@100ms", "depth5@100ms", "bookTicker"]),
        VenueInfo(name: "bithumb", quote: "KRW", naming: .quoteDashBase, idPrefix: "H", takerBps: 25, bookLevels: 15,
                  tardisExchange: nil, spreadScale: 1.4, wsURL: "wss://ws-api.bithumb.com/websocket/v1",
                  restURL: "https://api.bithumb.com", feedOptions: ["SIMPLE", "DEFAULT"]),
        VenueInfo(name: "okx", quote: "USDT", naming: .baseDashQuote, idPrefix: "O", takerBps: 10, bookLevels: 5,
                  tardisExchange: "okex", spreadScale: 1.1, wsURL: "wss://ws.okx.com:8443/ws/v5/public",
                  restURL: "https://openapi.okx.com", feedOptions: ["books5", "bbo-tbt", "books"]),
        VenueInfo(name: "bybit", quote: "USDT", naming: .baseQuote, idPrefix: "Y", takerBps: 10, bookLevels: 50,
                  tardisExchange: "bybit-spot", spreadScale: 1.2, wsURL: "wss://stream.bybit.com/v5/public/spot",
                  restURL: "https://api.bybit.com", feedOptions: ["50", "1", "200"]),
    ]

    /// The market of `base` on this venue: `KRW-BTC`, `BTCUSDT`, `BTC-USDT`.
    public func market(base: String) -> String { naming.market(base: base, quote: quote) }

    /// The base asset of one of this venue's markets in its quote; nil for another quote or form.
    public func base(ofMarket market: String) -> String? { naming.base(ofMarket: market, quote: quote) }

    /// The venue's `KRW-USDT` market, where a KRW venue's fx comes from.
    public var fxMarket: String? { quote == "KRW" ? naming.market(base: "USDT", quote: "KRW") : nil }
}

/// How a venue writes a market's symbol.
public enum MarketNaming: Sendable {
    /// `KRW-BTC` (Upbit, Bithumb).
    case quoteDashBase
    /// `BTCUSDT` (Binance, Bybit).
    case baseQuote
    /// `BTC-USDT` (OKX).
    case baseDashQuote

    public func market(base: String, quote: String) -> String {
        switch self {
        case .quoteDashBase: return quote + "-" + base
        case .baseQuote: return base + quote
        case .baseDashQuote: return base + "-" + quote
        }
    }

    public func base(ofMarket market: String, quote: String) -> String? {
        let base: Substring
        switch self {
        case .quoteDashBase:
            guard market.hasPrefix(quote + "-") else { return nil }
            base = market.dropFirst(quote.count + 1)
        case .baseQuote:
            guard market.hasSuffix(quote) else { return nil }
            base = market.dropLast(quote.count)
        case .baseDashQuote:
            guard market.hasSuffix("-" + quote) else { return nil }
            base = market.dropLast(quote.count + 1)
        }
        return base.isEmpty ? nil : String(base)
    }
}
