import ArbCore

extension CampaignManager {
    /// Applies strategy and risk changes to a running campaign and stores the config in force.
    public func patch(id: String, _ body: JSONValue) async throws(ServiceError) -> CampaignRecord {
        guard let running = live(id) else {
            let record = try campaign(id: id)
            throw .conflict("campaign \(id) is \(record.status.rawValue); only a running campaign can be changed")
        }
        let updated: CampaignConfig
        do { updated = try running.campaign.applyChanges(body) } catch { throw .invalid(error) }
        // Only the config: the campaign may end meanwhile, and its final record must stand.
        do { try await storeConfig(id, updated.tree) } catch { throw .unavailable("\(error)") }
        return try campaign(id: id)
    }

    /// Asks a running campaign's route to unwind its open pair.
    public func flatten(id: String, symbol: String) async throws(ServiceError) {
        guard let running = live(id) else {
            let record = try campaign(id: id)
            throw .conflict("campaign \(id) is \(record.status.rawValue), not running")
        }
        guard running.campaign.requestFlatten(symbol: symbol) else { throw .notFound("\(symbol) is not in campaign \(id)") }
    }

    public func flatten(id: String, route: String) async throws(ServiceError) {
        guard let running = live(id) else {
            let record = try campaign(id: id)
            throw .conflict("campaign \(id) is \(record.status.rawValue), not running")
        }
        guard running.campaign.requestFlatten(route: route) else { throw .notFound("\(route) is not a route of campaign \(id)") }
    }

    /// The campaign's routes with the listing facts they were chosen on, and whether each is in the universe
    /// (a running campaign's route table; otherwise its config resolved now).
    public func universe(id: String) async throws(ServiceError) -> [(member: UniverseMember, active: Bool)] {
        if let running = live(id) { return running.campaign.universeNow }
        let record = try campaign(id: id)
        do {
            let config = try CampaignConfig.parse(record.config)
            try await sources.prepare(config: config)
            return try Campaign(config: config, sources: sources).universeNow
        } catch {
            throw .unavailable("cannot resolve the stored universe: \(error)")
        }
    }

    /// Resolves a `universe` and `market_data` config without running anything.
    public nonisolated func preview(_ body: JSONValue) async throws(ServiceError) -> [UniverseMember] {
        guard case .object(let sections) = body else { throw .invalid(ConfigError(field: "(root)", "expected an object")) }
        var issues: [ConfigIssue] = []
        for key in sections.keys.sorted() where key != "universe" && key != "market_data" {
            issues.append(ConfigIssue(field: key, message: "unknown key (send universe and market_data)"))
        }
        if !issues.isEmpty { throw .invalid(ConfigError(issues)) }
        var tree = sections
        tree["engine"] = ["mode": "multi", "multi_symbol_enabled": true]
        do {
            let config = try CampaignConfig.parse(.object(tree))
            try await sources.prepare(config: config)
            return try Campaign(config: config, sources: sources).members
        } catch {
            throw .invalid(error)
        }
    }
}
