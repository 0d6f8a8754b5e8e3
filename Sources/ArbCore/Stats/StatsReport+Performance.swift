extension StatsReport {
    /// How fast the run went and what it cost: the only part of the stats that may differ between two simulated
    /// runs of one config.
    public struct Performance: Codable, Sendable, Equatable {
        public var wallSeconds: Double
        public var universeRefreshes: Int
        public var universeRefreshFailures: Int
        public var bookUpdates: Int
        public var bookUpdatesPerSecond: Double
        public var iterations: Int
        public var iterationsPerSecond: Double
        /// Per route key, and `overall`; `null` for a route that has not evaluated yet.
        public var loopLatencyUs: [String: Latency?]
        public var tickToDecisionUs: Latency?
        public var resources: Resources

        enum CodingKeys: String, CodingKey {
            case wallSeconds = "wall_seconds", universeRefreshes = "universe_refreshes"
            case universeRefreshFailures = "universe_refresh_failures", bookUpdates = "book_updates"
            case bookUpdatesPerSecond = "book_updates_per_second", iterations
            case iterationsPerSecond = "iterations_per_second", loopLatencyUs = "loop_latency_us"
            case tickToDecisionUs = "tick_to_decision_us", resources
        }

        public init(wallSeconds: Double, universeRefreshes: Int, universeRefreshFailures: Int, bookUpdates: Int,
                    iterations: Int, loopLatencyUs: [String: Latency?], tickToDecisionUs: Latency?, resources: Resources) {
            self.wallSeconds = wallSeconds
            self.universeRefreshes = universeRefreshes
            self.universeRefreshFailures = universeRefreshFailures
            self.bookUpdates = bookUpdates
            self.bookUpdatesPerSecond = wallSeconds > 0 ? Double(bookUpdates) / wallSeconds : 0
            self.iterations = iterations
            self.iterationsPerSecond = wallSeconds > 0 ? Double(iterations) / wallSeconds : 0
            self.loopLatencyUs = loopLatencyUs
            self.tickToDecisionUs = tickToDecisionUs
            self.resources = resources
        }
    }

    /// A latency distribution in microseconds.
    public struct Latency: Codable, Sendable, Equatable {
        public var p50: Double
        public var p99: Double
        public var max: Double
        public var avg: Double
        public var count: Int

        public init(p50: Double, p99: Double, max: Double, avg: Double, count: Int) {
            self.p50 = p50
            self.p99 = p99
            self.max = max
            self.avg = avg
            self.count = count
        }
    }

    /// The process's CPU and memory, sampled over the run.
    public struct Resources: Codable, Sendable, Equatable {
        public var cpuPercentAvg: Double
        public var cpuPercentMax: Double
        public var rssMBAvg: Double
        public var rssMBMax: Double
        public var samples: Int

        enum CodingKeys: String, CodingKey {
            case cpuPercentAvg = "cpu_percent_avg", cpuPercentMax = "cpu_percent_max", rssMBAvg = "rss_mb_avg"
            case rssMBMax = "rss_mb_max", samples
        }

        public init(cpuPercentAvg: Double, cpuPercentMax: Double, rssMBAvg: Double, rssMBMax: Double, samples: Int) {
            self.cpuPercentAvg = cpuPercentAvg
            self.cpuPercentMax = cpuPercentMax
            self.rssMBAvg = rssMBAvg
            self.rssMBMax = rssMBMax
            self.samples = samples
        }
    }
}
