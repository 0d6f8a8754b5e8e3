import Logging
import MicroHTTPD
import ServiceLifecycle

/// The control API's server as a service. It is listening before the group starts (a port that cannot be bound
/// fails the command before anything runs) and is the first to stop: no request arrives while campaigns are being
/// interrupted.
struct HTTPService: Service {
    let server: HTTPServer
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("http server stopping")
        server.stop()
        logger.info("http server stopped")
    }
}
