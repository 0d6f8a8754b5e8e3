import ArbCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// The live listing (SPEC §3.1): Binance's USDT symbols that trade, with their 24 h quote volume
/// (`GET /api/v3/ticker/24hr`) and rules (`GET /api/v3/exchangeInfo`: tick, step, minimum notional), joined with
/// Upbit's KRW markets (`GET /v1/market/all`) and their prices (`GET /v1/ticker/all`), from which Upbit's tick
/// comes (its KRW tick table). `TOP_N` then ranks by the Binance quote volume.
public struct ExchangeListing: Sendable {
    public struct FetchError: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    let binanceBase: String
    let upbitBase: String
    let timeout: TimeInterval

    public init(binanceRESTURL: String, upbitRESTURL: String, timeout: TimeInterval = 15) {
        binanceBase = binanceRESTURL.trimmingSuffix("/")
        upbitBase = upbitRESTURL.trimmingSuffix("/")
        self.timeout = timeout
    }

    /// Upbit's KRW market rules: 8 decimal places of quantity and a 5,000 KRW minimum order.
    static let upbitStep = Fixed(raw: 1)
    static let upbitMinNotional = Fixed(5_000)

    public func fetch() async throws(FetchError) -> [ListingEntry] {
        // The four requests run together and each ends on its own: none is cancelled when another fails
        // (cancelling an in-flight URLSession request can deadlock FoundationNetworking).
        async let tickers = get(binanceBase + "/api/v3/ticker/24hr?type=MINI")
        async let info = get(binanceBase + "/api/v3/exchangeInfo?permissions=SPOT")
        async let markets = get(upbitBase + "/v1/market/all?is_details=false")
        async let upbitTickers = get(upbitBase + "/v1/ticker/all?quote_currencies=KRW")
        let (t, i, m, u) = await (tickers, info, markets, upbitTickers)
        return try Self.join(binanceTickers: t.get(), exchangeInfo: i.get(), upbitMarkets: m.get(), upbitTickers: u.get())
    }

    /// Builds the listing from the four answers (pure: unit-tested on fixtures).
    static func join(binanceTickers: Data, exchangeInfo: Data, upbitMarkets: Data,
                     upbitTickers: Data) throws(FetchError) -> [ListingEntry] {
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
        struct Market: Decodable { var market: String }
        struct UpbitTicker: Decodable { var market: String; var trade_price: Double }

        func decode<T: Decodable>(_ type: T.Type, _ data: Data, _ what: String) throws(FetchError) -> T {
            do { return try JSONDecoder().decode(type, from: data) } catch {
                throw FetchError(message: "\(what): unexpected answer (\(String(decoding: data.prefix(120), as: UTF8.self)))")
            }
        }
        let tickers = try decode([Ticker].self, binanceTickers, "Binance ticker/24hr")
        let info = try decode(Info.self, exchangeInfo, "Binance exchangeInfo")
        let markets = try decode([Market].self, upbitMarkets, "Upbit market/all")
        let upbitPrices = try decode([UpbitTicker].self, upbitTickers, "Upbit ticker/all")

        var krwPrice: [String: Double] = [:]
        for t in upbitPrices { krwPrice[t.market] = t.trade_price }
        let upbitKRW = Set(markets.map(\.market).filter { $0.hasPrefix("KRW-") })
        var volume: [String: (Double, Double)] = [:]
        for t in tickers {
            guard let q = Double(t.quoteVolume), let p = Double(t.lastPrice) else { continue }
            volume[t.symbol] = (q, p)
        }
        var entries: [ListingEntry] = []
        for s in info.symbols where s.quoteAsset == "USDT" && s.status == "TRADING" {
            guard let (quoteVolume, price) = volume[s.symbol], price > 0 else { continue }
            func filter(_ type: String) -> Filter? { s.filters.first { $0.filterType == type } }
            guard let tick = filter("PRICE_FILTER")?.tickSize.flatMap(Fixed.init), tick.isPositive,
                  let step = filter("LOT_SIZE")?.stepSize.flatMap(Fixed.init), step.isPositive else { continue }
            let minNotional = (filter("NOTIONAL")?.minNotional ?? filter("MIN_NOTIONAL")?.minNotional).flatMap(Fixed.init) ?? Fixed(5)
            let binance = Instrument(tick: tick, step: step, minNotional: minNotional)
            let market = "KRW-" + s.baseAsset
            var upbit: Instrument?
            if upbitKRW.contains(market) {
                // No KRW price yet (a new listing): the Binance price at 1,400 KRW per USDT picks the band.
                let krw = krwPrice[market] ?? price * 1_400
                upbit = Instrument(tick: UpbitTickTable.tick(forPrice: krw), step: upbitStep, minNotional: upbitMinNotional)
            }
            entries.append(ListingEntry(symbol: s.symbol, base: s.baseAsset, quoteVolumeUSD: quoteVolume,
                                        referencePriceUSD: price, upbit: upbit, binance: binance))
        }
        return entries
    }

    private func get(_ url: String) async -> Result<Data, FetchError> {
        guard let u = URL(string: url) else { return .failure(FetchError(message: "\(url) is not a URL")) }
        var request = URLRequest(url: u, timeoutInterval: timeout)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        return await withCheckedContinuation { (done: CheckedContinuation<Result<Data, FetchError>, Never>) in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    done.resume(returning: .failure(FetchError(message: "GET \(url): \(error.localizedDescription)")))
                    return
                }
                let http = response as? HTTPURLResponse
                guard let http, http.statusCode == 200, let data else {
                    let retry = http?.value(forHTTPHeaderField: "Retry-After").map { " (retry after \($0) s)" } ?? ""
                    done.resume(returning: .failure(FetchError(message: "GET \(url): HTTP \(http?.statusCode ?? 0)\(retry)")))
                    return
                }
                done.resume(returning: .success(data))
            }.resume()
        }
    }
}

/// The newest live listing per pair of REST bases, fetched before a campaign is built (its constructor does
/// no I/O) and kept for later reads of the same campaign's universe.
final class ListingCache: Sendable {
    private struct Entry {
        var listing: [ListingEntry]
        var fetchedAt: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// A listing younger than this is reused rather than fetched again.
    let maxAge: TimeInterval = 60

    func key(_ live: LiveConfig) -> String { live[.binance].restURL + " " + live[.upbit].restURL }

    func listing(_ live: LiveConfig) -> [ListingEntry]? { entries.withLock { $0[key(live)]?.listing } }

    func refresh(_ live: LiveConfig, force: Bool = false) async throws(ExchangeListing.FetchError) -> [ListingEntry] {
        if !force, let e = entries.withLock({ $0[key(live)] }), Date().timeIntervalSince(e.fetchedAt) < maxAge {
            return e.listing
        }
        let listing = try await ExchangeListing(binanceRESTURL: live[.binance].restURL, upbitRESTURL: live[.upbit].restURL).fetch()
        entries.withLock { $0[key(live)] = Entry(listing: listing, fetchedAt: Date()) }
        return listing
    }
}
