#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Monotonic and wall-clock readings in nanoseconds.
public enum MonotonicClock {
    @inlinable
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

/// The campaign clock of a realtime run: wall time at the start plus monotonic time elapsed since, so it never
/// jumps when the system clock is adjusted.
public struct RealtimeClock: Sendable {
    public let startWallNs: Int64
    public let startMonoNs: UInt64

    public init() {
        startMonoNs = MonotonicClock.nanoseconds()
        startWallNs = MonotonicClock.wallNanoseconds()
    }

    public func now() -> Int64 { startWallNs + Int64(MonotonicClock.nanoseconds() - startMonoNs) }

    /// Monotonic reading at campaign time `ns`.
    public func mono(at ns: Int64) -> UInt64 { startMonoNs &+ UInt64(Swift.max(0, ns - startWallNs)) }
}
