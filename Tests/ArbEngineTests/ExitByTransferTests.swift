import ArbCore
@testable import ArbEngine
import ArbTesting
import Foundation
import Synchronization
import Testing

extension CampaignSuites {
/// A premium that jumps and stays wide for two hours, replayed: without `exit_by_transfer` pairs are held to
/// `max_hold_seconds` and unwound; with it they close by transfer after the networks' times and trade again;
/// with the coin's withdrawals suspended no transfer starts and the pairs end as without.
@Suite struct ExitByTransferTests {
    /// Bithumb's BTC 3.7 % above Binance's at 1,350 KRW per USDT, a book every second for two hours.
    static func premiumFile(_ dir: URL) throws -> String {
        var lines: [String] = []
        for i in 0..<7_200 {
            let t = 1_767_225_600_000_000_000 + Int64(i) * 1_000_000_000
            lines.append(#"{"ts":\#(t),"exchange":"bithumb","symbol":"KRW-BTC","bids":[["140000000","5"]],"asks":[["140100000","5"]]}"#)
            lines.append(#"{"ts":\#(t + 1),"exchange":"binance","symbol":"BTCUSDT","bids":[["99990","5"]],"asks":[["100000","5"]]}"#)
            lines.append(#"{"ts":\#(t + 2),"exchange":"bithumb","symbol":"KRW-USDT","bids":[["1349","1000000"]],"asks":[["1351","1000000"]]}"#)
        }
        let path = dir.appendingPathComponent("premium.jsonl").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func config(_ file: String, exitByTransfer: Bool, suspended: Bool = false) -> JSONValue {
        var transfers: JSONValue = ["review_probability": 0, "failure_probability": 0, "suspensions": ["process": "off"]]
        if suspended {
            transfers = ["review_probability": 0, "failure_probability": 0, "suspensions": ["process": "off", "schedule": [
                ["venue": "binance", "asset": "BTC", "direction": "withdraw", "from": "2026-01-01T00:00:00Z", "until": "2026-01-02T00:00:00Z"],
            ]]]
        }
        return multi([
            "venues": ["bithumb", "binance"], "universe": ["mode": "FIXED_LIST", "whitelist": ["BTCUSDT"]],
            "strategy": ["entry_threshold_bps": 100, "exit_threshold_bps": 0, "max_hold_seconds": 3_600,
                         "order_notional_usd": 5_000, "max_slippage_bps": 50, "exit_by_transfer": .bool(exitByTransfer),
                         "transfer_after_seconds": 300],
            "multi_symbol_risk_guard": ["total_capital_usd": 100_000, "max_position_size_usd": 10_000, "cooldown_seconds": 0,
                                        "max_symbol_allocation_pct": 0.5, "circuit_breaker_consecutive_losses": 1_000],
            "session": ["clock": "simulated", "max_runtime_seconds": 7_100, "checkpoint_seconds": 600],
            "market_data": ["source": "replay", "replay": ["files": [.string(file)], "speed": 0]],
            "transfers": transfers,
        ])
    }

    @Test func aPremiumThatStaysIsEarnedByTransferAndLostByWaiting() async throws {
        let file = try Self.premiumFile(try newDir())
        let (held, heldLog) = try await runCampaign(Self.config(file, exitByTransfer: false))
        let (moved, movedLog) = try await runCampaign(Self.config(file, exitByTransfer: true))

        // Without transfers: every pair waits out max_hold and is unwound at the same wide premium.
        let heldTrades = heldLog.snapshot.trades.filter { $0.status == .closed }
        #expect(heldTrades.contains { $0.exitReason == "max_hold" }
            && heldTrades.allSatisfy { $0.exitReason == "max_hold" || $0.exitReason == "campaign_end" })
        #expect(heldLog.snapshot.transfers.isEmpty && held.stats.transfers?.count == 0)

        // With them: pairs close by transfer and the route trades again.
        let c = movedLog.snapshot
        let closed = c.trades.filter { $0.status == .closed && $0.exitReason == "transfer" }
        #expect(closed.count >= 2, "\(c.trades.map(\.exitReason))")
        #expect(c.trades.allSatisfy { $0.status != .closed || $0.exitReason == "transfer" || $0.exitReason == "campaign_end" })
        let first = try #require(closed.first)
        #expect(first.transferIds?.count == 2 && (first.holdSeconds ?? 0) > 300)
        let byId = Dictionary(uniqueKeysWithValues: c.transfers.map { ($0.id, $0) })
        let coin = try #require(byId[first.transferIds?[0] ?? ""]), cash = try #require(byId[first.transferIds?[1] ?? ""])
        #expect(coin.asset == "BTC" && coin.from == .binance && coin.to == .bithumb && coin.amount == first.quantity)
        #expect(cash.asset == "USDT" && cash.from == .bithumb && cash.to == .binance && cash.network == "TRC20")
        #expect(coin.state == .credited && cash.state == .credited && first.exit?.timeNs == Swift.max(coin.settledNs!, cash.settledNs!))

        // Each trade's PnL is its fills' cash flows (a conversion's USDT included) less its transfers' fees.
        let fills = Dictionary(uniqueKeysWithValues: c.fills.map { ($0.id, $0) })
        for trade in closed {
            let flows = trade.fillIds.reduce(Fixed.zero) { sum, id in
                guard let f = fills[id] else { return sum }
                let usdt = f.role == .conversion ? (f.side == .buy ? f.quantity : -f.quantity) : .zero
                return sum + f.usdFlow + usdt
            }
            let fees = (trade.transferIds ?? []).reduce(0.0) { $0 + (byId[$1]?.feeUSD ?? 0) }
            #expect(trade.realizedPnlUSD == flows - Fixed(fees), "\(trade.id)")
            #expect(trade.transferFeesUSD == Fixed(fees))
        }
        let realized = closed.reduce(Fixed.zero) { $0 + ($1.realizedPnlUSD ?? .zero) }
        #expect(realized.double > 100, "the premium, net of every cost: \(realized)")
        #expect(moved.stats.pnl.realizedUSD > held.stats.pnl.realizedUSD + 100)
        #expect(moved.stats.balances.reconciled && moved.stats.transfers?.byPurpose["exit"] == c.transfers.count)
        // PnL before fees, after trading fees, after transfer fees: each step takes its fees off.
        let pnl = moved.stats.pnl
        let tradingFees = closed.reduce(0.0) { $0 + $1.feesUSD.double }
        let closeFees = closed.reduce(0.0) { $0 + ($1.transferFeesUSD?.double ?? 0) }
        #expect(abs((pnl.grossUSD ?? 0) - (realized.double + tradingFees + closeFees)) < 1e-6)
        #expect(abs((pnl.netOfTradingFeesUSD ?? 0) - (realized.double + closeFees)) < 1e-6)
        #expect(abs((pnl.netOfTransfersUSD ?? 0) - (realized.double + closeFees - (moved.stats.transfers?.feesUSD ?? 0))) < 1e-6)
        #expect((pnl.netOfTransfersUSD ?? 0) < (pnl.netOfTradingFeesUSD ?? 0) && (pnl.netOfTradingFeesUSD ?? 0) < (pnl.grossUSD ?? 0))
        #expect((moved.stats.transfers?.perAsset["BTC"]?.transitP50Seconds ?? 0) > 60)
    }

    @Test func suspendedWithdrawalsStartNoTransferAndThePairsEndAsWithout() async throws {
        let file = try Self.premiumFile(try newDir())
        let (held, _) = try await runCampaign(Self.config(file, exitByTransfer: false))
        let (suspended, log) = try await runCampaign(Self.config(file, exitByTransfer: true, suspended: true))
        let c = log.snapshot
        #expect(c.transfers.isEmpty)
        let refusals = c.decisions.filter { $0.reason == "wallet_suspended" }
        #expect(!refusals.isEmpty && refusals.allSatisfy { $0.detail?.contains("binance withdrawals of BTC suspended") == true })
        #expect((suspended.stats.transfers?.rejections["wallet_suspended"] ?? 0) > 0)
        #expect(c.trades.filter { $0.status == .closed }.allSatisfy { $0.exitReason == "max_hold" || $0.exitReason == "campaign_end" })
        #expect(suspended.stats.pnl.realizedUSD == held.stats.pnl.realizedUSD)
    }

    @Test func theRebalancerMovesSkewedInventoryBackToTheTarget() async throws {
        let file = try Self.premiumFile(try newDir())
        func config(_ policy: String) -> JSONValue {
            guard case .object(var o) = Self.config(file, exitByTransfer: false) else { return .null }
            o["strategy"] = ["entry_threshold_bps": 9_000]
            o["venue_config"] = ["bithumb": ["initial_balances": ["BTC": 0.01]], "binance": ["initial_balances": ["BTC": 0.19]]]
            o["rebalance"] = ["policy": .string(policy), "max_fee_pct": 0.01]
            return .object(o)
        }
        let (off, offLog) = try await runCampaign(config("off"))
        #expect(offLog.snapshot.transfers.isEmpty && off.stats.transfers?.count == 0)
        let (band, log) = try await runCampaign(config("band"))
        let transfers = log.snapshot.transfers
        let t = try #require(transfers.first)
        #expect(transfers.count == 1 && t.purpose == .rebalance && t.from == .binance && t.to == .bithumb)
        #expect(t.amount == Fixed("0.09") && t.state == .credited && abs(t.requestedNs - (UTCTime.parse(band.stats.startTime) ?? 0) - 60_000_000_000) < 1_000_000, "the first look, a minute in")
        let tree = band.stats.tree
        #expect(tree.at("balances.bithumb.BTC.final") == "0.1" && tree.at("balances.binance.BTC.final") == "0.0998", "\(tree["balances"] ?? .null)")
        #expect(band.stats.transfers?.byPurpose["rebalance"] == 1 && band.stats.balances.reconciled)
    }

    /// On the realtime clock the route tasks pick their settled transfers up themselves.
    @Test func onTheRealtimeClockPairsCloseByTransferToo() async throws {
        let file = try Self.premiumFile(try newDir())
        guard case .object(var o) = Self.config(file, exitByTransfer: true) else { return }
        o["session"] = ["clock": "realtime", "max_runtime_seconds": 120]
        o["market_data"] = ["source": "replay", "replay": ["files": [.string(file)], "speed": 20]]
        o["strategy"] = ["entry_threshold_bps": 100, "max_hold_seconds": 3_600, "order_notional_usd": 5_000, "max_slippage_bps": 50,
                         "exit_by_transfer": true, "transfer_after_seconds": 10]
        o["transfers"] = ["review_probability": 0, "failure_probability": 0, "travel_rule_minutes": 0, "suspensions": ["process": "off"],
                          "networks": ["BTC": ["median_minutes": 0.1, "p95_minutes": 0.2], "USDT": ["median_minutes": 0.1, "p95_minutes": 0.2]]]
        let (result, log) = try await runCampaign(.object(o))
        let c = log.snapshot
        let closed = c.trades.filter { $0.status == .closed && $0.exitReason == "transfer" }
        #expect(closed.count >= 2, "\(c.trades.map { "\($0.status) \($0.exitReason ?? "")" }) \(c.transfers.map { "\($0.id) \($0.state) \($0.requestedNs) \($0.arrivesNs) \($0.settledNs ?? 0)" })")
        let byId = Dictionary(c.transfers.map { ($0.id, $0) }, uniquingKeysWith: { _, b in b })
        for trade in closed {
            let ids = trade.transferIds ?? []
            #expect(ids.count == 2 && ids.allSatisfy { byId[$0]?.state == .credited })
            let fees = ids.reduce(0.0) { $0 + (byId[$1]?.feeUSD ?? 0) }
            #expect(trade.realizedPnlUSD == trade.cashFlowUSD - Fixed(fees))
        }
        #expect(result.stats.balances.reconciled && result.stats.transfers?.byPurpose["exit"] == c.transfers.count)
    }

    @Test func simulatedRunsWithTransfersAreDeterministicAndResumeToTheSameResults() async throws {
        let file = try Self.premiumFile(try newDir())
        let config = try CampaignConfig.parse(Self.config(file, exitByTransfer: true))
        let taken = Mutex<[CampaignCheckpoint]>([])
        let full = try await Campaign(config: config, recorder: MemoryRecorder(keepRecords: true)).run { cp in
            taken.withLock { $0.append(cp) }
        }
        let (again, _) = try await runCampaign(Self.config(file, exitByTransfer: true))
        #expect(results(full.stats) == results(again.stats))
        // Every checkpoint cut with transfers on their way resumes to the uninterrupted run's results.
        let inFlight = taken.withLock { $0 }.filter { !$0.kernel.paper.transferBook.open.isEmpty }
        #expect(inFlight.count >= 2)
        for checkpoint in inFlight {
            let resumed = try await Campaign(config: config, recorder: MemoryRecorder(keepRecords: false)).resume(from: checkpoint)
            #expect(results(resumed.stats) == results(full.stats), "resumed from checkpoint \(checkpoint.sequence)")
        }
    }
}
}
