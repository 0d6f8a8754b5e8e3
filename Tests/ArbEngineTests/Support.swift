import ArbCore
import ArbEngine
import ArbTestSupport
import Foundation
import Testing

/// Runs a campaign from a config tree and returns its result and recorder.
func runCampaign(_ json: JSONValue, sources: any MarketSourceFactory = SyntheticSourceFactoryProxy()) async throws -> (Campaign.Result, MemoryRecorder) {
    let config = try CampaignConfig.parse(json)
    let recorder = MemoryRecorder(keepRecords: true)
    let campaign = try Campaign(config: config, recorder: recorder, sources: sources)
    return (try await campaign.run(), recorder)
}

/// Stats without `performance`, rendered: what must be byte-identical between simulated runs.
func results(_ stats: JSONValue) -> String {
    guard case .object(var o) = stats else { return "" }
    o["performance"] = nil
    return JSONValue.object(o).rendered()
}

func multi(_ extra: [String: JSONValue]) -> JSONValue {
    var o: [String: JSONValue] = ["engine": ["mode": "multi", "multi_symbol_enabled": true]]
    for (k, v) in extra { o[k] = v }
    return .object(o)
}

func double(_ v: JSONValue?) -> Double { v?.doubleValue ?? .nan }
func int(_ v: JSONValue?) -> Int { Int(v?.intValue ?? -1) }

import ArbMarketData
typealias SyntheticSourceFactoryProxy = SyntheticSourceFactory

/// Path of the built `arbitrage` executable, next to the test bundle.
func arbitrageBinary() -> String {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    return bundle.appendingPathComponent("arbitrage").path
}

/// Runs the executable; returns exit status, stdout and stderr.
/// The same off Swift's shared threads (see `offPool`).
@discardableResult
func runCLI(_ args: [String], interruptAfter: Double? = nil) async throws -> (Int32, String, String) {
    try await offPool { try runCLIBlocking(args, interruptAfter: interruptAfter) }
}

func runCLIBlocking(_ args: [String], interruptAfter: Double? = nil) throws -> (Int32, String, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: arbitrageBinary())
    p.arguments = args
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
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("arb-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try contents.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// Every suite that runs campaigns or the executable, one test at a time: realtime runs measure wall time and
/// must not share the two cores with a simulated run.
@Suite(.serialized) struct CampaignSuites {}
