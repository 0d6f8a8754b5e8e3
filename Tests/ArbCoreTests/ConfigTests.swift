import Testing
@testable import ArbCore

@Suite struct ConfigTests {
    func issues(_ value: JSONValue) -> [ConfigIssue] {
        do {
            _ = try CampaignConfig.parse(value)
            return []
        } catch {
            return error.issues
        }
    }

    func fields(_ value: JSONValue) -> [String] { issues(value).map(\.field) }

    @Test func emptyConfigRunsOnDefaults() throws {
        let c = try CampaignConfig.parse([:])
        #expect(c.universe.mode == .topN && c.universe.topN == 10)
        #expect(c.engine.mode == .single)
        #expect(c.session.clock == .realtime && c.session.maxRuntimeSeconds == 60)
        #expect(c.risk.maxSymbolAllocationPct == 0.30 && c.risk.circuitBreakerConsecutiveLosses == 3)
        #expect(c.risk.circuitBreakerHaltSeconds == 300)
        #expect(c.strategy.takerBps(.upbit) == 5 && c.strategy.takerBps(.binance) == 10)
        #expect(c.marketData.fxSource == .book)
        #expect(c.risk.maxDataAgeMs == 450)  // 3 × 1.5 × 1000 / 10 updates a second
        #expect(c.session.startTimeNs == UTCTime.parse("2026-01-01T00:00:00Z"))
        #expect(try CampaignConfig.parse(.null) == c)
    }

    @Test func unknownKeyIsNamed() {
        #expect(fields(["universe": ["top_m": 3]]) == ["universe.top_m"])
        #expect(fields(["bogus": true]) == ["bogus"])
    }

    @Test func wrongTypeIsNamed() {
        let i = issues(["session": ["max_runtime_seconds": "long"]])
        #expect(i.map(\.field) == ["session.max_runtime_seconds"])
        #expect(i[0].message.contains("expected a number"))
        #expect(fields(["universe": ["top_n": 10.5]]) == ["universe.top_n"])
        #expect(fields(["engine": ["multi_symbol_enabled": "yes"]]) == ["engine.multi_symbol_enabled"])
        #expect(fields(["universe": "TOP_N"]) == ["universe"])
        #expect(fields(["universe": ["whitelist": ["btcusdt"]]]) == ["universe.whitelist[0]"])
    }

    @Test func outOfRangeIsNamed() {
        #expect(fields(["multi_symbol_risk_guard": ["max_daily_loss_usd": -5]]) == ["multi_symbol_risk_guard.max_daily_loss_usd"])
        #expect(fields(["universe": ["top_n": 0]]) == ["universe.top_n"])
        #expect(fields(["multi_symbol_risk_guard": ["max_symbol_allocation_pct": 1.5]]) == ["multi_symbol_risk_guard.max_symbol_allocation_pct"])
        #expect(fields(["market_data": ["updates_per_second": 1e9]]) == ["market_data.updates_per_second"])
        #expect(fields(["session": ["start_time": "yesterday"]]) == ["session.start_time"])
        #expect(fields(["paper": ["initial_balances": ["upbit": ["krw": 5]]]]) == ["paper.initial_balances.upbit.krw"])
    }

    @Test func rulesBetweenFields() {
        #expect(fields(["engine": ["mode": "multi", "multi_symbol_enabled": false]]) == ["engine.multi_symbol_enabled"])
        #expect(issues(["engine": ["mode": "multi"]])[0].message.contains("engine.mode: multi"))
        #expect(fields(["universe": ["mode": "FIXED_LIST"]]) == ["universe.whitelist"])
        #expect(fields(["universe": ["mode": "FIXED_LIST", "whitelist": []]]) == ["universe.whitelist"])
        #expect(fields(["universe": ["source": "file"]]) == ["universe.file"])
        // Work one request can ask for is bounded: book updates, and checkpoint copies of a simulated run.
        let simulated: JSONValue = ["engine": ["mode": "multi", "multi_symbol_enabled": true], "universe": ["top_n": 1000],
                                    "session": ["clock": "simulated", "max_runtime_seconds": 86_400, "checkpoint_seconds": 0.5]]
        #expect(fields(simulated).contains("session.checkpoint_seconds"))
        #expect(fields(["session": ["checkpoint_seconds": 0.05]]) == ["session.checkpoint_seconds"])
        #expect(fields(["session": ["clock": "simulated", "max_runtime_seconds": 86_400, "checkpoint_seconds": 60]]).isEmpty)
    }

