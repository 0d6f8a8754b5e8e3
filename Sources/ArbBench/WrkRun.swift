import Foundation

/// One `wrk -t1 -c32 --latency` run and what it reported. With `paths`, a Lua script sends them in turn on
/// every connection.
struct WrkRun {
    let wrk: String
    let url: String
    let paths: [String]?
    let seconds: Double

    struct Result {
        var requestsPerSecond: Double
        var requests: Int
        var p50Ms: Double
        var p99Ms: Double
        /// Socket errors (connect, read, write, timeout) and answers other than 2xx or 3xx.
        var errors: Int
    }

    func run() throws -> Result {
        var arguments = ["-t1", "-c32", "-d\(Int(seconds.rounded()))s", "--latency"]
        var script: URL?
        if let paths {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-wrk-\(UUID().uuidString).lua")
            try Self.script(paths).write(to: file, atomically: true, encoding: .utf8)
            arguments += ["-s", file.path]
            script = file
        }
        defer { script.map { try? FileManager.default.removeItem(at: $0) } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrk)
        process.arguments = arguments + [url]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let result = Self.parse(text) else {
            throw HTTPBench.Failure(description: "wrk failed (exit \(process.terminationStatus)): \(text.suffix(400))")
        }
        return result
    }

    static func script(_ paths: [String]) -> String {
        let list = paths.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
            local paths = {\(list)}
            local i = 0
            request = function()
              i = i % #paths + 1
              return wrk.format("GET", paths[i])
            end
            """
    }

    /// Reads wrk's report: requests/s, the 50 % and 99 % latencies, the request count and every error it lists.
    static func parse(_ text: String) -> Result? {
        var rate: Double?
        var requests: Int?
        var p50: Double?
        var p99: Double?
        var errors = 0
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.hasPrefix("Requests/sec:"), words.count >= 2 { rate = Double(words[1]) }
            if line.hasPrefix("50%"), words.count >= 2 { p50 = milliseconds(String(words[1])) }
            if line.hasPrefix("99%"), words.count >= 2 { p99 = milliseconds(String(words[1])) }
            if line.contains("requests in"), let n = words.first { requests = Int(n) }
            if line.hasPrefix("Non-2xx or 3xx responses:"), let n = words.last.flatMap({ Int($0) }) { errors += n }
            if line.hasPrefix("Socket errors:") {
                // "Socket errors: connect 0, read 0, write 0, timeout 0"
                for part in line.dropFirst("Socket errors:".count).split(separator: ",") {
                    if let n = part.split(separator: " ").last.flatMap({ Int($0) }) { errors += n }
                }
            }
        }
        guard let rate, let requests, let p50, let p99 else { return nil }
        return Result(requestsPerSecond: rate, requests: requests, p50Ms: p50, p99Ms: p99, errors: errors)
    }

    /// wrk's durations ("812.00us", "3.70ms", "1.02s", "1.50m") in milliseconds.
    static func milliseconds(_ text: String) -> Double? {
        for (unit, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)] where text.hasSuffix(unit) {
            return Double(text.dropLast(unit.count)).map { $0 * scale }
        }
        return nil
    }
}
