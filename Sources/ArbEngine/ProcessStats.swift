#if canImport(Glibc)
import Glibc
#endif

/// This process's CPU, memory, threads and file descriptors, read from `/proc`. One reader for the campaign
/// stats' `resources` and the `process_*` metrics.
public struct ProcessStats: Sendable, Equatable {
    public var cpuSeconds: Double
    public var residentBytes: Double
    public var virtualBytes: Double
    public var threads: Int
    /// Seconds since the Unix epoch.
    public var startTime: Double
    public var openFileDescriptors: Int
    public var maxFileDescriptors: Int

    /// Reads everything now; fields that cannot be read are 0.
    public static func read() -> ProcessStats {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        let stat = statFields()
        // Fields after the command name: index 0 is the state (field 3 of the file); utime is field 14.
        func field(_ i: Int) -> Double { i < stat.count ? Double(stat[i]) ?? 0 : 0 }
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return ProcessStats(
            cpuSeconds: (field(11) + field(12)) / ticks, residentBytes: field(21) * page, virtualBytes: field(20),
            threads: Int(field(17)), startTime: bootTime() + field(19) / ticks,
            openFileDescriptors: openFileDescriptorCount(), maxFileDescriptors: Int(limit.rlim_cur))
    }

    /// Just the CPU seconds and resident bytes (the sampler's fast path).
    public static func cpuAndResident() -> (cpuSeconds: Double, residentBytes: Double) {
        let stat = statFields()
        func field(_ i: Int) -> Double { i < stat.count ? Double(stat[i]) ?? 0 : 0 }
        return ((field(11) + field(12)) / Double(sysconf(Int32(_SC_CLK_TCK))), field(21) * Double(sysconf(Int32(_SC_PAGESIZE))))
    }

    /// The most resident memory this process has had (`VmHWM`), in bytes.
    public static func peakResidentBytes() -> Double {
        guard let text = readFile("/proc/self/status") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.dropFirst(6).split(separator: " ").first.flatMap { Double($0) } ?? 0
            return kb * 1024
        }
        return 0
    }

    static func statFields() -> [Substring] {
        guard let text = readFile("/proc/self/stat"), let close = text.lastIndex(of: ")") else { return [] }
        return text[text.index(after: close)...].split(separator: " ")
    }

    static func bootTime() -> Double {
        guard let text = readFile("/proc/stat") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).filter { $0 != " " }) ?? 0
        }
        return 0
    }

    static func openFileDescriptorCount() -> Int {
        guard let dir = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(dir) }
        var n = 0
        while let entry = readdir(dir) {
            if entry.pointee.d_name.0 != Int8(UInt8(ascii: ".")) { n += 1 }
        }
        return n - 1  // the directory handle itself
    }

    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
