/// A campaign's stats as the API, the CLI and the store carry them (SPEC §3.7): the seed's keys, the
/// deterministic additions, and `performance`, the only part that may differ between two simulated runs of the
/// same config. Keys are the wire's; `JSONTree` writes every optional as `null`.
public struct StatsReport: Codable, Sendable, Equatable {
    public var runtimeSeconds: Double
    public var startTime: String
    public var endTime: String
    /// The assets (Binance-form symbols), in route-table order of their first route.
    public var symbols: [String]
    public var numSymbols: Int
    public var universeMode: String
    public var universe: Universe
    public var engineMode: String
    public var clock: String
    public var status: String
    public var stopReason: String?
    public var failedRoutes: [FailedRoute]
    public var riskStats: RiskStats
    /// Each asset over its routes (on the seed's pair an asset has one route, keyed as the route is).
    public var perSymbol: [String: SymbolStats]
    /// Each route by its key; nil in stats stored before routes were reported apart from symbols.
    public var routes: [String: RouteStats]?
    public var decisions: Decisions
    public var balances: Balances
    public var pnl: PnL
    public var trades: Trades
    public var marketData: MarketData
    /// Transfers between venues; nil in stats stored before transfers existed.
    public var transfers: TransferStats?
    public var performance: Performance

    enum CodingKeys: String, CodingKey {
        case runtimeSeconds = "runtime_seconds", startTime = "start_time", endTime = "end_time", symbols
        case numSymbols = "num_symbols", universeMode = "universe_mode", universe, engineMode = "engine_mode", clock
        case status, stopReason = "stop_reason", failedRoutes = "failed_routes", riskStats = "risk_stats"
        case perSymbol = "per_symbol", routes, decisions, balances, pnl, trades, marketData = "market_data", transfers
        case performance
    }

    public init(runtimeSeconds: Double, startTime: String, endTime: String, symbols: [String], universeMode: String,
                universe: Universe, engineMode: String, clock: String, status: String, stopReason: String?,
                failedRoutes: [FailedRoute], riskStats: RiskStats, perSymbol: [String: SymbolStats],
                routes: [String: RouteStats]?, decisions: Decisions, balances: Balances, pnl: PnL, trades: Trades,
                marketData: MarketData, transfers: TransferStats? = nil, performance: Performance) {
        self.runtimeSeconds = runtimeSeconds
        self.startTime = startTime
        self.endTime = endTime
        self.symbols = symbols
        self.numSymbols = symbols.count
        self.universeMode = universeMode
        self.universe = universe
        self.engineMode = engineMode
        self.clock = clock
        self.status = status
        self.stopReason = stopReason
        self.failedRoutes = failedRoutes
        self.riskStats = riskStats
        self.perSymbol = perSymbol
        self.routes = routes
        self.decisions = decisions
        self.balances = balances
        self.pnl = pnl
        self.trades = trades
        self.marketData = marketData
        self.transfers = transfers
        self.performance = performance
    }

    /// The report as a JSON tree (for the renderer, and for tests that read it by path).
    public var tree: JSONValue { (try? JSONTree.encode(self)) ?? .null }

    /// The deterministic part: everything but `performance`.
    public var deterministicTree: JSONValue {
        guard case .object(var o) = tree else { return .null }
        o["performance"] = nil
        return .object(o)
    }

    /// The route table and how it changed (`universe.refresh_seconds`).
    public struct Universe: Codable, Sendable, Equatable {
        public var refreshSeconds: Double
        public var routes: Int
        public var active: [String]
        public var capacity: Int
        public var changes: [Change]

        enum CodingKeys: String, CodingKey { case refreshSeconds = "refresh_seconds", routes, active, capacity, changes }

        public init(refreshSeconds: Double, routes: Int, active: [String], capacity: Int, changes: [Change]) {
            self.refreshSeconds = refreshSeconds
            self.routes = routes
            self.active = active
            self.capacity = capacity
            self.changes = changes
        }

        /// A route that joined or left the universe: when (UTC and seconds into the campaign) and which.
        public struct Change: Codable, Sendable, Equatable {
            public var time: String
            public var t: Double
            public var symbol: String
            public var change: String
            public init(time: String, t: Double, symbol: String, change: String) {
                self.time = time
                self.t = t
                self.symbol = symbol
                self.change = change
            }
        }
    }

    /// A route that stopped with an error while the others went on (`engine.per_symbol_isolation`).
    public struct FailedRoute: Codable, Sendable, Equatable {
        public var symbol: String
        public var error: String
        public init(symbol: String, error: String) {
            self.symbol = symbol
            self.error = error
        }
    }

    /// One route: its asset and venues, progress, PnL, premium, open pair and route-tier state.
    public struct RouteStats: Codable, Sendable, Equatable {
        /// The asset's Binance-form symbol (`BTCUSDT`), its key in `per_symbol`.
        public var symbol: String
        /// Leg A's venue, then leg B's.
        public var venues: [String]
        public var iterations: Int
        public var trades: Int
        public var realizedPnlUSD: Double
        public var unrealizedPnlUSD: Double
        public var premiumBps: Double
        public var position: SymbolStats.Position?
        public var active: Bool
        /// Notional the route's open pair commits (USD, one leg).
        public var allocationUSD: Double
        public var risk: RiskStats.SymbolRisk

        enum CodingKeys: String, CodingKey {
            case symbol, venues, iterations, trades, realizedPnlUSD = "realized_pnl_usd", unrealizedPnlUSD = "unrealized_pnl_usd"
            case premiumBps = "premium_bps", position, active, allocationUSD = "allocation_usd", risk
        }

