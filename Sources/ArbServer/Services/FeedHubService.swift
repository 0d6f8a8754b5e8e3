import ArbLive
import Logging
import ServiceLifecycle

/// The process's live feed hub as a service: connections open while campaigns subscribe; at shutdown, after the
/// campaigns have stopped reading them, every connection is closed.
struct FeedHubService: Service {
    let hub: LiveHub
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        hub.shutdown()
        logger.info("live feeds closed")
    }
}
