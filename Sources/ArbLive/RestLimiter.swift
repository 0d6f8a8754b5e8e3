import ArbCore
import Foundation
import Synchronization

/// A venue's published REST limits (SPEC §8): what one IP may send, how much each call weighs, and how long to
/// stay away after the venue says "too many".
public struct RestRules: Sendable {
    public struct Limit: Sendable {
        public enum Scope: Sendable { case venue, endpoint }
        /// What the venue calls it, for logs and errors.
        public var name: String
        public var capacity: Int
        public var windowNs: Int64
        /// One budget for the venue, or one per path (OKX's and Upbit's per-endpoint limits).
        public var scope: Scope

        public init(name: String, capacity: Int, windowNs: Int64, scope: Scope = .venue) {
            self.name = name
            self.capacity = capacity
            self.windowNs = windowNs
            self.scope = scope
        }
    }

    public var limits: [Limit]
    /// Weight of a path (without its query), given the query; 1 where not listed.
    public var weight: @Sendable (_ path: String, _ query: String) -> Int
    /// How long a 429 keeps every call away when it carries no `Retry-After`.
    public var backoffNs: Int64
    /// Statuses that ban the IP for a while (Binance's 418, Bybit's 403) and how long when no `Retry-After` says.
    public var bans: [Int: Int64]
    /// Error codes in a body that mean "too many" whatever the status (OKX's 50011).
    public var limitCodes: [String]

    public init(limits: [Limit], weight: @escaping @Sendable (String, String) -> Int = { _, _ in 1 },
                backoffNs: Int64, bans: [Int: Int64] = [:], limitCodes: [String] = []) {
        self.limits = limits
        self.weight = weight
        self.backoffNs = backoffNs
        self.bans = bans
        self.limitCodes = limitCodes
    }

    static let second: Int64 = 1_000_000_000

    /// Each venue's published public-endpoint limits (sources in docs/venues.md).
    public static func published(_ venue: Venue) -> RestRules {
        switch venue {
        case .binance:
            // REQUEST_WEIGHT 6,000 a minute per IP; 24 h tickers of every symbol weigh 80, exchangeInfo 20.
            return RestRules(limits: [Limit(name: "REQUEST_WEIGHT", capacity: 6_000, windowNs: 60 * second)],
                             weight: { path, query in
                                 switch path {
                                 case "/api/v3/ticker/24hr": query.contains("symbol=") ? 2 : 80
                                 case "/api/v3/exchangeInfo": 20
                                 case "/api/v3/depth": 5
                                 default: 1
                                 }
                             },
                             backoffNs: 60 * second, bans: [418: 120 * second])
        case .upbit:
            // Quotation API: 10 calls a second per IP and endpoint group; a 418 follows repeated 429s.
            return RestRules(limits: [Limit(name: "quotation group", capacity: 10, windowNs: second, scope: .endpoint)],
                             backoffNs: second, bans: [418: 60 * second])
        case .bithumb:
            // 150 public calls a second per IP; excess blocks the IP for about a minute.
            return RestRules(limits: [Limit(name: "public", capacity: 150, windowNs: second)], backoffNs: 60 * second)
        case .okx:
            // 20 calls per 2 s per endpoint (instruments, tickers); over it, code 50011.
            return RestRules(limits: [Limit(name: "endpoint", capacity: 20, windowNs: 2 * second, scope: .endpoint)],
                             backoffNs: 2 * second, limitCodes: ["50011"])
        case .bybit:
            // 600 calls per 5 s per IP; over it, 403 "access too frequent" and at least 10 minutes away.
            return RestRules(limits: [Limit(name: "public", capacity: 600, windowNs: 5 * second)],
                             backoffNs: 5 * second, bans: [403: 600 * second])
        default:
            // A venue without published figures: 10 calls a second, a minute away after a 429.
            return RestRules(limits: [Limit(name: "default", capacity: 10, windowNs: second)], backoffNs: 60 * second)
        }
    }
}

/// Why the limiter did not let a call go.
public struct RestRefusal: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

/// One venue's REST budget for the whole process: calls wait for room in every limit's sliding window (at a
/// share of the published limit, so other tools on the IP keep theirs), and after a 429, 418 or ban every
/// call waits out the venue's `Retry-After`. A call that would wait past its deadline is refused at once.
public final class RestLimiter: Sendable {
    public let venue: Venue
    let rules: RestRules
    /// Each limit's capacity at the configured share.
    let capacities: [Int]
    let counters: FeedCounters
    private let state = Mutex(State())

    struct State {
        /// Per limit and key (the endpoint, or "" for the venue): the (time, weight) of calls still in the window.
        var windows: [[String: [(timeNs: Int64, weight: Int)]]] = []
        var blockedUntilNs: Int64 = 0
        var blockReason = ""
    }