        public init(symbol: String, venues: [String], stats s: SymbolStats, allocationUSD: Double, risk: RiskStats.SymbolRisk) {
            self.symbol = symbol
            self.venues = venues
            (iterations, trades, realizedPnlUSD, unrealizedPnlUSD) = (s.iterations, s.trades, s.realizedPnlUSD, s.unrealizedPnlUSD)
            (premiumBps, position, active) = (s.premiumBps, s.position, s.active)
            self.allocationUSD = allocationUSD
            self.risk = risk
        }

        /// The route's numbers as an asset of one route shows them.
        public var stats: SymbolStats {
            SymbolStats(iterations: iterations, trades: trades, realizedPnlUSD: realizedPnlUSD, unrealizedPnlUSD: unrealizedPnlUSD,
                        premiumBps: premiumBps, position: position, active: active)
        }
    }

    /// One asset's progress, PnL, premium and open pair over its routes: counts and PnL summed, the premium of its
    /// first route, the open pair of the first route holding one, active while any route is.
    public struct SymbolStats: Codable, Sendable, Equatable {
        public var iterations: Int
        public var trades: Int
        public var realizedPnlUSD: Double
        public var unrealizedPnlUSD: Double
        public var premiumBps: Double
        public var position: Position?
        public var active: Bool

        enum CodingKeys: String, CodingKey {
            case iterations, trades, realizedPnlUSD = "realized_pnl_usd", unrealizedPnlUSD = "unrealized_pnl_usd"
            case premiumBps = "premium_bps", position, active
        }

        public init(iterations: Int, trades: Int, realizedPnlUSD: Double, unrealizedPnlUSD: Double, premiumBps: Double,
                    position: Position?, active: Bool) {
            self.iterations = iterations
            self.trades = trades
            self.realizedPnlUSD = realizedPnlUSD
            self.unrealizedPnlUSD = unrealizedPnlUSD
            self.premiumBps = premiumBps
            self.position = position
            self.active = active
        }

        /// The route's open pair.
        public struct Position: Codable, Sendable, Equatable {
            public var tradeId: String
            public var direction: String
            /// Exact, as a decimal string.
            public var quantity: String
            public var entryTime: String
            public var committedUSD: Double

            enum CodingKeys: String, CodingKey {
                case tradeId = "trade_id", direction, quantity, entryTime = "entry_time", committedUSD = "committed_usd"
            }

            public init(tradeId: String, direction: String, quantity: String, entryTime: String, committedUSD: Double) {
                self.tradeId = tradeId
                self.direction = direction
                self.quantity = quantity
                self.entryTime = entryTime
                self.committedUSD = committedUSD
            }
        }
    }

    /// Realized and unrealized PnL, and the equity curve sampled over the campaign.
    public struct PnL: Codable, Sendable, Equatable {
        public var realizedUSD: Double
        public var unrealizedUSD: Double
        public var equityCurve: [EquitySample]
        /// Realized PnL before any fee, after trading fees only, and after every transfer fee too (rebalancing,
        /// operators' and closes still on their way included); nil in stats stored before transfers existed.
        public var grossUSD: Double?
        public var netOfTradingFeesUSD: Double?
        public var netOfTransfersUSD: Double?

        enum CodingKeys: String, CodingKey {
            case realizedUSD = "realized_usd", unrealizedUSD = "unrealized_usd", equityCurve = "equity_curve"
            case grossUSD = "gross_usd", netOfTradingFeesUSD = "net_of_trading_fees_usd", netOfTransfersUSD = "net_of_transfers_usd"
        }

        public init(realizedUSD: Double, unrealizedUSD: Double, equityCurve: [EquitySample], grossUSD: Double? = nil,
                    netOfTradingFeesUSD: Double? = nil, netOfTransfersUSD: Double? = nil) {
            self.realizedUSD = realizedUSD
            self.unrealizedUSD = unrealizedUSD
            self.equityCurve = equityCurve
            self.grossUSD = grossUSD
            self.netOfTradingFeesUSD = netOfTradingFeesUSD
            self.netOfTransfersUSD = netOfTransfersUSD
        }

        public struct EquitySample: Codable, Sendable, Equatable {
            /// Seconds into the campaign.
            public var t: Double
            public var realizedUSD: Double
            public var unrealizedUSD: Double
            public var equityUSD: Double

            enum CodingKeys: String, CodingKey {
                case t, realizedUSD = "realized_usd", unrealizedUSD = "unrealized_usd", equityUSD = "equity_usd"
            }

            public init(t: Double, realizedUSD: Double, unrealizedUSD: Double) {
                self.t = t
                self.realizedUSD = realizedUSD
                self.unrealizedUSD = unrealizedUSD
                self.equityUSD = realizedUSD + unrealizedUSD
            }
        }
    }

    /// Pairs opened and executed, and legs the paper venue refused (venue, then reason, then count).
    public struct Trades: Codable, Sendable, Equatable {
        public var opened: Int
        public var executed: Int
        public var legsRejected: [String: [String: Int]]

        enum CodingKeys: String, CodingKey { case opened, executed, legsRejected = "legs_rejected" }

        public init(opened: Int, executed: Int, legsRejected: [String: [String: Int]]) {
            self.opened = opened
            self.executed = executed
            self.legsRejected = legsRejected
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            opened = try c.decode(Int.self, forKey: .opened)
            executed = try c.decode(Int.self, forKey: .executed)
            // Stats stored before refused legs were counted have none.
            legsRejected = try c.decodeIfPresent([String: [String: Int]].self, forKey: .legsRejected) ?? [:]
        }
    }
}
