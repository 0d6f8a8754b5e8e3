import ArbEngine
import Logging
import ServiceLifecycle

/// The campaign manager as a service: campaigns run on their own tasks while it waits; at shutdown each running
/// campaign is interrupted with a last checkpoint, so it resumes where it stopped.
struct CampaignService: Service {
    let manager: CampaignManager
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("interrupting running campaigns")
        let unsaved = await manager.interruptAll()
        if !unsaved.isEmpty {
            logger.error("the last checkpoint of some campaigns could not be stored; they resume from their previous one",
                         metadata: ["campaigns": "\(unsaved.joined(separator: ","))"])
        }
        logger.info("campaigns interrupted")
    }
}
