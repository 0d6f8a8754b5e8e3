#if canImport(Glibc)
import Glibc
#endif
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGTERM or SIGINT asks the service group for a graceful shutdown (its services stop in reverse order); a second
/// one ends the process at once. The group's own signal handling cannot do both: a signal is either graceful or a
/// cancellation there, and a second graceful signal is ignored.
enum ShutdownSignals {
    /// Watches `signals` (trapped early, so none is missed) until cancelled.
    static func watch(_ signals: UnixSignalsSequence, group: ServiceGroup, logger: Logger) async {
        var received = 0
        for await signal in signals {
            received += 1
            if received == 1 {
                logger.info("shutting down", metadata: ["signal": "\(signal)"])
                await group.triggerGracefulShutdown()
            } else {
                logger.warning("second signal: exiting at once; running campaigns resume from their last periodic checkpoint",
                               metadata: ["signal": "\(signal)"])
                exit(128 + signal.rawValue)
            }
        }
    }
}
