import Testing
@testable import ArbCore

/// `transfers`, `rebalance` and the strategy's transfer keys: defaults, overrides, and errors naming the field.
@Suite struct TransferConfigTests {
    func parse(_ json: String) throws -> CampaignConfig {
        try CampaignConfig.parse(JSONValue(parsing: json))
    }

    func issues(_ json: String) -> [String] {
        do {
            _ = try parse(json)
            return []
        } catch let error as ConfigError {
            return error.issues.map { "\($0.field): \($0.message)" }
        } catch {
            return ["\(error)"]
        }
    }

    @Test func theDefaultsChangeNothing() throws {
        let c = try parse("{}")
        #expect(c.rebalance == RebalanceConfig() && c.rebalance.policy == .off && !c.strategy.exitByTransfer
            && c.strategy.transferAfterSeconds == 300)
        let r = c.transferRules
        #expect(r.networks == TransferNetwork.defaults && r.allowed == TransferRules.defaultAllowed && r.schedule.isEmpty)
        #expect(r.seed == 1 && r.process?.seed == 1 && r.process?.startNs == c.session.startTimeNs && r.process?.meanUpDays == 45)
        #expect(r.reviewProbability == 0.02 && r.reviewHours == 1...6 && r.failureProbability == 0.003 && r.returnHours == 24)
        #expect(!r.allowed.contains(PerLeg(a: .upbit, b: .binance)) && r.allowed.contains(PerLeg(a: .bithumb, b: .binance)))
    }

    @Test func networksAllowlistAndScheduleAreRead() throws {
        let c = try parse("""
            {"market_data": {"seed": 9},
             "strategy": {"exit_by_transfer": true, "transfer_after_seconds": 60},
             "rebalance": {"policy": "band", "band_low": 0.2, "band_high": 0.8, "target": 0.5, "check_seconds": 30},
             "transfers": {"allow": ["upbit-binance", "binance-upbit"], "suspensions": {"process": "off", "schedule": [
                 {"venue": "upbit", "asset": "XRP", "direction": "withdraw", "from": "2026-01-01T01:00:00Z", "until": "2026-01-01T05:00:00Z"}]},
               "networks": {"BTC": {"fees": {"upbit": 0.0003}, "median_minutes": 20},
                            "SUI": {"fee": 0.1, "minimum": 1, "median_minutes": 2, "p95_minutes": 5},
                            "USDT": {"network": "SOL", "fee": 1, "minimum": 5, "decimals": 6}}}}
            """)
        #expect(c.strategy.exitByTransfer && c.strategy.transferAfterSeconds == 60)
        #expect(c.rebalance.policy == .band && c.rebalance.bandLow == 0.2 && c.rebalance.bandHigh == 0.8 && c.rebalance.checkSeconds == 30)
        let r = c.transferRules
        #expect(r.seed == 9 && r.process == nil && r.allowed == [PerLeg(a: .upbit, b: .binance), PerLeg(a: .binance, b: .upbit)])
        #expect(r.schedule == [WalletSuspension(venue: .upbit, asset: "XRP", network: nil, direction: .withdraw,
                                                fromNs: c.session.startTimeNs + 3_600_000_000_000,
                                                untilNs: c.session.startTimeNs + 5 * 3_600_000_000_000, cause: "scheduled")])
        let btc = try #require(r.networks["BTC"]?.first)
        #expect(btc.fees[.upbit] == Fixed("0.0003") && btc.fees[.binance] == Fixed("0.0002") && btc.medianMinutes == 20 && btc.p95Minutes == 120)
        let sui = try #require(r.networks["SUI"]?.first)
        #expect(sui.name == "default" && sui.fees[.okx] == Fixed("0.1") && sui.minimum == Fixed(1) && sui.decimals == 8)
        #expect(r.networks["USDT"]?.map(\.name) == ["TRC20", "ERC20", "SOL"])
    }

    @Test(arguments: [
        (#"{"transfers": {"networks": {"SUI": {"fee": 0.1}}}}"#, "transfers.networks.SUI: SUI has no default network"),
        (#"{"transfers": {"networks": {"KRW": {"fee": 1, "minimum": 1}}}}"#, "transfers.networks.KRW: KRW never moves"),
        (#"{"transfers": {"networks": {"BTC": {"median_minutes": 50, "p95_minutes": 40}}}}"#, "transfers.networks.BTC.p95_minutes: is below"),
        (#"{"transfers": {"networks": {"btc": {}}}}"#, "transfers.networks.btc: key must be an asset code"),
        (#"{"transfers": {"suspensions": {"schedule": [{"asset": "XRP", "from": "2026-01-01T00:00:00Z", "until": "2026-01-02T00:00:00Z"}]}}}"#,
         "transfers.suspensions.schedule[0].venue: is required"),
        (#"{"transfers": {"suspensions": {"schedule": [{"venue": "okx", "from": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}]}}}"#,
         "transfers.suspensions.schedule[0].until: is not after from"),
        (#"{"transfers": {"suspensions": {"schedule": [{"venue": "okx", "asset": "xrp", "from": "2026-01-01T00:00:00Z", "until": "2026-01-02T00:00:00Z"}]}}}"#,
         "transfers.suspensions.schedule[0].asset: \"xrp\" is not an asset code"),
        (#"{"transfers": {"allow": ["upbit-upbit"]}}"#, "transfers.allow[0]: \"upbit-upbit\" is not one of"),
        (#"{"transfers": {"review_min_hours": 5, "review_max_hours": 2}}"#, "transfers.review_max_hours: is below review_min_hours"),
        (#"{"rebalance": {"band_low": 0.6, "target": 0.5}}"#, "rebalance.target: 0.5 is not within the band"),
        (#"{"rebalance": {"policy": "always"}}"#, "rebalance.policy: \"always\" is not one of off, band"),
        (#"{"strategy": {"transfer_after_seconds": -1}}"#, "strategy.transfer_after_seconds: -1 is out of range"),
    ])
    func badTransferKeysAreNamed(json: String, expected: String) {
        let found = issues(json)
        #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
    }

    @Test func theJSONSchemaMarksRequiredFields() {
        let schema = JSONSchemaExport.document()
        let entry = schema.at("properties.transfers.properties.suspensions.properties.schedule.items")
        #expect(entry?["required"] == ["venue", "from", "until"])
    }
}

/// An operator's transfer body.
@Suite struct ManualTransferTests {
    let venues: [Venue] = [.upbit, .binance]

    @Test func numbersAndDecimalStringsReadExactly() throws {
        let n = try ManualTransfer.parse(JSONValue(parsing: #"{"asset": "XRP", "from": "binance", "to": "upbit", "amount": 0.29}"#), venues: venues)
        let s = try ManualTransfer.parse(JSONValue(parsing: #"{"asset": "XRP", "from": "binance", "to": "upbit", "amount": "0.29", "network": "XRP"}"#), venues: venues)
        #expect(n.amount == Fixed("0.29") && s.amount == Fixed("0.29") && n.network == nil && s.network == "XRP")
        #expect(n.from == .binance && n.to == .upbit && n.asset == "XRP")
    }

    @Test func everyBadFieldIsNamed() throws {
        let body = try JSONValue(parsing: #"{"asset": "x", "from": "okx", "amount": "abc", "network": 3, "memo": 1}"#)
        do {
            _ = try ManualTransfer.parse(body, venues: venues)
            Issue.record("accepted")
        } catch {
            #expect(error.issues.map(\.field) == ["memo", "asset", "from", "to", "amount", "network"], "\(error)")
        }
    }
}
