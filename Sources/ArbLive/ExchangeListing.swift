import ArbCore
import Foundation
import Synchronization

/// The live listing (SPEC §3.1) over the campaign's venues, each read from its REST instruments and 24 h tickers
/// through the venue's limiter: Binance `exchangeInfo` + `ticker/24hr`, Upbit `market/all` + `ticker/all`,
/// Bithumb `market/all` + `ticker`, OKX `public/instruments` + `market/tickers`, Bybit `instruments-info` +
/// `tickers`. `TOP_N` then ranks by the summed USDT volume over the venues of the campaign's pairs.
public struct ExchangeListing: Sendable {
    public struct FetchError: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    let venues: [Venue]
    let live: LiveConfig
    let rest: RestClients

    public init(venues: [Venue], live: LiveConfig, rest: RestClients) {
        self.venues = venues
        self.live = live
        self.rest = rest
    }

    /// KRW markets' rules (Upbit's, which Bithumb follows): 8 decimal places of quantity, a 5,000 KRW minimum.
    static let krwStep = Fixed(raw: 1)
    static let krwMinNotional = Fixed(5_000)
    /// KRW per USDT that picks a KRW tick band for a market with no KRW price yet (a new listing).
    static let fallbackFx = 1_400.0
    /// Bithumb refuses longer `markets` lists (and long URLs).
    static let bithumbTickerChunk = 100

    /// One venue's market of an asset: its rules (nil for KRW markets: their tick band follows the price), last
    /// price in the venue's quote and 24 h volume in it.
    struct VenueMarket: Equatable {
        var instrument: Instrument?
        var price: Double?
        var quoteVolume: Double
    }

    public func fetch() async throws(FetchError) -> [ListingEntry] {
        // Every venue's requests run together and each ends on its own: none is cancelled when another fails
        // (cancelling an in-flight URLSession request can deadlock FoundationNetworking).
        let results = await withTaskGroup(of: (Venue, Result<[String: VenueMarket], FetchError>).self) { group in
            for venue in venues {
                group.addTask { (venue, await self.fetch(venue)) }
            }
            var all: [Venue: Result<[String: VenueMarket], FetchError>] = [:]
            for await (venue, result) in group { all[venue] = result }
            return all
        }
        var markets: [Venue: [String: VenueMarket]] = [:]
        for venue in venues {
            switch results[venue]! {
            case .success(let m): markets[venue] = m
            case .failure(let e): throw e
            }
        }
        return Self.join(markets)
    }

    private func fetch(_ venue: Venue) async -> Result<[String: VenueMarket], FetchError> {
        let base = live[venue].restURL
        let client = rest[venue]
        func get(_ path: String) async -> Result<Data, FetchError> {
            await client.get(base, path).mapError { FetchError(message: $0.message) }
        }
        do {
            switch venue {
            case .binance:
                async let tickers = get("/api/v3/ticker/24hr?type=MINI")
                async let info = get("/api/v3/exchangeInfo?permissions=SPOT")
                let (t, i) = await (tickers, info)
                return .success(try Self.binance(tickers: t.get(), exchangeInfo: i.get()))
            case .upbit:
                async let markets = get("/v1/market/all?is_details=false")
                async let tickers = get("/v1/ticker/all?quote_currencies=KRW")
                let (m, t) = await (markets, tickers)
                return .success(try Self.krw(.upbit, markets: m.get(), tickers: [t.get()]))
            case .bithumb:
                let markets = try await get("/v1/market/all?isDetails=false").get()
                let codes = try Self.krwMarkets(.bithumb, markets)
                var tickers: [Data] = []
                for chunk in codes.chunks(of: Self.bithumbTickerChunk) {
                    tickers.append(try await get("/v1/ticker?markets=" + chunk.joined(separator: ",")).get())
                }
                return .success(try Self.krw(.bithumb, markets: markets, tickers: tickers))
            case .okx:
                async let instruments = get("/api/v5/public/instruments?instType=SPOT")
                async let tickers = get("/api/v5/market/tickers?instType=SPOT")
                let (i, t) = await (instruments, tickers)
                return .success(try Self.okx(instruments: i.get(), tickers: t.get()))
            case .bybit:
                async let instruments = get("/v5/market/instruments-info?category=spot")
                async let tickers = get("/v5/market/tickers?category=spot")
                let (i, t) = await (instruments, tickers)
                return .success(try Self.bybit(instruments: i.get(), tickers: t.get()))
            default:
                return .failure(FetchError(message: "\(venue.rawValue) has no live listing"))
            }
        } catch {
            return .failure(error)
        }
    }

