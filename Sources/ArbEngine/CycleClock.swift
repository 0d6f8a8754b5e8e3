import ArbCore
import CCycleCounter

/// Intervals shorter than a microsecond, timed by the CPU's cycle counter: reading it costs a few nanoseconds
/// where `clock_gettime` costs about twenty, and the loop latency reads a clock twice per evaluation (it was 7 %
/// of a simulated campaign's time). The counter runs at a constant rate (the kernel's clock source on this kind of
/// machine); its rate is measured once against the monotonic clock.
enum CycleClock {
    @inline(__always)
    static func now() -> UInt64 { arb_cycles() }

    /// Nanoseconds per count, measured over 2 ms the first time it is asked for.
    static let nanosecondsPerCount: Double = {
        let c0 = arb_cycles(), n0 = MonotonicClock.nanoseconds()
        var n1 = n0
        while n1 - n0 < 2_000_000 { n1 = MonotonicClock.nanoseconds() }
        let c1 = arb_cycles()
        return c1 > c0 ? Double(n1 - n0) / Double(c1 - c0) : 1
    }()
}
