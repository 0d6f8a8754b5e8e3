import Foundation
import Testing
@testable import ArbCore

/// Transfers through the kernel and the run policy: recorded, due on the campaign clock, carried by checkpoints.
@Suite struct KernelTransferTests {
    final class Log: CampaignRecorder, @unchecked Sendable {
        // One test's thread only.
        var transfers: [Transfer] = []
        func record(_ event: CampaignEvent) { if case .transfer(let t) = event { transfers.append(t) } }
    }

    func kernel(_ log: Log) -> CampaignKernel {
        let store = SnapshotStore(marketCount: 3)
        store.write(1) { $0 = book(bids: [("141400000", "1")], asks: [("141500000", "1")]) }
        store.write(2) { $0 = book(bids: [("99990", "1")], asks: [("100000", "1")]) }
        let coordinator = RiskCoordinator(limits: RiskLimits(maxDataAgeMs: 60_000, fxBandPct: 0.5), routeKeys: ["BTCUSDT"], recorder: log)
        let paper = PaperExchange(upbit: ["KRW": Fixed(10_000_000), "BTC": Fixed("0.1")!],
                                  binance: ["USDT": Fixed(10_000), "BTC": Fixed("0.1")!])
        let k = CampaignKernel(routes: [btcRoute], store: store, coordinator: coordinator, paper: paper,
                               params: StrategyParams(entryThresholdBps: 5_000), fxSource: .fixed(Fixed(1400)), recorder: log)
        k.configureTransfers(TransferRules(reviewProbability: 0, failureProbability: 0))
        return k
    }

    @Test func aTransferIsRecordedDueAndSettledAndACheckpointCarriesIt() throws {
        let log = Log()
        let k = kernel(log)
        #expect(k.nextTransferDueNs == nil && k.markPriceUSD("BTC") > 99_000 && k.markPriceUSD("USDT") == 1)
        let request = TransferRequest(asset: "BTC", from: .binance, to: .upbit, amount: Fixed("0.05")!, purpose: .manual,
                                      priceUSD: k.markPriceUSD("BTC"), krwPerUSD: 1_400)
        let t = try k.requestTransfer(request, nowNs: 1_000).get()
        #expect(k.nextTransferDueNs == t.arrivesNs && log.transfers.map(\.state) == [.inTransit])
        #expect(k.settleTransfers(nowNs: t.arrivesNs - 1).isEmpty)

        // A checkpoint taken now resumes with the transfer in flight, due at the same instant.
        let state = try JSONDecoder().decode(KernelState.self, from: JSONEncoder().encode(k.state()))
        let resumed = CampaignKernel(restoring: state, fxSource: .fixed(Fixed(1400)), recorder: log)
        resumed.configureTransfers(k.transferRules)
        #expect(resumed.nextTransferDueNs == t.arrivesNs && resumed.paperExchange.inTransit["BTC"] == Fixed("0.05"))

        for kernel in [k, resumed] {
            let settled = kernel.settleTransfers(nowNs: t.arrivesNs)
            #expect(settled.map(\.state) == [.credited] && kernel.nextTransferDueNs == nil)
            #expect(kernel.paperExchange.balance(.upbit, "BTC") == Fixed("0.15"))
            #expect(kernel.paperExchange.reconciliationIssues().isEmpty)
        }
        #expect(log.transfers.map(\.state) == [.inTransit, .credited, .credited])
        // A refusal changes nothing and records nothing.
        guard case .failure(let refusal) = k.requestTransfer(TransferRequest(asset: "BTC", from: .upbit, to: .binance,
                                                                              amount: Fixed("0.01")!, purpose: .manual, priceUSD: 1), nowNs: 2_000)
        else { Issue.record("sent"); return }
        #expect(refusal.code == .routeBlocked && log.transfers.count == 3 && k.transfers.count == 1)
    }

    @Test func theRunSettlesTransfersInOrderAndNeverGoesBack() {
        let plan = CampaignRun.Plan(startNs: 0, runtimeSeconds: 60, loopIntervalMs: 0, sampleIntervalNs: 10_000_000_000,
                                    checkpointSeconds: nil, refreshSeconds: 0)
        var run = CampaignRun(plan: plan, routes: RouteTally(total: 1))
        #expect(run.next(marketNs: 5, dueNs: nil, dataEndNs: nil, transferNs: 5) == .sample(atNs: 0))
        // At one instant: transfers before an order leg and a book.
        #expect(run.next(marketNs: 5, dueNs: 5, dataEndNs: nil, transferNs: 5) == .transfers(atNs: 5))
        #expect(run.next(marketNs: 5, dueNs: 5, dataEndNs: nil, transferNs: nil) == .deliver(atNs: 5))
        #expect(run.next(marketNs: 7, dueNs: nil, dataEndNs: nil, transferNs: 6) == .transfers(atNs: 6))
        #expect(run.next(marketNs: 7, dueNs: nil, dataEndNs: nil) == .book(atNs: 7))
        // One made from outside, due before the run's clock, settles now rather than in the past.
        #expect(run.next(marketNs: 9, dueNs: nil, dataEndNs: nil, transferNs: 3) == .transfers(atNs: 7))
    }
}