    // MARK: Per venue (pure: unit-tested on the recorded answers)

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data, _ what: String) throws(FetchError) -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw FetchError(message: "\(what): unexpected answer (\(String(decoding: data.prefix(120), as: UTF8.self)))")
        }
    }

    static func binance(tickers: Data, exchangeInfo: Data) throws(FetchError) -> [String: VenueMarket] {
        struct Ticker: Decodable { var symbol: String; var quoteVolume: String; var lastPrice: String }
        struct Filter: Decodable {
            var filterType: String
            var tickSize: String?
            var stepSize: String?
            var minNotional: String?
        }
        struct SymbolInfo: Decodable {
            var symbol: String
            var status: String
            var baseAsset: String
            var quoteAsset: String
            var filters: [Filter]
        }
        struct Info: Decodable { var symbols: [SymbolInfo] }
        var volume: [String: (Double, Double)] = [:]
        for t in try decode([Ticker].self, tickers, "Binance ticker/24hr") {
            guard let q = Double(t.quoteVolume), let p = Double(t.lastPrice) else { continue }
            volume[t.symbol] = (q, p)
        }
        var out: [String: VenueMarket] = [:]
        for s in try decode(Info.self, exchangeInfo, "Binance exchangeInfo").symbols where s.quoteAsset == "USDT" && s.status == "TRADING" {
            guard let (quoteVolume, price) = volume[s.symbol], price > 0 else { continue }
            func filter(_ type: String) -> Filter? { s.filters.first { $0.filterType == type } }
            guard let tick = filter("PRICE_FILTER")?.tickSize.flatMap(Fixed.init), tick.isPositive,
                  let step = filter("LOT_SIZE")?.stepSize.flatMap(Fixed.init), step.isPositive else { continue }
            // `NOTIONAL` replaced `MIN_NOTIONAL` in 2023; older answers carry only the latter.
            let minNotional = (filter("NOTIONAL")?.minNotional ?? filter("MIN_NOTIONAL")?.minNotional).flatMap(Fixed.init) ?? Fixed(5)
            out[s.baseAsset] = VenueMarket(instrument: Instrument(tick: tick, step: step, minNotional: minNotional),
                                           price: price, quoteVolume: quoteVolume)
        }
        return out
    }

    /// The KRW market codes of a `market/all` answer.
    static func krwMarkets(_ venue: Venue, _ markets: Data) throws(FetchError) -> [String] {
        struct Market: Decodable { var market: String }
        let name = venue.rawValue.capitalized
        return try decode([Market].self, markets, "\(name) market/all").map(\.market).filter { $0.hasPrefix("KRW-") }
    }

    /// Upbit's and Bithumb's KRW markets: the tick band follows the price, so the instrument is made in `join`.
    static func krw(_ venue: Venue, markets: Data, tickers: [Data]) throws(FetchError) -> [String: VenueMarket] {
        struct Ticker: Decodable {
            var market: String
            var trade_price: Double
            var acc_trade_price_24h: Double?
        }
        var out: [String: VenueMarket] = [:]
        for market in try krwMarkets(venue, markets) { out[String(market.dropFirst(4))] = VenueMarket(price: nil, quoteVolume: 0) }
        for body in tickers {
            for t in try decode([Ticker].self, body, "\(venue.rawValue.capitalized) ticker") where t.market.hasPrefix("KRW-") {
                let base = String(t.market.dropFirst(4))
                guard out[base] != nil, t.trade_price > 0 else { continue }
                out[base] = VenueMarket(price: t.trade_price, quoteVolume: t.acc_trade_price_24h ?? 0)
            }
        }
        return out
    }

    static func okx(instruments: Data, tickers: Data) throws(FetchError) -> [String: VenueMarket] {
        struct Inst: Decodable {
            var instId: String
            var baseCcy: String
            var quoteCcy: String
            var tickSz: String
            var lotSz: String
            var minSz: String?
            var state: String
        }
        struct Ticker: Decodable { var instId: String; var last: String; var volCcy24h: String }
        struct Answer<T: Decodable>: Decodable { var code: String; var msg: String?; var data: [T]? }
        func rows<T: Decodable>(_ type: T.Type, _ data: Data, _ what: String) throws(FetchError) -> [T] {
            let answer = try decode(Answer<T>.self, data, what)
            guard answer.code == "0", let rows = answer.data else {
                throw FetchError(message: "\(what): code \(answer.code) \(answer.msg ?? "")")
            }
            return rows
        }
        var last: [String: (Double, Double)] = [:]
        for t in try rows(Ticker.self, tickers, "OKX market/tickers") {
            guard let p = Double(t.last), let v = Double(t.volCcy24h) else { continue }
            last[t.instId] = (p, v)
        }
        var out: [String: VenueMarket] = [:]
        for i in try rows(Inst.self, instruments, "OKX public/instruments") where i.quoteCcy == "USDT" && i.state == "live" {
            guard let (price, volume) = last[i.instId], price > 0,
                  let tick = Fixed(i.tickSz), tick.isPositive, let step = Fixed(i.lotSz), step.isPositive else { continue }
            // No minimum notional for spot: the minimum size at the last price stands for it.
            let minSize = i.minSz.flatMap { Double($0) } ?? 0
            let minNotional = Fixed(Swift.max(1, (minSize * price * 100).rounded(.up) / 100))
            out[i.baseCcy] = VenueMarket(instrument: Instrument(tick: tick, step: step, minNotional: minNotional),
                                         price: price, quoteVolume: volume)
        }
        return out
    }

    static func bybit(instruments: Data, tickers: Data) throws(FetchError) -> [String: VenueMarket] {
        struct Lot: Decodable { var basePrecision: String; var minOrderAmt: String? }
        struct Price: Decodable { var tickSize: String }
        struct Inst: Decodable {
            var symbol: String
            var baseCoin: String
            var quoteCoin: String
            var status: String
            var lotSizeFilter: Lot
            var priceFilter: Price
        }
        struct Ticker: Decodable { var symbol: String; var lastPrice: String; var turnover24h: String }
        struct List<T: Decodable>: Decodable { var list: [T] }
        struct Answer<T: Decodable>: Decodable { var retCode: Int; var retMsg: String?; var result: List<T>? }
        func rows<T: Decodable>(_ type: T.Type, _ data: Data, _ what: String) throws(FetchError) -> [T] {
            let answer = try decode(Answer<T>.self, data, what)
            guard answer.retCode == 0, let result = answer.result else {
                throw FetchError(message: "\(what): retCode \(answer.retCode) \(answer.retMsg ?? "")")
            }
            return result.list
        }
        var last: [String: (Double, Double)] = [:]
        for t in try rows(Ticker.self, tickers, "Bybit tickers") {
            guard let p = Double(t.lastPrice), let v = Double(t.turnover24h) else { continue }
            last[t.symbol] = (p, v)
        }
        var out: [String: VenueMarket] = [:]
        for i in try rows(Inst.self, instruments, "Bybit instruments-info") where i.quoteCoin == "USDT" && i.status == "Trading" {
            guard let (price, volume) = last[i.symbol], price > 0,
                  let tick = Fixed(i.priceFilter.tickSize), tick.isPositive,
                  let step = Fixed(i.lotSizeFilter.basePrecision), step.isPositive else { continue }
            let minNotional = i.lotSizeFilter.minOrderAmt.flatMap(Fixed.init) ?? Fixed(5)
            out[i.baseCoin] = VenueMarket(instrument: Instrument(tick: tick, step: step, minNotional: minNotional),
                                          price: price, quoteVolume: volume)
        }
        return out
    }

    /// One entry per asset a USDT venue lists, or a KRW venue alone: its USD price from the first USDT venue in
    /// registry order that lists it (Binance, OKX, Bybit), else its KRW price at `fallbackFx`.
    static func join(_ markets: [Venue: [String: VenueMarket]]) -> [ListingEntry] {
        var bases = Set<String>()
        for m in markets.values { bases.formUnion(m.keys) }
        var entries: [ListingEntry] = []
        for base in bases.sorted() {
            var volumes = PerVenue(repeating: 0.0)
            var instruments = PerVenue<Instrument?>(repeating: nil)
            var usd: Double?
            for venue in Venue.allCases where !venue.info.krw {
                guard let m = markets[venue]?[base] else { continue }
                volumes[venue] = m.quoteVolume
                instruments[venue] = m.instrument
                if usd == nil { usd = m.price }
            }
            for venue in Venue.allCases where venue.info.krw {
                guard let m = markets[venue]?[base] else { continue }
                guard let krw = m.price ?? usd.map({ $0 * fallbackFx }) else { continue }
                if usd == nil { usd = krw / fallbackFx }
                instruments[venue] = Instrument(tick: UpbitTickTable.tick(forPrice: krw), step: krwStep, minNotional: krwMinNotional)
            }
            guard let usd, usd > 0, Venue.allCases.contains(where: { instruments[$0] != nil }) else { continue }
            entries.append(ListingEntry(symbol: base + "USDT", base: base, usdtVolumes: volumes, referencePriceUSD: usd,
                                        instruments: instruments))
        }
        return entries
    }
}

