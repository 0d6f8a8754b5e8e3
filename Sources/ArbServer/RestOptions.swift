import ArbCore
import ArbLive
import ArgumentParser
import Foundation
import Logging

/// The share of each venue's published REST limits the process may use (SPEC §8), so other tools on the same
/// IP keep the rest.
struct RestOptions: ParsableArguments {
    @Option(help: "Share of each venue's published REST limits this process uses, in (0, 1] (default 0.5; ARBITRAGE_REST_SHARE).")
    var restShare: Double?

    /// The flag, then `ARBITRAGE_REST_SHARE`, then half; a bad value names where it came from.
    func share(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> Double {
        let (source, value): (String, Double?)
        if let restShare {
            (source, value) = ("--rest-share", restShare)
        } else if let text = environment["ARBITRAGE_REST_SHARE"] {
            (source, value) = ("ARBITRAGE_REST_SHARE", Double(text))
            guard value != nil else { throw ConfigError(field: source, "\"\(text)\" is not a number") }
        } else {
            return 0.5
        }
        guard let value, value > 0, value <= 1 else {
            throw ConfigError(field: source, "\(value ?? .nan) is out of range (0, 1]")
        }
        return value
    }

    /// The process's hub, its REST limiters at the chosen share.
    func hub(logger: Logger = Logger(label: "arbitrage.feed")) throws(ConfigError) -> LiveHub {
        LiveHub(logger: logger, restShare: try share())
    }
}
