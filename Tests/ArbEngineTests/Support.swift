import ArbCore
import ArbMarketData
import ArbTesting
import ArbEngine
import ArbTestSupport
import Foundation
import Testing

typealias SyntheticSourceFactoryProxy = StandardSourceFactory

/// Path of the built `arbitrage` executable, next to the test bundle.
func arbitrageBinary() -> String {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    return bundle.appendingPathComponent("arbitrage").path
}

/// Runs the executable; returns exit status, stdout and stderr.
/// The same off Swift's shared threads (see `offPool`).
@discardableResult
func runCLI(_ args: [String], interruptAfter: Double? = nil, environment: [String: String] = [:]) async throws -> (Int32, String, String) {
    try await offPool { try runCLIBlocking(args, interruptAfter: interruptAfter, environment: environment) }
}

func runCLIBlocking(_ args: [String], interruptAfter: Double? = nil, environment: [String: String] = [:]) throws -> (Int32, String, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: arbitrageBinary())
    p.arguments = args
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    if let interruptAfter {
        Thread.sleep(forTimeInterval: interruptAfter)
        p.interrupt()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

func temporaryFile(_ name: String, _ contents: String) throws -> String {
    let url = try makeTemporaryDirectory("arb-tests").appendingPathComponent(name)
    try contents.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// Every suite that runs campaigns or the executable, one test at a time: realtime runs measure wall time and
/// must not share the two cores with a simulated run.
@Suite(.serialized) struct CampaignSuites {}

/// A running `arbitrage serve` on a port from the OS.
final class ServeProcess: @unchecked Sendable {
    // Set once in `start`, read after.
    let process = Process()
    private(set) var port: UInt16 = 0
    private let errors = Pipe()
    private var logText = ""
    private let lock = NSLock()

    /// Starts `arbitrage serve` and waits for its "listening" line (blocking; call through `offPool`).
    /// `wrapper`: a command the executable runs under (`prlimit … --`).
    static func start(_ extra: [String] = [], environment: [String: String] = [:], wrapper: [String] = []) throws -> ServeProcess {
        let s = ServeProcess()
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("arb-data-\(UUID().uuidString)").path
        let command = wrapper + [arbitrageBinary(), "serve", "--port", "0"] + (extra.contains("--data-dir") ? [] : ["--data-dir", dataDir]) + extra
        s.process.executableURL = URL(fileURLWithPath: command[0])
        s.process.arguments = Array(command.dropFirst())
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        s.process.environment = env
        s.process.standardError = s.errors
        s.process.standardOutput = FileHandle.nullDevice
        try s.process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let data = s.errors.fileHandleForReading.availableData
            if data.isEmpty { break }
            s.append(String(decoding: data, as: UTF8.self))
            if let range = s.log.range(of: "url=http://127.0.0.1:") {
                let digits = s.log[range.upperBound...].prefix { $0.isNumber }
                s.port = UInt16(digits) ?? 0
                break
            }
        }
        s.drainInBackground()
        return s
    }

    private func append(_ text: String) { lock.lock(); logText += text; lock.unlock() }
    var log: String { lock.lock(); defer { lock.unlock() }; return logText }

    private func drainInBackground() {
        let handle = errors.fileHandleForReading
        Thread {
            while true {
                let data = handle.availableData
                if data.isEmpty { return }
                self.append(String(decoding: data, as: UTF8.self))
            }
        }.start()
    }

    /// Sends SIGTERM and waits for the exit status (blocking).
    func terminate() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Sends `signal` and waits for the exit status (blocking).
    func stop(with signal: Int32) -> Int32 {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Where each of `lines` first appears in the log, in their order; nil for one missing.
    func positions(of lines: [String]) -> [Int?] {
        let text = log
        return lines.map { text.range(of: $0).map { text.distance(from: text.startIndex, to: $0.lowerBound) } }
    }
}
