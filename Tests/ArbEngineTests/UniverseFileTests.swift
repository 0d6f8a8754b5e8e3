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

    /// The file carries every venue: each venue's rules, and the other USDT venues' volumes.
    @Test func aUniverseFileCarriesEveryVenue() throws {
        let path = try temporaryFile("universe.json", """
        {"symbols": [{"symbol": "XYZUSDT", "quote_volume_usd": 0, "reference_price_usd": 3,
          "bithumb": {"tick": "1", "step": "0.00000001", "min_notional": "5000"},
          "okx": {"tick": "0.001", "step": "0.0001", "min_notional": "1"},
          "bybit": {"tick": "0.001", "step": "0.01", "min_notional": "5"},
          "volumes_usd": {"okx": 700, "bybit": 300}}]}
        """)
        let entry = try #require(try UniverseFile.load(path: path).first)
        #expect(entry.instruments[.upbit] == nil && entry.instruments[.binance] == nil)
        #expect(entry.instruments[.okx] == Instrument(tick: Fixed("0.001")!, step: Fixed("0.0001")!, minNotional: Fixed(1)))
        #expect(entry.instruments[.bithumb]?.minNotional == Fixed(5000) && entry.instruments[.bybit]?.step == Fixed("0.01"))
        #expect(entry.volumeUSD(over: [.okx, .bybit]) == 1000 && entry.volumeUSD(over: [.binance]) == 0)
        let bad = try temporaryFile("bad.json", """
        {"symbols": [{"symbol": "XYZUSDT", "quote_volume_usd": 0, "reference_price_usd": 3, "volumes_usd": {"upbit": 5}}]}
        """)
        #expect(throws: ConfigError(field: "universe.file: symbols[0].volumes_usd.upbit",
                                    "volumes_usd names the USDT venues other than Binance (okx, bybit), each ≥ 0")) {
            try UniverseFile.load(path: bad)
        }
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
