import ArbCore
import ArbEngine
import ArbMarketData

/// A campaign on the standard market sources (synthetic, replay; no live feeds), as `arbitrage run` builds one.
extension Campaign {
    public convenience init(id: String = "campaign", config: CampaignConfig,
                            recorder: any CampaignRecorder = NullRecorder()) throws(ConfigError) {
        try self.init(id: id, config: config, recorder: recorder, sources: StandardSourceFactory())
    }
}

/// Runs a campaign from a config tree to its end; its result and every event it recorded.
public func runCampaign(_ json: JSONValue, sources: any MarketSourceFactory = StandardSourceFactory()) async throws -> (Campaign.Result, MemoryRecorder) {
    let config = try CampaignConfig.parse(json)
    let recorder = MemoryRecorder(keepRecords: true)
    let campaign = try Campaign(config: config, recorder: recorder, sources: sources)
    return (try await campaign.run(), recorder)
}

/// Stats without `performance`, rendered: what must be byte-identical between simulated runs.
public func results(_ stats: JSONValue) -> String {
    guard case .object(var o) = stats else { return "" }
    o["performance"] = nil
    return JSONValue.object(o).rendered()
}

/// The same of a typed report.
public func results(_ stats: StatsReport) -> String { stats.deterministicTree.rendered() }

/// A config tree of a multi-route campaign with `extra` sections.
public func multi(_ extra: [String: JSONValue]) -> JSONValue {
    var o: [String: JSONValue] = ["engine": ["mode": "multi", "multi_symbol_enabled": true]]
    for (k, v) in extra { o[k] = v }
    return .object(o)
}

/// A stats number, NaN when absent.
public func double(_ v: JSONValue?) -> Double { v?.doubleValue ?? .nan }
/// A stats integer, -1 when absent.
public func int(_ v: JSONValue?) -> Int { Int(v?.intValue ?? -1) }
