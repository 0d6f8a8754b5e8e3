import ArbCore

/// A route as `/campaigns/{id}/symbols` shows it: its stats, its key and its risk state together.
struct SymbolBody: Encodable, Sendable {
    var symbol: String
    var stats: StatsReport.SymbolStats
    var risk: SymbolRiskBody

    enum CodingKeys: String, CodingKey { case symbol, risk }

    /// Every route of the stats, in route-table order.
    static func all(_ stats: StatsReport) -> [SymbolBody] { stats.symbols.compactMap { one(stats, symbol: $0) } }

    static func one(_ stats: StatsReport, symbol: String) -> SymbolBody? {
        guard let route = stats.perSymbol[symbol], let risk = SymbolRiskBody(stats, symbol: symbol) else { return nil }
        return SymbolBody(symbol: symbol, stats: route, risk: risk)
    }

    /// The route's stats keys, with `symbol` and `risk` beside them.
    func encode(to encoder: any Encoder) throws {
        try stats.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(symbol, forKey: .symbol)
        try c.encode(risk, forKey: .risk)
    }
}

/// A route's risk tier: its counts and breaker, and its allocation against its cap.
struct SymbolRiskBody: Encodable, Sendable {
    var symbol: String
    var risk: StatsReport.RiskStats.SymbolRisk
    var allocationUSD: Double?
    var allocationCapUSD: Double?

    enum CodingKeys: String, CodingKey { case symbol, allocationUSD = "allocation_usd", allocationCapUSD = "allocation_cap_usd" }

    init?(_ stats: StatsReport, symbol: String) {
        guard let risk = stats.riskStats.symbols[symbol] else { return nil }
        self.symbol = symbol
        self.risk = risk
        allocationUSD = stats.riskStats.portfolio.symbolAllocations[symbol]
        allocationCapUSD = stats.riskStats.portfolio.symbolAllocationCaps[symbol]
    }

    func encode(to encoder: any Encoder) throws {
        try risk.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(symbol, forKey: .symbol)
        try c.encode(allocationUSD, forKey: .allocationUSD)
        try c.encode(allocationCapUSD, forKey: .allocationCapUSD)
    }
}

/// `/campaigns/{id}/risk`: the limits in force and the global and portfolio tiers with the decision counts.
struct RiskBody: Encodable, Sendable {
    /// The config's `multi_symbol_risk_guard` section.
    var limits: JSONValue
    var global: StatsReport.RiskStats.Global
    var portfolio: StatsReport.RiskStats.Portfolio
    var decisions: StatsReport.Decisions

    init(limits: JSONValue?, stats: StatsReport) {
        self.limits = limits ?? .null
        global = stats.riskStats.global
        portfolio = stats.riskStats.portfolio
        decisions = stats.decisions
    }
}

/// A universe member on the wire: the route, the listing facts it was ranked on, its instruments.
struct UniverseMemberBody: Encodable, Sendable {
    var symbol: String
    var base: String
    var quoteVolumeUSD: Double
    var referencePriceUSD: Double
    var venues: [String]
    /// Leg A's rules, then leg B's.
    var legs: [InstrumentBody]
    /// Leg A's and leg B's rules under the seed pair's names (Upbit is leg A, Binance leg B).
    var upbit: InstrumentBody
    var binance: InstrumentBody
    var active: Bool

    enum CodingKeys: String, CodingKey {
        case symbol, base, quoteVolumeUSD = "quote_volume_usd", referencePriceUSD = "reference_price_usd", venues, legs
        case upbit, binance, active
    }

    init(_ m: UniverseMember, active: Bool) {
        symbol = m.route.key
        base = m.route.base
        quoteVolumeUSD = m.quoteVolumeUSD
        referencePriceUSD = m.referencePriceUSD
        venues = m.route.venues.values.map(\.rawValue)
        legs = Leg.allCases.map { InstrumentBody(m.route.instruments[$0], market: m.route.market($0)) }
        upbit = legs[0]
        binance = legs[1]
        self.active = active
    }

    /// A market's trading rules, exact decimals as strings.
    struct InstrumentBody: Encodable, Sendable {
        var market: String
        var tick: String
        var step: String
        var minNotional: String

        enum CodingKeys: String, CodingKey { case market, tick, step, minNotional = "min_notional" }

        init(_ i: Instrument, market: String) {
            self.market = market
            tick = i.tick.description
            step = i.step.description
            minNotional = i.minNotional.description
        }
    }
}
