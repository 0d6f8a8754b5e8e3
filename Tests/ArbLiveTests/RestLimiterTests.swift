import ArbCore
import ArbLive
import Foundation
import MicroHTTPD
import Synchronization
import Testing

/// A venue's REST endpoint on real libmicrohttpd: it stamps every call's arrival and answers what the test
/// scripts (a 429 with `Retry-After`, a ban) before answering 200.
final class LimitedREST: @unchecked Sendable {
    final class Log: Sendable {
        let arrivals = Mutex<[Int64]>([])
        /// Answers to give, in order, before the 200s: status, `Retry-After`, body.
        let script = Mutex<[(Int, String?, String)]>([])
    }

    let server: HTTPServer
    let log = Log()

    init() throws {
        var c = HTTPServer.Configuration()
        c.port = 0
        let log = self.log
        server = HTTPServer(configuration: c) { _ in
            log.arrivals.withLock { $0.append(MonotonicClock.wallNanoseconds()) }
            if let (status, retry, body) = log.script.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                return HTTPResponse(status: status, headers: retry.map { [("Retry-After", $0)] } ?? [], body: Array(body.utf8))
            }
            return HTTPResponse(status: 200, contentType: "application/json", body: "[]")
        }
        try server.start()
    }

    var url: String { "http://127.0.0.1:\(server.port)" }
    var count: Int { log.arrivals.withLock { $0.count } }
}

@Suite(.serialized) struct RestLimiterTests {
    static let second: Int64 = 1_000_000_000

    func client(_ rules: RestRules, share: Double = 0.5, venue: Venue = .binance, timeout: TimeInterval = 15) -> (RestClient, FeedCounters) {
        let counters = FeedCounters()
        return (RestClient(limiter: RestLimiter(venue: venue, rules: rules, share: share, counters: counters), timeout: timeout), counters)
    }

