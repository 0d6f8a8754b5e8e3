import ArbCore
import Foundation
import Logging
import Synchronization

/// Keeps a running campaign's routes in step with its universe (`universe.refresh_seconds`): at each refresh the
/// listing is read again and the universe resolved again; routes that left take no entries and unwind, routes
/// that came back take entries again, new routes take the next slots of the route table.
final class UniverseRefresh: Sendable {
    let config: CampaignConfig
    let sources: any MarketSourceFactory
    let logger: Logger
    /// Refreshes done and failed (a failure changes nothing; the next refresh tries again).
    let counts = Mutex<(done: Int, failed: Int)>((0, 0))
    /// The listing facts of every route seen, as of the newest resolution that listed it.
    let facts: Mutex<[String: UniverseMember]>

    init(config: CampaignConfig, sources: any MarketSourceFactory, logger: Logger, members: [UniverseMember] = []) {
        self.config = config
        self.sources = sources
        self.logger = logger
        self.facts = Mutex(Dictionary(members.map { ($0.route.key, $0) }, uniquingKeysWith: { a, _ in a }))
    }

    /// What changes between the route table (every route the campaign has had, by index) and a newly resolved
    /// universe.
    struct Plan: Equatable, Sendable {
        var leave: [Int] = []
        var rejoin: [Int] = []
        /// New routes, indexed from the table's next slot.
        var join: [UniverseMember] = []
        /// Routes with no room left in the table.
        var noRoom: [String] = []
    }

    static func plan(table: [(key: String, active: Bool)], resolved: [UniverseMember], capacity: Int) -> Plan {
        var plan = Plan()
        let wanted = Set(resolved.map(\.route.key))
        var slot: [String: Int] = [:]
        for (i, entry) in table.enumerated() {
            slot[entry.key] = i
            if entry.active && !wanted.contains(entry.key) { plan.leave.append(i) }
            if !entry.active && wanted.contains(entry.key) { plan.rejoin.append(i) }
        }
        var next = table.count
        for member in resolved where slot[member.route.key] == nil {
            guard next < capacity else { plan.noRoom.append(member.route.key); continue }
            var m = member
            m.route.index = next
            plan.join.append(m)
            next += 1
        }
        return plan
    }

    /// Resolves the universe from the listing as it is now and plans the change from `kernel`'s table.
    func plan(for kernel: CampaignKernel) async -> Plan? {
        do {
            try await sources.prepare(config: config)
            let listing = try Campaign.listing(config: config, sources: sources)
            let resolved = try UniverseResolver.resolve(config.universe, engine: config.engine,
                                                        listing: sources.availableListing(listing, config: config),
                                                        pairs: config.routePairs)
            counts.withLock { $0.done += 1 }
            facts.withLock { f in for m in resolved { f[m.route.key] = m } }
            let workers = kernel.workers
            return Self.plan(table: workers.map { ($0.route.key, $0.isActive) }, resolved: resolved,
                             capacity: kernel.routeCapacity)
        } catch {
            counts.withLock { $0.failed += 1 }
            logger.warning("universe refresh failed; the routes stay as they are", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Applies the leaves and rejoins (safe at any time: they only flip flags the routes read).
    func applyFlags(_ plan: Plan, kernel: CampaignKernel, nowNs: Int64) {
        for i in plan.leave { kernel.setActive(route: i, false, nowNs: nowNs) }
        for i in plan.rejoin { kernel.setActive(route: i, true, nowNs: nowNs) }
        if !plan.noRoom.isEmpty {
            logger.warning("no room left for routes joining the universe",
                           metadata: ["routes": "\(plan.noRoom.joined(separator: ","))", "capacity": "\(kernel.routeCapacity)"])
        }
    }

    /// Adds the joining routes to the source and the kernel, with their inventory. Call while no route is being
    /// evaluated and nothing reads the source. Returns the indexes of the routes added.
    func applyJoins<Source: ScheduledMarketSource>(_ joins: [UniverseMember], kernel: CampaignKernel, source: inout Source,
                                                   nowNs: Int64) -> [Int] {
        guard !joins.isEmpty else { return [] }
        do {
            try source.addRoutes(joins, nowNs: nowNs)
        } catch {
            logger.warning("routes joining the universe could not be added", metadata: ["error": "\(error)"])
            return []
        }
        var added: [Int] = []
        for m in joins where kernel.addRoute(m.route, inventory: inventory(m), nowNs: nowNs) { added.append(m.route.index) }
        if !added.isEmpty {
            logger.info("routes joined the universe", metadata: ["routes": "\(joins.map(\.route.key).joined(separator: ","))"])
        }
        return added
    }

    /// Base inventory of a joining route: worth `max_position_size_usd` per exchange at the listing's reference
    /// price (as the starting routes get at their first mids), unless `paper.initial_balances` names the asset.
    func inventory(_ m: UniverseMember) -> [Venue: Fixed] {
        var out: [Venue: Fixed] = [:]
        for leg in Leg.allCases {
            let venue = m.route.venues[leg]
            if let override = config.initialBalances[venue]?[m.route.base] {
                out[venue] = override
            } else if m.referencePriceUSD > 0 {
                out[venue] = Fixed(config.risk.maxPositionSizeUSD / m.referencePriceUSD, rounding: .down)
                    .rounded(toMultipleOf: m.route.instruments[leg].step, .down)
            }
        }
        return out
    }
}
