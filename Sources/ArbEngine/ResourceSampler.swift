import ArbCore
import Synchronization

/// Process CPU and memory sampled over a campaign (like the old load-test report's psutil samples), read
/// through `ProcessStats`.
public final class ResourceSampler: Sendable {
    public struct Summary: Sendable, Equatable {
        public var cpuPercentAvg = 0.0
        public var cpuPercentMax = 0.0
        public var rssMBAvg = 0.0
        public var rssMBMax = 0.0
        public var samples = 0
    }

    private struct State {
        var lastCPU: Double
        var lastMono: UInt64
        var cpuSum = 0.0
        var cpuMax = 0.0
        var rssSum = 0.0
        var rssMax = 0.0
        var samples = 0
    }

    private let state: Mutex<State>

    public init() {
        state = Mutex(State(lastCPU: ProcessStats.cpuAndResident().cpuSeconds, lastMono: MonotonicClock.nanoseconds()))
    }

    /// Takes one sample: CPU % of one core since the previous sample, and resident memory. `final` takes it
    /// however short the time since the previous one (the last sample of a short run).
    public func sample(final: Bool = false) {
        let (cpu, resident) = ProcessStats.cpuAndResident()
        let rss = resident / 1_048_576
        state.withLock { s in
            // Read the clock under the lock: two samplers racing must not see time run backwards.
            let mono = MonotonicClock.nanoseconds()
            guard mono > s.lastMono, cpu >= s.lastCPU else { return }
            let wall = Double(mono - s.lastMono) / 1e9
            guard wall > (final ? 0 : 0.05) else { return }
            let pct = (cpu - s.lastCPU) / wall * 100
            s.lastCPU = cpu
            s.lastMono = mono
            s.cpuSum += pct
            s.cpuMax = Swift.max(s.cpuMax, pct)
            s.rssSum += rss
            s.rssMax = Swift.max(s.rssMax, rss)
            s.samples += 1
        }
    }

    public var summary: Summary {
        state.withLock { s in
            guard s.samples > 0 else { return Summary() }
            // The kernel's high-water mark catches peaks between samples.
            let peak = Swift.max(s.rssMax, ProcessStats.peakResidentBytes() / 1_048_576)
            return Summary(cpuPercentAvg: s.cpuSum / Double(s.samples), cpuPercentMax: s.cpuMax,
                           rssMBAvg: s.rssSum / Double(s.samples), rssMBMax: peak, samples: s.samples)
        }
    }
}
