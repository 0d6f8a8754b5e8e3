import ArbEngine
import Logging
import ServiceLifecycle

/// The sweeps as a service: at shutdown each running sweep stops where it is and is marked interrupted; the
/// next start goes on with the runs it had not finished.
struct SweepService: Service {
    let sweeps: SweepManager
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        await sweeps.interruptAll()
        logger.info("sweeps interrupted")
    }
}
