import ArbCore
import ArbEngine
import Synchronization

/// Per-campaign and per-symbol series, rendered at scrape time from what campaigns publish (route summaries,
/// the coordinator's and store's snapshots, the routes' own latency histograms): nothing on the hot path.
public enum CampaignMetrics {
    /// Upper bounds (seconds) of the latency histograms: microseconds to seconds, the histograms' own coarse
    /// buckets. Twelve, so a thousand routes' two histograms stay near 2 MB per scrape.
    static let bounds: [Double] = LatencyHistogram.coarseBoundsNs.map { Double($0) / 1e9 }

    /// A class: every family loops over the routes, and copying a struct of six references retained and released
    /// each of them per route and family (half the rendering time at a thousand routes).
    final class Route {
        let campaign: String
        let symbol: String
        let summary: RouteCounts
        let worker: RouteWorker
        let index: Int
        let probe: CampaignProbe
        let risk: RiskState
        let labels: MetricsText.LabelSet
        let directionLabels: [MetricsText.LabelSet]
        let venueLabels: [MetricsText.LabelSet]

        init(campaign: String, symbol: String, summary: RouteCounts, worker: RouteWorker, index: Int, probe: CampaignProbe,
             risk: RiskState, labels: LabelCache.Entry) {
            self.campaign = campaign
            self.symbol = symbol
            self.summary = summary
            self.worker = worker
            self.index = index
            self.probe = probe
            self.risk = risk
            self.labels = labels.base
            directionLabels = labels.directions
            venueLabels = labels.venues
        }
    }

    static let loopLatency = MetricsText.HistogramName("arbitrage_loop_latency_seconds", bounds: bounds)
    static let tickToDecision = MetricsText.HistogramName("arbitrage_tick_to_decision_seconds", bounds: bounds)

    /// Each route's rendered label sets, kept from one scrape to the next (five arrays a route otherwise) and
    /// dropped once its campaign is no longer rendered.
    public final class LabelCache: Sendable {
        struct Entry {
            let base: MetricsText.LabelSet
            let directions: [MetricsText.LabelSet]
            let venues: [MetricsText.LabelSet]

            /// `symbol` is the asset (`BTCUSDT`), `route` the route's key and `pair` its venues: on the seed's pair the
            /// route is its symbol, so `sum by (symbol)` adds an asset's routes everywhere.
            init(campaign: String, route: ArbCore.Route, venues legs: PerLeg<Venue>) {
                let base = MetricsText.LabelSet([("campaign", campaign), ("symbol", route.symbol), ("route", route.key),
                                                 ("pair", legs.a.rawValue + "-" + legs.b.rawValue)])
                self.base = base
                directions = [Direction.sellABuyB, .buyASellB].map { base.adding("direction", $0.rawValue) }
                venues = legs.values.map { base.adding("exchange", $0.rawValue) }
            }
        }

        /// Taken whole by a render and put back after; two scrapes at once only rebuild what the other holds.
        private let entries = Mutex<[String: Entry]>([:])

        public init() {}

        func take() -> [String: Entry] { entries.withLock { e in defer { e = [:] }; return e } }
        func keep(_ kept: [String: Entry]) { entries.withLock { $0 = kept } }
    }

    public static func render(_ probes: [CampaignProbe], into text: inout MetricsText, labels: LabelCache = LabelCache()) {
        // Route tables before risk states: a route that joins meanwhile is in the coordinator first.
        let tables = probes.map { $0.kernel.workers }
        let risks = probes.map { $0.kernel.coordinator.snapshot() }
        let routes = routeRows(probes, tables: tables, risks: risks, labels: labels)
        renderRoutes(routes, into: &text)
        renderCampaigns(probes, risks: risks, into: &text)
        TransferMetrics.render(probes, risks: risks, into: &text)
    }

    /// One row per route of every campaign, with its label sets from the cache.
    static func routeRows(_ probes: [CampaignProbe], tables: [RouteWorkers], risks: [RiskState], labels: LabelCache) -> [Route] {
        var routes: [Route] = []
        var cached = labels.take()
        var kept = [String: LabelCache.Entry](minimumCapacity: cached.count)
        for (p, probe) in probes.enumerated() {
            for (i, worker) in tables[p].enumerated() {
                let key = probe.id + "\u{1F}" + worker.route.key
                let entry = cached.removeValue(forKey: key) ?? LabelCache.Entry(campaign: probe.id, route: worker.route,
                                                                                               venues: worker.route.venues)
                kept[key] = entry
                routes.append(Route(campaign: probe.id, symbol: worker.route.key, summary: worker.counts, worker: worker,
                                    index: i, probe: probe, risk: risks[p], labels: entry))
            }
        }
        labels.keep(kept)
        return routes
    }

