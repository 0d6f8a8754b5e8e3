extension StatsReport {
    /// The risk tiers' state: global, portfolio (allocations against caps) and per route.
    public struct RiskStats: Codable, Sendable, Equatable {
        public var global: Global
        public var portfolio: Portfolio
        public var symbols: [String: SymbolRisk]

        public init(global: Global, portfolio: Portfolio, symbols: [String: SymbolRisk]) {
            self.global = global
            self.portfolio = portfolio
            self.symbols = symbols
        }

        public struct Global: Codable, Sendable, Equatable {
            public var totalExposureUSD: Double
            public var totalDailyLossUSD: Double
            public var maxDailyLossSeenUSD: Double
            public var tradesExecuted: Int
            public var tradesRejected: Int
            public var emergencyStopped: Bool

            enum CodingKeys: String, CodingKey {
                case totalExposureUSD = "total_exposure_usd", totalDailyLossUSD = "total_daily_loss_usd"
                case maxDailyLossSeenUSD = "max_daily_loss_seen_usd", tradesExecuted = "trades_executed"
                case tradesRejected = "trades_rejected", emergencyStopped = "emergency_stopped"
            }

            public init(totalExposureUSD: Double, totalDailyLossUSD: Double, maxDailyLossSeenUSD: Double,
                        tradesExecuted: Int, tradesRejected: Int, emergencyStopped: Bool) {
                self.totalExposureUSD = totalExposureUSD
                self.totalDailyLossUSD = totalDailyLossUSD
                self.maxDailyLossSeenUSD = maxDailyLossSeenUSD
                self.tradesExecuted = tradesExecuted
                self.tradesRejected = tradesRejected
                self.emergencyStopped = emergencyStopped
            }
        }

        public struct Portfolio: Codable, Sendable, Equatable {
            public var totalCapitalUSD: Double
            public var totalAllocatedCapital: Double
            public var peakAllocatedCapital: Double
            public var symbolAllocations: [String: Double]
            public var symbolAllocationCaps: [String: Double]

            enum CodingKeys: String, CodingKey {
                case totalCapitalUSD = "total_capital_usd", totalAllocatedCapital = "total_allocated_capital"
                case peakAllocatedCapital = "peak_allocated_capital", symbolAllocations = "symbol_allocations"
                case symbolAllocationCaps = "symbol_allocation_caps"
            }

            public init(totalCapitalUSD: Double, totalAllocatedCapital: Double, peakAllocatedCapital: Double,
                        symbolAllocations: [String: Double], symbolAllocationCaps: [String: Double]) {
                self.totalCapitalUSD = totalCapitalUSD
                self.totalAllocatedCapital = totalAllocatedCapital
                self.peakAllocatedCapital = peakAllocatedCapital
                self.symbolAllocations = symbolAllocations
                self.symbolAllocationCaps = symbolAllocationCaps
            }
        }

        /// One route's tier: its counts and whether its circuit breaker tripped.
        public struct SymbolRisk: Codable, Sendable, Equatable {
            public var tradesExecuted: Int
            public var tradesRejected: Int
            public var circuitBreakerTriggered: Bool

            enum CodingKeys: String, CodingKey {
                case tradesExecuted = "trades_executed", tradesRejected = "trades_rejected"
                case circuitBreakerTriggered = "circuit_breaker_triggered"
            }

            public init(tradesExecuted: Int, tradesRejected: Int, circuitBreakerTriggered: Bool) {
                self.tradesExecuted = tradesExecuted
                self.tradesRejected = tradesRejected
                self.circuitBreakerTriggered = circuitBreakerTriggered
            }
        }
    }

    /// Decision counts: allowed by kind, rejected by tier, then by reason.
    public struct Decisions: Codable, Sendable, Equatable {
        public var allowed: [String: [String: Int]]
        public var rejected: [String: [String: Int]]

        public init(allowed: [String: [String: Int]] = [:], rejected: [String: [String: Int]] = [:]) {
            self.allowed = allowed
            self.rejected = rejected
        }

        /// Rejections of one tier, all reasons.
        public func rejectedCount(tier: String) -> Int { rejected[tier]?.values.reduce(0, +) ?? 0 }
    }

    /// Every venue's assets (initial, final, fees, exact decimals) and whether every account reconciles exactly.
    /// On the wire the venues are keys beside `reconciled`.
    public struct Balances: Codable, Sendable, Equatable {
        public var venues: [String: [String: Asset]]
        public var reconciled: Bool

        public init(venues: [String: [String: Asset]], reconciled: Bool) {
            self.venues = venues
            self.reconciled = reconciled
        }

        public struct Asset: Codable, Sendable, Equatable {
            public var initial: String
            public var final: String
            public var fees: String
            public init(initial: String, final: String, fees: String) {
                self.initial = initial
                self.final = final
                self.fees = fees
            }
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: TreeKey.self)
            reconciled = try c.decode(Bool.self, forKey: TreeKey(stringValue: "reconciled"))
            var venues: [String: [String: Asset]] = [:]
            for key in c.allKeys where key.stringValue != "reconciled" {
                venues[key.stringValue] = try c.decode([String: Asset].self, forKey: key)
            }
            self.venues = venues
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: TreeKey.self)
            for (venue, assets) in venues { try c.encode(assets, forKey: TreeKey(stringValue: venue)) }
            try c.encode(reconciled, forKey: TreeKey(stringValue: "reconciled"))
        }
    }

    /// Where the books came from, and a recorded source's counts (absent for the synthetic market).
    public struct MarketData: Codable, Sendable, Equatable {
        public var source: String
        public var files: Int?
        public var rows: Int?
        public var badRows: Int?
        public var skippedRows: Int?
        /// Live: the markets that have sent no book since the campaign started (`okx:BTC-USDT`), and the routes
        /// that wait for them (stale: no entries until their books come).
        public var waitingMarkets: [String]?
        public var waitingRoutes: [String]?

        enum CodingKeys: String, CodingKey {
            case source, files, rows, badRows = "bad_rows", skippedRows = "skipped_rows", waitingMarkets = "waiting_markets"
            case waitingRoutes = "waiting_routes"
        }

        public init(source: String, files: Int? = nil, rows: Int? = nil, badRows: Int? = nil, skippedRows: Int? = nil,
                    waitingMarkets: [String]? = nil, waitingRoutes: [String]? = nil) {
            self.source = source
            self.files = files
            self.rows = rows
            self.badRows = badRows
            self.skippedRows = skippedRows
            self.waitingMarkets = waitingMarkets
            self.waitingRoutes = waitingRoutes
        }

        /// Counts are left out, not `null`, where there are none.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(source, forKey: .source)
            if let files { try c.encode(files, forKey: .files) }
            if let rows { try c.encode(rows, forKey: .rows) }
            if let badRows { try c.encode(badRows, forKey: .badRows) }
            if let skippedRows { try c.encode(skippedRows, forKey: .skippedRows) }
            if let waitingMarkets { try c.encode(waitingMarkets, forKey: .waitingMarkets) }
            if let waitingRoutes { try c.encode(waitingRoutes, forKey: .waitingRoutes) }
        }
    }
}
