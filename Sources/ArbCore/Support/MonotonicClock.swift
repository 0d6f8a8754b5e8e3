#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Monotonic and wall-clock readings in nanoseconds: the one call the core makes to the operating system (a clock
/// read, no I/O), so the engine and the live feeds share one clock without depending on each other.
public enum MonotonicClock {
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    public static func wallNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// The campaign clock of a realtime run: an origin plus monotonic time elapsed since, so it never jumps when the
/// system clock is adjusted. A fresh run starts at the wall time; a resumed one at its checkpoint's instant, so
/// the time the process was down does not count against the campaign's runtime.
///
/// A replay may run it faster or slower than the wall clock (`speed` campaign seconds per wall second).
public struct RealtimeClock: Sendable {
    /// Campaign time when this clock started.
    public let originNs: Int64
    public let startMonoNs: UInt64
    public let speed: Double

    public init(originNs: Int64 = MonotonicClock.wallNanoseconds(), speed: Double = 1) {
        startMonoNs = MonotonicClock.nanoseconds()
        self.originNs = originNs
        self.speed = speed > 0 ? speed : 1
    }

    public func now() -> Int64 {
        let elapsed = Int64(MonotonicClock.nanoseconds() - startMonoNs)
        return originNs + (speed == 1 ? elapsed : Int64(Double(elapsed) * speed))
    }

    /// The wall time `campaignNs` of this clock take.
    public func wall(_ campaignNs: Int64) -> Duration {
        .nanoseconds(speed == 1 ? campaignNs : Int64(Double(campaignNs) / speed))
    }
}