    /// The per-route families.
    static func renderRoutes(_ routes: [Route], into text: inout MetricsText) {
        text.family("arbitrage_route_active", "gauge", "1 while the route is in the campaign's universe, 0 once it left (universe.refresh_seconds).")
        let routeActive = Array("arbitrage_route_active".utf8)
        for r in routes { text.sample(routeActive, r.labels, r.worker.isActive ? 1 : 0) }
        text.family("arbitrage_iterations_total", "counter", "Route evaluations.")
        let iterationsTotal = Array("arbitrage_iterations_total".utf8)
        for r in routes { text.sample(iterationsTotal, r.labels, Double(r.summary.iterations)) }
        text.family("arbitrage_trades_total", "counter", "Round trips opened, by direction.")
        let trades = Array("arbitrage_trades_total".utf8)
        for r in routes {
            text.sample(trades, r.directionLabels[0], Double(r.summary.sellABuyBTrades))
            text.sample(trades, r.directionLabels[1], Double(r.summary.trades - r.summary.sellABuyBTrades))
        }
        text.family("arbitrage_realized_pnl_usd", "gauge", "Realized PnL of the route's round trips, fees included (USD).")
        let realizedPnlUsd = Array("arbitrage_realized_pnl_usd".utf8)
        for r in routes { text.sample(realizedPnlUsd, r.labels, r.summary.realizedPnlUSD) }
        text.family("arbitrage_unrealized_pnl_usd", "gauge", "The open pair marked at unwind prices, fees included (USD).")
        let unrealizedPnlUsd = Array("arbitrage_unrealized_pnl_usd".utf8)
        for r in routes { text.sample(unrealizedPnlUsd, r.labels, r.summary.unrealizedPnlUSD) }
        text.family("arbitrage_premium_bps", "gauge", "Signed mid premium of Upbit over Binance after fx (basis points).")
        let premiumBps = Array("arbitrage_premium_bps".utf8)
        for r in routes { text.sample(premiumBps, r.labels, r.summary.premiumBps) }
        text.family("arbitrage_exposure_usd", "gauge", "Notional committed by the route's open pairs (USD, one leg).")
        let exposureUsd = Array("arbitrage_exposure_usd".utf8)
        for r in routes { text.sample(exposureUsd, r.labels, r.risk.routes[r.index].allocationUSD.double) }
        text.family("arbitrage_market_data_age_seconds", "gauge", "Age of the newest book of each leg on the campaign clock.")
        let marketDataAge = Array("arbitrage_market_data_age_seconds".utf8)
        for r in routes {
            for leg in Leg.allCases {
                let top = r.probe.kernel.store.top(r.worker.markets[leg])  // a small copy under the slot's lock
                let age = top.sequence == 0 ? 0 : Double(r.probe.nowNs - top.receiveTimeNs) / 1e9
                text.sample(marketDataAge, r.venueLabels[leg.rawValue], age)
            }
        }
        text.family("arbitrage_loop_latency_seconds", "histogram", "Evaluation start to decision done, risk and paper fill included.")
        var scratch = [UInt64](repeating: 0, count: bounds.count)
        for r in routes { histogram(&text, loopLatency, r.labels, r.worker.loopLatency, scratch: &scratch) }
        text.family("arbitrage_tick_to_decision_seconds", "histogram", "Snapshot stored to decision done (event-driven realtime routes).")
        for r in routes { histogram(&text, tickToDecision, r.labels, r.worker.tickToDecision, scratch: &scratch) }
    }