    public init(venue: Venue, rules: RestRules, share: Double, counters: FeedCounters) {
        self.venue = venue
        self.rules = rules
        capacities = rules.limits.map { max(1, Int((Double($0.capacity) * share).rounded(.down))) }
        self.counters = counters
        state.withLock { $0.windows = Array(repeating: [:], count: rules.limits.count) }
    }

    /// Waits until a call to `path` fits every limit, then counts it; refuses when it could not go before
    /// `deadlineNs` (wall clock).
    public func acquire(path: String, query: String = "", deadlineNs: Int64) async throws(RestRefusal) {
        let weight = rules.weight(path, query)
        var waited: Int64 = 0
        defer {
            if waited > 0 {
                counters.restWaits.add(1, ordering: .relaxed)
                counters.restWaitNs.add(waited, ordering: .relaxed)
            }
        }
        while true {
            let now = MonotonicClock.wallNanoseconds()
            let wait = state.withLock { s -> Int64 in
                let wait = waitNs(&s, path: path, weight: weight, nowNs: now)
                if wait == 0 {
                    for (i, limit) in rules.limits.enumerated() {
                        s.windows[i][key(limit, path), default: []].append((now, weight))
                    }
                }
                return wait
            }
            if wait == 0 { return }
            if now + wait > deadlineNs {
                counters.restRefusals.add(1, ordering: .relaxed)
                throw RestRefusal(message: refusal(path: path, waitNs: wait, nowNs: now, deadlineNs: deadlineNs))
            }
            waited += wait
            try? await Task.sleep(nanoseconds: UInt64(wait))
        }
    }

    /// Reads an answer for the venue's "too many" signals: a 429 (or a limit code in the body) keeps every call
    /// away for `Retry-After` or the venue's back-off; a ban status for `Retry-After` or the venue's ban time.
    /// Returns what said so (`HTTP 429`, `code 50011`), nil for any other answer.
    @discardableResult
    public func observe(status: Int, retryAfter: String?, body: Data?) -> String? {
        let retryNs = retryAfter.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }.map { Int64($0 * 1e9) }
        var blockNs: Int64?
        var reason = ""
        if let ban = rules.bans[status] {
            blockNs = retryNs ?? ban
            reason = "HTTP \(status) (banned)"
        } else if status == 429 {
            blockNs = retryNs ?? rules.backoffNs
            reason = "HTTP 429"
        } else if let body, !rules.limitCodes.isEmpty {
            let text = String(decoding: body.prefix(200), as: UTF8.self)
            if let code = rules.limitCodes.first(where: { text.contains("\"code\":\"\($0)\"") }) {
                blockNs = retryNs ?? rules.backoffNs
                reason = "code \(code)"
            }
        }
        guard let blockNs else { return nil }
        counters.restLimited.add(1, ordering: .relaxed)
        let until = MonotonicClock.wallNanoseconds() + max(0, blockNs)
        state.withLock { s in
            if until > s.blockedUntilNs {
                s.blockedUntilNs = until
                s.blockReason = reason
            }
        }
        return reason
    }

    /// Wall time until which every call waits (0 = none).
    public var blockedUntilNs: Int64 { state.withLock { $0.blockedUntilNs } }

    private func key(_ limit: RestRules.Limit, _ path: String) -> String { limit.scope == .endpoint ? path : "" }

    /// How long a call of `weight` to `path` must wait from `nowNs`, dropping calls that left the windows.
    private func waitNs(_ s: inout State, path: String, weight: Int, nowNs: Int64) -> Int64 {
        var wait = max(0, s.blockedUntilNs - nowNs)
        for (i, limit) in rules.limits.enumerated() {
            let k = key(limit, path)
            var calls = s.windows[i][k] ?? []
            let start = nowNs - limit.windowNs
            if let firstKept = calls.firstIndex(where: { $0.timeNs > start }) {
                if firstKept > 0 { calls.removeFirst(firstKept) }
            } else {
                calls.removeAll()
            }
            s.windows[i][k] = calls
            var used = calls.reduce(0) { $0 + $1.weight }
            // A call heavier than the whole budget goes alone into an empty window.
            let room = max(capacities[i], weight)
            var j = 0
            while used + weight > room, j < calls.count {
                used -= calls[j].weight
                wait = max(wait, calls[j].timeNs + limit.windowNs - nowNs + 1)
                j += 1
            }
        }
        return wait
    }

    private func refusal(path: String, waitNs: Int64, nowNs: Int64, deadlineNs: Int64) -> String {
        let (blocked, reason) = state.withLock { ($0.blockedUntilNs, $0.blockReason) }
        let why = blocked > nowNs ? "\(venue.rawValue) asked to wait after \(reason)" : "\(venue.rawValue)'s REST limit is used up"
        return "\(venue.rawValue) REST \(path) not sent: \(why); the call would wait \(Self.seconds(waitNs)) s, past its deadline in \(Self.seconds(max(0, deadlineNs - nowNs))) s"
    }

    static func seconds(_ ns: Int64) -> String { String(format: "%.1f", Double(ns) / 1e9) }
}
