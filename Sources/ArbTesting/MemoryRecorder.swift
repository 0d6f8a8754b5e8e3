import ArbCore
import Synchronization

/// Keeps a campaign's events in memory: counts always, the records themselves when asked to (tests, small runs).
public final class MemoryRecorder: CampaignRecorder {
    public struct Contents: Sendable {
        public var fills: [Fill] = []
        /// Newest version of each trade, in first-seen order.
        public var trades: [TradeRecord] = []
        /// Newest version of each decision, in first-seen order.
        public var decisions: [DecisionRecord] = []
        /// Newest version of each transfer, in request order.
        public var transfers: [Transfer] = []
        var tradeIndex: [String: Int] = [:]
        var transferIndex: [String: Int] = [:]
        var decisionIndex: [String: Int] = [:]
        public var fillCount = 0
    }

    private let keep: Bool
    private let contents = Mutex(Contents())

    public init(keepRecords: Bool) { self.keep = keepRecords }

    public func record(_ event: CampaignEvent) {
        contents.withLock { c in
            switch event {
            case .fill(let f):
                c.fillCount += 1
                if keep { c.fills.append(f) }
            case .trade(let t):
                guard keep else { return }
                if let i = c.tradeIndex[t.id] { c.trades[i] = t } else { c.tradeIndex[t.id] = c.trades.count; c.trades.append(t) }
            case .transfer(let t):
                guard keep else { return }
                if let i = c.transferIndex[t.id] { c.transfers[i] = t } else { c.transferIndex[t.id] = c.transfers.count; c.transfers.append(t) }
            case .decision(let d):
                guard keep else { return }
                if let i = c.decisionIndex[d.id] { c.decisions[i] = d } else { c.decisionIndex[d.id] = c.decisions.count; c.decisions.append(d) }
            }
        }
    }

    public var snapshot: Contents { contents.withLock { $0 } }
}
