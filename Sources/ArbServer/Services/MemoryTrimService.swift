import CMalloc
import Logging
import ServiceLifecycle

/// Keeps the service's memory from creeping over a long run. glibc's allocator keeps freed memory inside its
/// per-thread arenas; the service frees a lot of it in bursts (each checkpoint of a thousand routes encodes
/// megabytes of JSON, each scrape renders megabytes of text) on whichever thread ran the work, so the arenas
/// fragment and the process's RSS grows though the live heap does not. `start()` makes blocks of 256 KiB and more
/// always come from `mmap` (returned whole when freed; glibc otherwise raises that threshold to the largest block
/// freed); the service then hands free pages back every `interval` (`malloc_trim`, a few milliseconds).
struct MemoryTrimService: Service {
    var interval = Duration.seconds(10)
    let logger: Logger

    /// Before the first large allocation: fixes the mmap threshold (which also stops glibc moving it).
    static func start() {
        _ = cmalloc_set_mmap_threshold(256 * 1024)
    }

    func run() async throws {
        await repeatUntilShutdown(every: interval, immediately: false) { _ = cmalloc_trim() }
        logger.info("memory trimmer stopped")
    }
}