/// The newest live listing per set of venues and REST bases, fetched before a campaign is built (its constructor
/// does no I/O) and kept for later reads of the same campaign's universe.
final class ListingCache: Sendable {
    private struct Entry {
        var listing: [ListingEntry]
        var fetchedAt: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// A listing younger than this is reused rather than fetched again.
    let maxAge: TimeInterval = 60

    func key(_ venues: [Venue], _ live: LiveConfig) -> String {
        venues.map { "\($0.rawValue)=\(live[$0].restURL)" }.joined(separator: " ")
    }

    func listing(_ venues: [Venue], _ live: LiveConfig) -> [ListingEntry]? {
        entries.withLock { $0[key(venues, live)]?.listing }
    }

    func refresh(_ venues: [Venue], _ live: LiveConfig, rest: RestClients,
                 force: Bool = false) async throws(ExchangeListing.FetchError) -> [ListingEntry] {
        let key = key(venues, live)
        if !force, let e = entries.withLock({ $0[key] }), Date().timeIntervalSince(e.fetchedAt) < maxAge {
            return e.listing
        }
        let listing = try await ExchangeListing(venues: venues, live: live, rest: rest).fetch()
        entries.withLock { $0[key] = Entry(listing: listing, fetchedAt: Date()) }
        return listing
    }
}