    /// The per-campaign families.
    static func renderCampaigns(_ probes: [CampaignProbe], risks: [RiskState], into text: inout MetricsText) {
        text.family("arbitrage_decisions_total", "counter", "Risk decisions by outcome, tier (none for allowances) and reason.")
        for (p, probe) in probes.enumerated() {
            for (key, count) in risks[p].allDecisionCounts.sorted(by: { $0.key < $1.key }) {
                let parts = key.split(separator: ".", maxSplits: 2).map(String.init)
                guard parts.count == 3 else { continue }
                let tier = parts[0] == "allowed" ? "none" : parts[1]
                text.sample("arbitrage_decisions_total", [("campaign", probe.id), ("outcome", parts[0]), ("tier", tier),
                                                          ("reason", parts[2])], Double(count))
            }
        }
        text.family("arbitrage_legs_rejected_total", "counter", "Order legs the paper venue refused after the risk tiers allowed them, by venue and reason.")
        for (p, probe) in probes.enumerated() {
            for (venue, reasons) in (risks[p].legRejections ?? [:]).sorted(by: { $0.key < $1.key }) {
                for (reason, count) in reasons.sorted(by: { $0.key < $1.key }) {
                    text.sample("arbitrage_legs_rejected_total", [("campaign", probe.id), ("venue", venue), ("reason", reason)], Double(count))
                }
            }
        }
        text.family("arbitrage_total_exposure_usd", "gauge", "Global tier exposure: one leg per open pair (USD).")
        for (p, probe) in probes.enumerated() { text.sample("arbitrage_total_exposure_usd", [("campaign", probe.id)], risks[p].totalExposureUSD.double) }
        text.family("arbitrage_daily_loss_usd", "gauge", "Loss today (UTC day of the campaign clock), unrealized included (USD).")
        for (p, probe) in probes.enumerated() {
            let loss = Swift.max(0, -(risks[p].realizedTodayUSD.double + risks[p].unrealizedUSD))
            text.sample("arbitrage_daily_loss_usd", [("campaign", probe.id)], loss)
        }
        text.family("arbitrage_emergency_stopped", "gauge", "1 once the campaign's loss reached emergency_stop_loss_usd.")
        for (p, probe) in probes.enumerated() { text.sample("arbitrage_emergency_stopped", [("campaign", probe.id)], risks[p].emergencyStopped ? 1 : 0) }
        text.family("arbitrage_fx_krw_per_usdt", "gauge", "KRW per USDT in use, per KRW venue of the campaign.")
        for probe in probes {
            for venue in probe.kernel.venues where venue.isKRW {
                text.sample("arbitrage_fx_krw_per_usdt", [("campaign", probe.id), ("venue", venue.rawValue)], probe.kernel.fx(venue).rate)
            }
        }
        text.family("arbitrage_fx_age_seconds", "gauge", "Age of each KRW venue's fx rate on the campaign clock (0 for a fixed rate).")
        for probe in probes {
            for venue in probe.kernel.venues where venue.isKRW {
                let fx = probe.kernel.fx(venue)
                let age = probe.kernel.fxSource == .book ? Double(probe.nowNs - fx.timeNs) / 1e9 : 0
                text.sample("arbitrage_fx_age_seconds", [("campaign", probe.id), ("venue", venue.rawValue)], age)
            }
        }
        text.family("arbitrage_market_data_updates_total", "counter", "Book updates stored, per exchange (a KRW venue's include its KRW-USDT).")
        for probe in probes {
            var counts = PerVenue<Double?>(repeating: nil)
            for venue in probe.kernel.venues { counts[venue] = 0 }
            let map = probe.kernel.marketMap
            for (m, key) in map.keys.enumerated() {
                counts[key.venue] = (counts[key.venue] ?? 0) + Double(probe.kernel.store.sequence(m))
            }
            for (venue, count) in counts.pairs {
                guard let count else { continue }
                text.sample("arbitrage_market_data_updates_total", [("campaign", probe.id), ("exchange", venue.rawValue)], count)
            }
        }
        text.family("arbitrage_campaign_runtime_seconds", "gauge", "Campaign clock elapsed since its start.")
        for probe in probes { text.sample("arbitrage_campaign_runtime_seconds", [("campaign", probe.id)], Double(probe.nowNs - probe.startNs) / 1e9) }
    }

    static func histogram(_ text: inout MetricsText, _ name: MetricsText.HistogramName, _ labels: MetricsText.LabelSet,
                          _ h: LatencyHistogram, scratch: inout [UInt64]) {
        let total = h.coarseCumulative(into: &scratch)
        text.histogram(name, labels, cumulative: scratch, sum: Double(h.sumNanoseconds) / 1e9, count: total)
    }
}
