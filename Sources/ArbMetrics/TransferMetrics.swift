import ArbCore
import ArbEngine

/// Per-campaign transfer series, from each campaign's transfer book at scrape time.
enum TransferMetrics {
    static func render(_ probes: [CampaignProbe], risks: [RiskState], into text: inout MetricsText) {
        let books = probes.map { $0.kernel.transfers }
        text.family("arbitrage_transfers_total", "counter", "Transfers between venues requested, by asset and purpose (rebalance, exit, manual).")
        for (p, probe) in probes.enumerated() {
            var counts: [String: Int] = [:]
            for t in books[p] { counts["\(t.asset)|\(t.purpose.rawValue)", default: 0] += 1 }
            for (key, count) in counts.sorted(by: { $0.key < $1.key }) {
                let parts = key.split(separator: "|").map(String.init)
                text.sample("arbitrage_transfers_total", [("campaign", probe.id), ("asset", parts[0]), ("purpose", parts[1])], Double(count))
            }
        }
        text.family("arbitrage_transfer_fees_usd_total", "counter", "Withdrawal fees paid, valued at each transfer's request (USD).")
        for (p, probe) in probes.enumerated() {
            text.sample("arbitrage_transfer_fees_usd_total", [("campaign", probe.id)], books[p].reduce(0) { $0 + $1.feeUSD })
        }
        text.family("arbitrage_transfers_in_transit", "gauge", "Transfers on their way (sent, or failed and coming back), by asset.")
        text.family("arbitrage_capital_in_transit_usd", "gauge", "USD value (at request) of what is in transit.")
        text.family("arbitrage_transfers_overdue", "gauge", "Transfers in transit longer than their network's 95th percentile time (a review, a suspended deposit wallet, a failure), by asset.")
        for (p, probe) in probes.enumerated() {
            let rules = probe.kernel.transferRules
            var inTransit: [String: Int] = [:], overdue: [String: Int] = [:], capital = 0.0
            for t in books[p] where t.state.isOpen {
                inTransit[t.asset, default: 0] += 1
                capital += t.valueUSD
                let p95 = rules.networks(for: t.asset, priceUSD: 1).first { $0.name == t.network }?.p95Minutes ?? 45
                if Double(probe.nowNs - t.requestedNs) / 60e9 > p95 { overdue[t.asset, default: 0] += 1 }
            }
            for (asset, count) in inTransit.sorted(by: { $0.key < $1.key }) {
                text.sample("arbitrage_transfers_in_transit", [("campaign", probe.id), ("asset", asset)], Double(count))
                text.sample("arbitrage_transfers_overdue", [("campaign", probe.id), ("asset", asset)], Double(overdue[asset] ?? 0))
            }
            text.sample("arbitrage_capital_in_transit_usd", [("campaign", probe.id)], capital)
        }
        text.family("arbitrage_transfer_rejections_total", "counter", "Transfers the rules refused to closes and the rebalancer, by reason (route_blocked, wallet_suspended, inventory_exhausted, …).")
        for (p, probe) in probes.enumerated() {
            for (reason, count) in (risks[p].transferRejections ?? [:]).sorted(by: { $0.key < $1.key }) {
                text.sample("arbitrage_transfer_rejections_total", [("campaign", probe.id), ("reason", reason)], Double(count))
            }
        }
    }
}
