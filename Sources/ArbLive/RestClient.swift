import ArbCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Every REST call of the process to one venue: through the venue's limiter, timed and counted into its feed
/// counters (the venue health reads them), and its "too many" answers fed back to the limiter.
public struct RestClient: Sendable {
    public let limiter: RestLimiter
    let timeout: TimeInterval

    public init(limiter: RestLimiter, timeout: TimeInterval = 15) {
        self.limiter = limiter
        self.timeout = timeout
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    /// GETs `base + pathAndQuery`; the body when the venue answered 200.
    public func get(_ base: String, _ pathAndQuery: String) async -> Result<Data, Failure> {
        let url = base.trimmingSuffix("/") + pathAndQuery
        guard let u = URL(string: url), let parts = URLComponents(url: u, resolvingAgainstBaseURL: false) else {
            return .failure(Failure(message: "\(url) is not a URL"))
        }
        let start = MonotonicClock.wallNanoseconds()
        do {
            try await limiter.acquire(path: parts.path, query: parts.query ?? "",
                                      deadlineNs: start + Int64(timeout * 1e9))
        } catch {
            return .failure(Failure(message: "GET \(url): \(error)"))
        }
        let counters = limiter.counters
        counters.restRequests.add(1, ordering: .relaxed)
        var request = URLRequest(url: u, timeoutInterval: timeout)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let sent = MonotonicClock.wallNanoseconds()
        let limiter = self.limiter
        let result = await withCheckedContinuation { (done: CheckedContinuation<Result<Data, Failure>, Never>) in
            URLSession.shared.dataTask(with: request) { data, response, error in
                counters.restLatencyNs.add(MonotonicClock.wallNanoseconds() - sent, ordering: .relaxed)
                if let error {
                    done.resume(returning: .failure(Failure(message: "GET \(url): \(error.localizedDescription)")))
                    return
                }
                let http = response as? HTTPURLResponse
                let status = http?.statusCode ?? 0
                let retry = http?.value(forHTTPHeaderField: "Retry-After")
                let limited = limiter.observe(status: status, retryAfter: retry, body: data)
                guard status == 200, let data, limited == nil else {
                    let after = retry.map { " (retry after \($0) s)" } ?? ""
                    let what = status == 200 ? "rate limited (\(limited ?? ""))" : "HTTP \(status)"
                    done.resume(returning: .failure(Failure(message: "GET \(url): \(what)\(after)")))
                    return
                }
                done.resume(returning: .success(data))
            }.resume()
        }
        if case .failure = result { counters.restErrors.add(1, ordering: .relaxed) }
        return result
    }
}

/// One limiter per venue for the process (SPEC §8), at `share` of each venue's published limits.
public final class RestClients: Sendable {
    private let clients: PerVenue<RestClient>
    public let share: Double

    public init(status: FeedStatus, share: Double = 0.5, rules: @Sendable (Venue) -> RestRules = RestRules.published) {
        self.share = share
        clients = PerVenue { RestClient(limiter: RestLimiter(venue: $0, rules: rules($0), share: share, counters: status[$0])) }
    }

    public subscript(venue: Venue) -> RestClient { clients[venue] }
}