    @Test func everyIssueIsReportedAtOnce() {
        #expect(fields(["universe": ["top_n": 0, "mode": "ALL"], "x": 1]).sorted() == ["universe.mode", "universe.top_n", "x"])
    }

    @Test func defaultsTreeValidatesAndSchemaIsStrict() throws {
        let defaults = ConfigValidator().defaults
        #expect(try CampaignConfig.parse(defaults).tree == defaults)
        let schema = JSONSchemaExport.document()
        #expect(schema["additionalProperties"] == .bool(false))
        #expect(schema.at("properties.universe.properties.top_n.minimum") == .int(1))
        #expect(schema.at("properties.session.properties.max_iterations.type") == .array(["integer", "null"]))
        #expect(schema.at("properties.multi_symbol_risk_guard.properties.max_symbol_allocation_pct.maximum") == .double(1))
    }
}

@Suite struct JSONValueTests {
    @Test func rendersCompactAndPrettyWithSortedKeys() {
        let v: JSONValue = ["b": [1, 2.5, "x\n\"y\""], "a": nil, "c": ["z": true]]
        #expect(v.rendered(pretty: false) == #"{"a":null,"b":[1,2.5,"x\n\"y\""],"c":{"z":true}}"#)
        #expect(v.rendered() == "{\n  \"a\": null,\n  \"b\": [\n    1,\n    2.5,\n    \"x\\n\\\"y\\\"\"\n  ],\n  \"c\": {\n    \"z\": true\n  }\n}")
    }
}

@Suite struct WorkBudgetTests {
    @Test func absurdWorkIsRefusedNamingTheField() throws {
        let simulated: JSONValue = ["universe": ["top_n": 5000], "engine": ["mode": "multi", "multi_symbol_enabled": true],
                                    "market_data": ["updates_per_second": 1000],
                                    "session": ["clock": "simulated", "max_runtime_seconds": 31_536_000]]
        #expect(throws: ConfigError.self) { try CampaignConfig.parse(simulated) }
        do { _ = try CampaignConfig.parse(simulated) } catch { #expect(error.issues.map(\.field).contains("session.max_runtime_seconds")) }
        let realtime: JSONValue = ["universe": ["top_n": 1000], "engine": ["mode": "multi", "multi_symbol_enabled": true],
                                   "market_data": ["updates_per_second": 500]]
        do { _ = try CampaignConfig.parse(realtime) } catch { #expect(error.issues.map(\.field) == ["market_data.updates_per_second"]) }
        // A rate so small its interval overflows the clock (schemathesis sent 1.4e-45) is refused before it runs.
        do {
            _ = try CampaignConfig.parse(["market_data": ["updates_per_second": 1.401298464324817e-45]])
            Issue.record("a denormal update rate was accepted")
        } catch {
            #expect(error.issues.map(\.field) == ["market_data.updates_per_second"])
        }
        // The SPEC's scale runs fit: 1,000 routes × 10 updates/s realtime, and a day of 200 routes simulated.
        _ = try CampaignConfig.parse(["universe": ["top_n": 1000], "engine": ["mode": "multi", "multi_symbol_enabled": true]])
        _ = try CampaignConfig.parse(["universe": ["top_n": 200], "engine": ["mode": "multi", "multi_symbol_enabled": true],
                                      "session": ["clock": "simulated", "max_runtime_seconds": 86_400]])
    }
}
