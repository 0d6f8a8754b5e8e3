#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Synchronization

/// Process CPU and memory read from `/proc/self` (like the old load-test report's psutil samples).
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
        state = Mutex(State(lastCPU: Self.cpuSeconds() ?? 0, lastMono: MonotonicClock.nanoseconds()))
    }

    /// Takes one sample: CPU % of one core since the previous sample, and resident memory.
    public func sample() {
        let cpu = Self.cpuSeconds() ?? 0
        let rss = Double(Self.residentBytes() ?? 0) / 1_048_576
        state.withLock { s in
            // Read the clock under the lock: two samplers racing must not see time run backwards.
            let mono = MonotonicClock.nanoseconds()
            guard mono > s.lastMono, cpu >= s.lastCPU else { return }
            let wall = Double(mono - s.lastMono) / 1e9
            guard wall > 0.05 else { return }
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
            return Summary(cpuPercentAvg: s.cpuSum / Double(s.samples), cpuPercentMax: s.cpuMax,
                           rssMBAvg: s.rssSum / Double(s.samples), rssMBMax: s.rssMax, samples: s.samples)
        }
    }

    /// User + system CPU seconds of this process.
    public static func cpuSeconds() -> Double? {
        guard let text = readFile("/proc/self/stat"), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state(0) ppid … utime is field 14 of the line, index 11 here.
        guard fields.count > 12, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        return (utime + stime) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    public static func residentBytes() -> Int? {
        guard let text = readFile("/proc/self/statm") else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }
}
