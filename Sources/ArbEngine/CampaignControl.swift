import ArbCore
import Synchronization

/// The handle operators and drivers share while a campaign runs: stop requests and progress, readable and
/// writable from any thread.
public final class CampaignControl: Sendable {
    private let stop = Atomic<Bool>(false)
    private let interrupt = Atomic<Bool>(false)
    /// Campaign-clock nanoseconds elapsed, for progress displays.
    private let elapsed = Atomic<Int64>(0)

    public init() {}

    /// Asks the campaign to stop gracefully (unwinding first when `flatten_on_stop`).
    public func requestStop() { stop.store(true, ordering: .relaxed) }
    public var stopRequested: Bool { stop.load(ordering: .relaxed) }

    /// Asks the campaign to halt where it is for a later resume (service shutdown): nothing is unwound, and the
    /// run ends `interrupted` with a last checkpoint.
    public func requestInterrupt() {
        interrupt.store(true, ordering: .relaxed)
        stop.store(true, ordering: .relaxed)
    }
    public var interruptRequested: Bool { interrupt.load(ordering: .relaxed) }

    public func setElapsed(_ ns: Int64) { elapsed.store(ns, ordering: .relaxed) }
    public var elapsedNs: Int64 { elapsed.load(ordering: .relaxed) }
}
