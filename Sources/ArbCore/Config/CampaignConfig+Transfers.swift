extension CampaignConfig {
    /// `transfers` as rules: the embedded networks with the overrides, the allowlist, the schedule and the
    /// seeded process from `session.start_time`.
    static func transferRules(_ t: JSONValue) -> TransferRules {
        let x = "transfers."
        var rules = TransferRules()
        let marketSeed = UInt64(t.at("market_data.seed")!.intValue!)
        rules.seed = t.at(x + "seed")?.intValue.map { UInt64($0) } ?? marketSeed
        if let pairs = t.at(x + "allow")?.arrayValue?.compactMap(\.stringValue) {
            rules.allowed = Set(Self.pairs(pairs, venues: Venue.allCases))
        }
        rules.reviewProbability = t.at(x + "review_probability")!.doubleValue!
        let low = t.at(x + "review_min_hours")!.doubleValue!, high = t.at(x + "review_max_hours")!.doubleValue!
        rules.reviewHours = Swift.min(low, high)...Swift.max(low, high)
        rules.failureProbability = t.at(x + "failure_probability")!.doubleValue!
        rules.returnHours = t.at(x + "return_hours")!.doubleValue!
        rules.travelRuleMinutes = t.at(x + "travel_rule_minutes")!.doubleValue!
        rules.travelRuleThresholdKRW = t.at(x + "travel_rule_threshold_krw")!.doubleValue!
        for (asset, value) in (t.at(x + "networks")?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let network = Self.network(asset, value, table: rules.networks[asset] ?? []) {
                var list = (rules.networks[asset] ?? []).filter { $0.name != network.name }
                list.append(network)
                rules.networks[asset] = list
            }
        }
        let s = x + "suspensions."
        rules.schedule = (t.at(s + "schedule")?.arrayValue ?? []).compactMap(Self.suspension)
        if t.at(s + "process")?.stringValue == "seeded" {
            rules.process = SuspensionProcess(
                seed: rules.seed, startNs: UTCTime.parse(t.at("session.start_time")!.stringValue!)!,
                meanUpDays: t.at(s + "mean_up_days")!.doubleValue!, downMedianHours: t.at(s + "down_median_hours")!.doubleValue!,
                downP95Hours: t.at(s + "down_p95_hours")!.doubleValue!, incidentsPerYear: t.at(s + "incidents_per_year")!.doubleValue!)
        }
        return rules
    }

    /// One `transfers.networks` entry over the table's network of that name; nil when a network the table lacks
    /// misses its fee or minimum (`transferIssues` names it).
    static func network(_ asset: String, _ v: JSONValue, table: [TransferNetwork]) -> TransferNetwork? {
        let name = v["network"]?.stringValue ?? table.first?.name ?? "default"
        let base = table.first { $0.name == name }
        let fee = v["fee"]?.doubleValue
        let perVenue = v["fees"]?.objectValue ?? [:]
        let everyVenueNamed = Venue.allCases.allSatisfy { perVenue[$0.rawValue]?.doubleValue != nil }
        guard base != nil || ((fee != nil || everyVenueNamed) && v["minimum"]?.doubleValue != nil) else { return nil }
        let fees = PerVenue { venue -> Fixed in
            if let f = perVenue[venue.rawValue]?.doubleValue { return Fixed(f, rounding: .up) }
            if let fee { return Fixed(fee, rounding: .up) }
            return base!.fees[venue]
        }
        return TransferNetwork(
            asset: asset, name: name, fees: fees,
            minimum: v["minimum"]?.doubleValue.map { Fixed($0, rounding: .up) } ?? base!.minimum,
            decimals: v["decimals"]?.intValue.map { Int($0) } ?? base?.decimals ?? 8,
            medianMinutes: v["median_minutes"]?.doubleValue ?? base?.medianMinutes ?? 10,
            p95Minutes: v["p95_minutes"]?.doubleValue ?? base?.p95Minutes ?? 45)
    }

    static func suspension(_ v: JSONValue) -> WalletSuspension? {
        guard let venue = v["venue"]?.stringValue.flatMap(Venue.init(rawValue:)),
              let from = v["from"]?.stringValue.flatMap(UTCTime.parse), let until = v["until"]?.stringValue.flatMap(UTCTime.parse),
              let direction = v["direction"]?.stringValue.flatMap(WalletSuspension.Direction.init(rawValue:)) else { return nil }
        return WalletSuspension(venue: venue, asset: v["asset"]?.stringValue, network: v["network"]?.stringValue,
                                direction: direction, fromNs: from, untilNs: until, cause: "scheduled")
    }

    static func rebalanceConfig(_ t: JSONValue) -> RebalanceConfig {
        func d(_ key: String) -> Double { t.at("rebalance." + key)!.doubleValue! }
        var r = RebalanceConfig()
        r.policy = RebalanceConfig.Policy(rawValue: t.at("rebalance.policy")!.stringValue!)!
        r.bandLow = d("band_low")
        r.bandHigh = d("band_high")
        r.target = d("target")
        r.lowOrders = d("low_orders")
        r.maxFeePct = d("max_fee_pct")
        r.maxInTransitPct = d("max_in_transit_pct")
        r.checkSeconds = d("check_seconds")
        return r
    }

    /// Rules between the transfer keys the schema cannot state.
    func transferIssues() -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        let x = "transfers."
        if tree.at(x + "review_max_hours")!.doubleValue! < tree.at(x + "review_min_hours")!.doubleValue! {
            issues.append(ConfigIssue(field: x + "review_max_hours", message: "is below review_min_hours"))
        }
        for (asset, v) in (tree.at(x + "networks")?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let field = x + "networks." + asset
            if asset == "KRW" {
                issues.append(ConfigIssue(field: field, message: "KRW never moves between venues; it has no network"))
            } else if Self.network(asset, v, table: TransferNetwork.defaults[asset] ?? []) == nil {
                let name = v["network"]?.stringValue ?? "default"
                issues.append(ConfigIssue(field: field, message:
                    "\(asset) has no \(name) network in the table; a new one needs `minimum` and `fee` (or every venue's `fees`)"))
            }
            if let p95 = v["p95_minutes"]?.doubleValue, let median = v["median_minutes"]?.doubleValue, p95 < median {
                issues.append(ConfigIssue(field: field + ".p95_minutes", message: "is below median_minutes"))
            }
        }
        for (i, entry) in (tree.at(x + "suspensions.schedule")?.arrayValue ?? []).enumerated() {
            let field = "\(x)suspensions.schedule[\(i)]"
            if let asset = entry["asset"]?.stringValue, !KeyRule.asset.accepts(asset) {
                issues.append(ConfigIssue(field: field + ".asset", message: "\"\(asset)\" is not \(KeyRule.asset.description)"))
            }
            if let from = entry["from"]?.stringValue.flatMap(UTCTime.parse), let until = entry["until"]?.stringValue.flatMap(UTCTime.parse),
               until <= from {
                issues.append(ConfigIssue(field: field + ".until", message: "is not after from"))
            }
        }
        if tree.at(x + "suspensions.down_p95_hours")!.doubleValue! < tree.at(x + "suspensions.down_median_hours")!.doubleValue! {
            issues.append(ConfigIssue(field: x + "suspensions.down_p95_hours", message: "is below down_median_hours"))
        }
        if !(rebalance.bandLow <= rebalance.target && rebalance.target <= rebalance.bandHigh) {
            issues.append(ConfigIssue(field: "rebalance.target", message:
                "\(rebalance.target) is not within the band \(rebalance.bandLow)…\(rebalance.bandHigh)"))
        }
        return issues
    }
}