    /// 15 calls at once against 10 a second at half share: never more than 5 in any second at the server, so the
    /// last ones go two seconds after the first; every call answered.
    @Test func callsNeverExceedTheShareOfTheLimit() async throws {
        let rest = try LimitedREST()
        defer { rest.server.stop() }
        let rules = RestRules(limits: [.init(name: "test", capacity: 10, windowNs: Self.second)], backoffNs: Self.second)
        let (client, counters) = client(rules)
        let ok = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<15 { group.addTask { (try? await client.get(rest.url, "/api/v3/ping?n=\(i)").get()) != nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(ok == 15)
        let times = rest.log.arrivals.withLock { $0 }.sorted()
        #expect(times.count == 15)
        // Arrivals may bunch a little behind their sends: a window a tenth shorter than the limiter's.
        for (i, t) in times.enumerated() {
            let inWindow = times[i...].prefix { $0 < t + Self.second * 9 / 10 }.count
            #expect(inWindow <= 5, "\(inWindow) calls within 0.9 s from call \(i)")
        }
        #expect(times.last! - times.first! >= Self.second * 19 / 10)
        #expect(counters.restRequests.load(ordering: .relaxed) == 15)
        #expect(counters.restWaits.load(ordering: .relaxed) >= 10)
        #expect(counters.restWaitNs.load(ordering: .relaxed) > 2 * Self.second)
        #expect(counters.restRefusals.load(ordering: .relaxed) == 0)
    }

    /// Binance's weights: 24 h tickers of every symbol weigh 80, so at a share of 0.02 of 6,000 (120) a second
    /// such call waits for the first to leave the window, where the light exchangeInfo fits beside it.
    @Test func weightsCountAgainstTheBudget() async throws {
        var rules = RestRules.published(.binance)
        rules.limits[0].windowNs = Self.second
        let limiter = RestLimiter(venue: .binance, rules: rules, share: 0.02, counters: FeedCounters())
        let far = MonotonicClock.wallNanoseconds() + 10 * Self.second
        try await limiter.acquire(path: "/api/v3/ticker/24hr", query: "type=MINI", deadlineNs: far)
        let start = MonotonicClock.wallNanoseconds()
        try await limiter.acquire(path: "/api/v3/exchangeInfo", deadlineNs: far)
        #expect(MonotonicClock.wallNanoseconds() - start < Self.second / 2)
        try await limiter.acquire(path: "/api/v3/ticker/24hr", query: "type=MINI", deadlineNs: far)
        #expect(MonotonicClock.wallNanoseconds() - start >= Self.second * 9 / 10)
    }

    /// A 429 with `Retry-After: 1` keeps the next call away for that second, whatever room the window has.
    @Test func aTooManyRequestsAnswerIsWaitedOut() async throws {
        let rest = try LimitedREST()
        defer { rest.server.stop() }
        rest.log.script.withLock { $0 = [(429, "1", #"{"code":-1003,"msg":"Too many requests"}"#)] }
        let (client, counters) = client(RestRules.published(.binance))
        let first = await client.get(rest.url, "/api/v3/exchangeInfo")
        #expect("\(first)".contains("HTTP 429 (retry after 1 s)"))
        let second = await client.get(rest.url, "/api/v3/exchangeInfo")
        #expect((try? second.get()) != nil)
        let times = rest.log.arrivals.withLock { $0 }
        #expect(times.count == 2 && times[1] - times[0] >= Self.second * 95 / 100)
        #expect(counters.restLimited.load(ordering: .relaxed) == 1)
        #expect(counters.restErrors.load(ordering: .relaxed) == 1)
        #expect(counters.restWaits.load(ordering: .relaxed) == 1)
    }

    /// Binance's 418 bans the IP for its `Retry-After`: a call that cannot wait that long is refused without
    /// reaching the venue, naming the ban; one that can waits it out.
    @Test func aBanRefusesCallsThatCannotWaitAndHoldsTheOthers() async throws {
        let rest = try LimitedREST()
        defer { rest.server.stop() }
        rest.log.script.withLock { $0 = [(418, "2", #"{"code":-1003,"msg":"Way too many requests; IP banned"}"#)] }
        let (hasty, counters) = client(RestRules.published(.binance), timeout: 1)
        _ = await hasty.get(rest.url, "/api/v3/exchangeInfo")
        let refused = await hasty.get(rest.url, "/api/v3/exchangeInfo")
        let text = "\(refused)"
        #expect(text.contains("not sent") && text.contains("HTTP 418 (banned)") && text.contains("past its deadline"), "\(text)")
        #expect(rest.count == 1)
        #expect(counters.restRefusals.load(ordering: .relaxed) == 1)
        // The same limiter, a patient call: it goes once the two seconds are over.
        let patient = RestClient(limiter: hasty.limiter, timeout: 10)
        let banned = rest.log.arrivals.withLock { $0[0] }
        #expect((try? await patient.get(rest.url, "/api/v3/exchangeInfo").get()) != nil)
        let times = rest.log.arrivals.withLock { $0 }
        #expect(times.count == 2 && times[1] - banned >= Self.second * 19 / 10)
    }

    /// Bybit's 403 "access too frequent" means ten minutes away; OKX's 50011 the two-second window.
    @Test func venueSpecificLimitSignalsBlock() async throws {
        let rest = try LimitedREST()
        defer { rest.server.stop() }
        rest.log.script.withLock { $0 = [(403, nil, "access too frequent"), (429, nil, #"{"code":"50011","msg":"Rate limit reached."}"#)] }
        let (bybit, _) = client(RestRules.published(.bybit), venue: .bybit, timeout: 5)
        _ = await bybit.get(rest.url, "/v5/market/tickers?category=spot")
        let until = bybit.limiter.blockedUntilNs - MonotonicClock.wallNanoseconds()
        #expect(until > 590 * Self.second && until <= 600 * Self.second)
        #expect("\(await bybit.get(rest.url, "/v5/market/tickers?category=spot"))".contains("HTTP 403 (banned)"))

        let (okx, counters) = client(RestRules.published(.okx), venue: .okx, timeout: 5)
        _ = await okx.get(rest.url, "/api/v5/market/tickers?instType=SPOT")
        let okxUntil = okx.limiter.blockedUntilNs - MonotonicClock.wallNanoseconds()
        #expect(okxUntil > Self.second && okxUntil <= 2 * Self.second)
        #expect(counters.restLimited.load(ordering: .relaxed) == 1)
        #expect(rest.count == 2)
    }

    /// OKX's limit is per endpoint: a full instruments budget does not hold the tickers.
    @Test func perEndpointLimitsAreSeparate() async throws {
        let limiter = RestLimiter(venue: .okx, rules: RestRules.published(.okx), share: 0.1, counters: FeedCounters())
        let soon = MonotonicClock.wallNanoseconds() + Self.second / 2
        try await limiter.acquire(path: "/api/v5/public/instruments", deadlineNs: soon)
        try await limiter.acquire(path: "/api/v5/public/instruments", deadlineNs: soon)
        await #expect(throws: RestRefusal.self) { try await limiter.acquire(path: "/api/v5/public/instruments", deadlineNs: soon) }
        try await limiter.acquire(path: "/api/v5/market/tickers", deadlineNs: soon)
    }
}
