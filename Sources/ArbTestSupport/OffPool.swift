import Foundation

/// Runs blocking work (sockets, waiting for a process) on a thread of its own, so a test never holds one of the
/// few threads Swift concurrency shares: the service under test needs them to answer.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.start()
    }
}
