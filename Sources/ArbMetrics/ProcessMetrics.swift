#if canImport(Glibc)
import Glibc
#endif

/// The standard `process_*` metrics, read from `/proc` at scrape time.
public enum ProcessMetrics {
    public static func render(into text: inout MetricsText) {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        let stat = statFields()
        func field(_ i: Int) -> Double { i < stat.count ? Double(stat[i]) ?? 0 : 0 }
        text.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.")
        text.sample("process_cpu_seconds_total", [], (field(11) + field(12)) / ticks)
        text.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
        text.sample("process_resident_memory_bytes", [], field(21) * page)
        text.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.")
        text.sample("process_virtual_memory_bytes", [], field(20))
        text.family("process_open_fds", "gauge", "Number of open file descriptors.")
        text.sample("process_open_fds", [], Double(openFileDescriptors()))
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        text.family("process_max_fds", "gauge", "Maximum number of open file descriptors.")
        text.sample("process_max_fds", [], Double(limit.rlim_cur))
        text.family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.")
        text.sample("process_start_time_seconds", [], bootTime() + field(19) / ticks)
        text.family("process_threads", "gauge", "Number of OS threads in the process.")
        text.sample("process_threads", [], field(17))
    }

    /// Fields of `/proc/self/stat` after the command name: index 0 is the state (field 3 of the file).
    static func statFields() -> [Substring] {
        guard let text = read("/proc/self/stat"), let close = text.lastIndex(of: ")") else { return [] }
        return text[text.index(after: close)...].split(separator: " ")
    }

    static func bootTime() -> Double {
        guard let text = read("/proc/stat") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters()) ?? 0
        }
        return 0
    }

    static func openFileDescriptors() -> Int {
        guard let dir = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(dir) }
        var n = 0
        while let entry = readdir(dir) {
            if entry.pointee.d_name.0 != Int8(UInt8(ascii: ".")) { n += 1 }
        }
        return n - 1  // the directory handle itself
    }

    static func read(_ path: String) -> String? {
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

extension Substring {
    func trimmingCharacters() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\n" { s = s.dropLast() }
        return s
    }
}
