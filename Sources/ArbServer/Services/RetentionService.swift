import ArbEngine
import Logging
import ServiceLifecycle

/// Deletes finished campaigns and their records `days` after they ended: at start, then every `interval`, until
/// the shutdown.
struct RetentionService: Service {
    let manager: CampaignManager
    let days: Double
    var interval = Duration.seconds(3600)
    let logger: Logger

    func run() async throws {
        await repeatUntilShutdown(every: interval, immediately: true) {
            do {
                let removed = try await manager.prune(olderThanDays: days)
                if !removed.isEmpty {
                    logger.info("finished campaigns past retention deleted",
                                metadata: ["campaigns": "\(removed.count)", "retain_days": "\(days)"])
                }
            } catch {
                logger.error("cannot prune finished campaigns", metadata: ["error": "\(error)"])
            }
        }
        logger.info("retention pruner stopped")
    }
}
