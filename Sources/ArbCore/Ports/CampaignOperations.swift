/// What the control API asks of the service that runs campaigns: the narrow port the HTTP layer talks to, so it
/// knows nothing of how campaigns are run or stored. Reads are synchronous (they answer on the HTTP thread);
/// writes and controls wait for commits and for campaigns. Every refusal is a `ServiceError`.
public protocol CampaignOperations: Sendable {
    // MARK: Campaigns

    /// Validates a config, stores the campaign and starts it.
    func create(_ body: JSONValue) async throws(ServiceError) -> CampaignRecord
    func campaign(id: String) throws(ServiceError) -> CampaignRecord
    func list(status: CampaignStatus?, limit: Int, cursor: String?) throws(ServiceError) -> Page<CampaignRecord>
    func delete(id: String) async throws(ServiceError)

    // MARK: Controls

    func stop(id: String) async throws(ServiceError) -> CampaignRecord
    func resume(id: String) async throws(ServiceError) -> CampaignRecord
    func setPaused(id: String, _ paused: Bool) async throws(ServiceError) -> CampaignRecord
    /// Whether a running campaign's entries are paused; nil when it is not running.
    func isPaused(id: String) -> Bool?
    /// Changes the live sections of a running campaign's config.
    func patch(id: String, _ body: JSONValue) async throws(ServiceError) -> CampaignRecord
    /// Asks every route of an asset (`BTCUSDT`) of a running campaign to unwind its open pair.
    func flatten(id: String, symbol: String) async throws(ServiceError)
    /// Asks one route (`BTCUSDT@bithumb-okx`) of a running campaign to unwind its open pair.
    func flatten(id: String, route: String) async throws(ServiceError)

    /// Moves an asset between two venues of a running campaign now (`{"asset", "from", "to", "amount", "network"?}`).
    func transfer(id: String, _ body: JSONValue) async throws(ServiceError) -> Transfer

    // MARK: Records

    /// Live while running, final after.
    func stats(id: String) throws(ServiceError) -> StatsReport
    /// The same as the wire's compact JSON.
    func statsJSON(id: String) throws(ServiceError) -> [UInt8]
    func trades(id: String, symbol: String?, limit: Int, cursor: String?) throws(ServiceError) -> Page<TradeRecord>
    /// A page of trades as their stored JSON (the wire form is this with snake_case keys).
    func tradesJSON(id: String, symbol: String?, limit: Int, cursor: String?) throws(ServiceError) -> Page<JSONValue>
    func decisionsJSON(id: String, filter: DecisionFilter, limit: Int, cursor: String?) throws(ServiceError) -> Page<JSONValue>
    /// Transfers in request order, each in its newest state (committed with the campaign's checkpoints).
    func transfers(id: String, limit: Int, cursor: String?) throws(ServiceError) -> Page<Transfer>
    func transfersJSON(id: String, limit: Int, cursor: String?) throws(ServiceError) -> Page<JSONValue>

    // MARK: Universe

    /// The campaign's routes now, with whether each is in its universe.
    func universe(id: String) async throws(ServiceError) -> [(member: UniverseMember, active: Bool)]
    /// Resolves the universe of a config without running anything.
    func preview(_ body: JSONValue) async throws(ServiceError) -> [UniverseMember]
}
