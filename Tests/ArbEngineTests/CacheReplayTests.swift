import ArbCore
@testable import ArbEngine
import ArbMarketData
import ArbTesting
import Foundation
import Logging
import Synchronization
import Testing

extension CampaignSuites {
/// Campaigns replaying the market-data cache end exactly as replaying the recordings it was made from.
@Suite struct CacheReplayTests {
    static func config(_ files: [String], runtime: Double = 900) -> JSONValue {
        multi([
            "universe": ["top_n": 3], "strategy": ["entry_threshold_bps": -5],
            "multi_symbol_risk_guard": ["cooldown_seconds": 5], "paper": ["latency_ms": ["upbit": 80, "binance": 30]],
            "session": ["clock": "simulated", "max_runtime_seconds": .double(runtime), "checkpoint_seconds": 60],
            "market_data": ["source": "replay", "max_data_age_ms": 450,
                            "replay": ["files": .array(files.map { .string($0) }), "speed": 0]],
        ])
    }

    /// A recording of the synthetic market's Top 5 (more markets than the campaign trades) and its cache.
    static func recordingAndCache(direct: Bool = false) async throws -> (jsonl: String, cache: String, recorded: String?) {
        let dir = try newDir()
        let synthetic = try jsonFile(dir, "s.json", multi([
            "universe": ["top_n": 5], "market_data": ["seed": 5, "max_data_age_ms": 450],
            "session": ["clock": "simulated", "max_runtime_seconds": 600],
        ]))
        let jsonl = dir.appendingPathComponent("rec.jsonl.gz").path
        let (status, _, err) = try await runCLI(["record", synthetic, "--out", jsonl])
        #expect(status == 0, "\(err)")
        let cache = dir.appendingPathComponent("rec.arbcache").path
        _ = try MarketCacheImport.run(paths: [jsonl], format: .jsonl, out: cache, logger: Logger(label: "test"))
        guard direct else { return (jsonl, cache, nil) }
        // The same stream recorded straight into a cache.
        let recorded = dir.appendingPathComponent("direct.arbcache").path
        let (s2, out, e2) = try await runCLI(["record", synthetic, "--out", recorded])
        #expect(s2 == 0 && out.contains("\"books\""), "\(e2)")
        return (jsonl, cache, recorded)
    }

    @Test func aCacheReplaysAsItsRecordingAndResumesAsIt() async throws {
        let (jsonl, cache, recorded) = try await Self.recordingAndCache(direct: true)
        let (fromJSONL, _) = try await runCampaign(Self.config([jsonl]))
        let config = try CampaignConfig.parse(Self.config([cache]))
        let taken = Mutex<[CampaignCheckpoint]>([])
        let fromCache = try await Campaign(config: config, recorder: MemoryRecorder(keepRecords: false)).run { cp in
            taken.withLock { $0.append(cp) }
        }
        #expect(fromCache.stats.status == "completed" && fromCache.stats.stopReason == "end_of_data")
        #expect(fromCache.stats.trades.opened > 5)
        #expect(replayResults(fromCache.stats) == replayResults(fromJSONL.stats))
        // The same rows read and skipped (the recording holds two assets the campaign does not trade).
        #expect(fromCache.stats.marketData.rows == fromJSONL.stats.marketData.rows)
        #expect(fromCache.stats.marketData.skippedRows == fromJSONL.stats.marketData.skippedRows
            && (fromCache.stats.marketData.skippedRows ?? 0) > 0)
        // Recorded straight into a cache, the same again.
        let (fromRecorded, _) = try await runCampaign(Self.config([try #require(recorded)]))
        #expect(replayResults(fromRecorded.stats) == replayResults(fromJSONL.stats))
        // Resumed from a checkpoint halfway, it ends the same.
        let checkpoints = taken.withLock { $0 }
        let middle = try #require(checkpoints.dropFirst(checkpoints.count / 2).first)
        let resumed = try await Campaign(config: config, recorder: MemoryRecorder(keepRecords: false)).resume(from: middle)
        #expect(results(resumed.stats) == results(fromCache.stats))
    }

    @Test func aCacheIsReplayedAloneAndADamagedOneIsRefusedByTheConfig() async throws {
        let (jsonl, cache, _) = try await Self.recordingAndCache()
        do {
            _ = try await runCampaign(Self.config([cache, jsonl]))
            Issue.record("a cache with another file was accepted")
        } catch let error as ConfigError {
            #expect(error.description.contains("market_data.replay.files[0]") && error.description.contains("is replayed alone"))
        }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: cache)))
        bytes[8] = 9
        let other = cache + ".v9"
        try Data(bytes).write(to: URL(fileURLWithPath: other))
        do {
            _ = try await runCampaign(Self.config([other]))
            Issue.record("a cache of another version was accepted")
        } catch let error as ConfigError {
            #expect(error.description.contains("at byte 8: cache version 9; this build reads \(MarketCache.readableText)"), "\(error)")
        }
    }
}
}
