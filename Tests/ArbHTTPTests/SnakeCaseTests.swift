import ArbCore
import ArbEngine
import ArbTesting
@testable import ArbHTTP
import Foundation
import Testing

/// Trade and decision pages are rendered from the JSON the store keeps, keys renamed: the same trees as encoding
/// each record with `JSONEncoder`'s `convertToSnakeCase`, which the API's other views use.
@Suite struct SnakeCaseTests {
    @Test func storedRecordsRenameTheirKeysAsTheEncoderDoes() async throws {
        let config = try CampaignConfig.parse(["universe": ["top_n": 3], "engine": ["mode": "multi", "multi_symbol_enabled": true],
                                               "strategy": ["entry_threshold_bps": -10],
                                               "session": ["clock": "simulated", "max_runtime_seconds": 300]])
        let recorder = StoreRecorder()
        _ = try await Campaign(config: config, recorder: recorder).run()
        let events = recorder.drain()
        var trades = 0, decisions = 0
        for event in events {
            let (stored, expected): (JSONValue, JSONValue)
            switch event {
            case .trade(let t):
                trades += 1
                (stored, expected) = (try JSONValue(parsing: Array(try JSONEncoder().encode(t))), JSONBody.tree(t))
            case .decision(let d):
                decisions += 1
                (stored, expected) = (try JSONValue(parsing: Array(try JSONEncoder().encode(d))), JSONBody.tree(d))
            case .fill, .transfer: continue
            }
            #expect(JSONBody.snakeCased(stored) == expected)
        }
        #expect(trades > 0 && decisions > 0)
    }

    @Test func keysSplitWhereTheEncoderSplitsThem() {
        for (key, snake) in [("id", "id"), ("realizedPnlUSD", "realized_pnl_usd"), ("committedUSD", "committed_usd"),
                             ("myURLValue", "my_url_value"), ("level2Price", "level2_price"), ("aBCd", "a_b_cd"),
                             ("already_snake", "already_snake"), ("holdSeconds", "hold_seconds")] {
            #expect(JSONBody.snakeCase(key) == snake, "\(key)")
        }
    }
}
