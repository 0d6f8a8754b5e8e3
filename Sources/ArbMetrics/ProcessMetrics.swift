import ArbEngine

/// The standard `process_*` metrics, read from `/proc` at scrape time (the reader the campaign stats use too).
public enum ProcessMetrics {
    public static func render(into text: inout MetricsText) {
        let p = ProcessStats.read()
        text.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.")
        text.sample("process_cpu_seconds_total", [], p.cpuSeconds)
        text.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
        text.sample("process_resident_memory_bytes", [], p.residentBytes)
        text.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.")
        text.sample("process_virtual_memory_bytes", [], p.virtualBytes)
        text.family("process_open_fds", "gauge", "Number of open file descriptors.")
        text.sample("process_open_fds", [], Double(p.openFileDescriptors))
        text.family("process_max_fds", "gauge", "Maximum number of open file descriptors.")
        text.sample("process_max_fds", [], Double(p.maxFileDescriptors))
        text.family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.")
        text.sample("process_start_time_seconds", [], p.startTime)
        text.family("process_threads", "gauge", "Number of OS threads in the process.")
        text.sample("process_threads", [], Double(p.threads))
    }
}
