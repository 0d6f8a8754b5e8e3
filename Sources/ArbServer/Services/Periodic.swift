import ServiceLifecycle

/// The loop of a periodic service: `work` every `interval` (at once first when `immediately`), until the graceful
/// shutdown or cancellation, which also cuts a wait short.
func repeatUntilShutdown(every interval: Duration, immediately: Bool, _ work: () async -> Void) async {
    if immediately { await work() }
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
        await work()
    }
}
