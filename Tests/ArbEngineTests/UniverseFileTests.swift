import ArbCore
import ArbEngine
import ArbTesting
import Testing

extension CampaignSuites {
@Suite struct UniverseFileTests {
    static let file = """
    {"symbols": [
      {"symbol": "BTCUSDT", "quote_volume_usd": 100, "reference_price_usd": 95000,
       "upbit": {"tick": "1000", "step": "0.00000001", "min_notional": "5000"},
       "binance": {"tick": "0.01", "step": "0.00001", "min_notional": "5"}},
      {"symbol": "ABCUSDT", "quote_volume_usd": 300, "reference_price_usd": 2.5,
       "upbit": {"tick": "1", "step": "0.00000001", "min_notional": "5000"},
       "binance": {"tick": "0.0001", "step": "0.1", "min_notional": "5"}},
      {"symbol": "ONLYUSDT", "quote_volume_usd": 900, "reference_price_usd": 1,
       "binance": {"tick": "0.0001", "step": "1", "min_notional": "5"}}
    ]}
    """

    @Test func aUniverseFileDrivesTheCampaign() async throws {
        let path = try temporaryFile("universe.json", Self.file)
        let (result, _) = try await runCampaign(multi([
            "universe": ["source": "file", "file": .string(path), "top_n": 5],
            "session": ["clock": "simulated", "max_runtime_seconds": 120],
        ]))
        // ONLYUSDT is not on Upbit; the rest rank by volume.
        #expect(result.stats.symbols == ["ABCUSDT", "BTCUSDT"])
        #expect((result.stats.perSymbol["ABCUSDT"]?.iterations ?? -1) > 100)
        #expect(result.stats.balances.reconciled)
    }

    @Test(arguments: [
        ("{\"symbols\": [{\"symbol\": \"BTCUSDT\"}]}", "missing"),
        ("not json", "not a universe file"),
        ("{\"symbols\": [{\"symbol\": \"BTCUSD\", \"quote_volume_usd\": 1, \"reference_price_usd\": 1}]}", "not a USDT symbol"),
        ("{\"symbols\": [{\"symbol\": \"BTCUSDT\", \"quote_volume_usd\": 1, \"reference_price_usd\": 1, \"upbit\": {\"tick\": \"x\", \"step\": \"1\", \"min_notional\": \"1\"}}]}", "positive decimals"),
    ])
    func aBrokenUniverseFileIsAConfigErrorNamingIt(contents: String, message: String) throws {
        let path = try temporaryFile("universe.json", contents)
        let config = try CampaignConfig.parse(["universe": ["source": "file", "file": .string(path)]])
        do {
            _ = try Campaign(config: config)
            Issue.record("accepted a broken universe file")
        } catch {
            #expect(error.issues[0].field.hasPrefix("universe.file"))
            #expect(error.issues[0].message.contains(message), "\(error)")
        }
    }
}
}
