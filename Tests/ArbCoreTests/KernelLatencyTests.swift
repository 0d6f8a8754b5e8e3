import Testing
@testable import ArbCore

/// A kernel over hand-written books: order latency, a partial fill, and the other leg resized to match.
@Suite struct KernelLatencyTests {
    final class Log: CampaignRecorder, @unchecked Sendable {
        // One test's thread only.
        var fills: [Fill] = []
        var trades: [TradeRecord] = []
        func record(_ event: CampaignEvent) {
            switch event {
            case .fill(let f): fills.append(f)
            case .trade(let t): trades.append(t)
            case .decision, .transfer: break
            }
        }
    }

    func kernel(latencyMs: [Double], log: Log) -> CampaignKernel {
        let store = SnapshotStore(marketCount: 3)
        store.write(1) { $0 = book(bids: [("141400000", "0.001"), ("141330000", "0.01")], asks: [("141500000", "1")]) }
        store.write(2) { $0 = book(bids: [("99990", "1")], asks: [("100000", "0.001"), ("100010", "0.01")]) }
        let limits = RiskLimits(maxDataAgeMs: 60_000, fxBandPct: 0.5)
        let coordinator = RiskCoordinator(limits: limits, routeKeys: ["BTCUSDT"], recorder: log)
        let paper = PaperExchange(upbit: ["KRW": Fixed(10_000_000), "BTC": Fixed("0.1")!],
                                  binance: ["USDT": Fixed(10_000), "BTC": Fixed("0.1")!])
        return CampaignKernel(routes: [btcRoute], store: store, coordinator: coordinator, paper: paper,
                              params: StrategyParams(entryThresholdBps: 30, orderNotionalUSD: 200, maxSlippageBps: 10),
                              fxSource: .fixed(Fixed(1400)), recorder: log, latencyMs: latencyMs)
    }

    /// The memory a driver has fetched ahead of an evaluation is that route's: its worker, its loop latency
    /// counters (the line a record writes) and its books' tops.
    @Test func theMemoryNamedForAnEvaluationIsTheRoutes() throws {
        let k = kernel(latencyMs: [0, 0], log: Log())
        let worker = k.worker(0)
        let memory = k.evaluationMemory(route: 0, markets: worker.markets)
        #expect(memory.worker == UnsafeRawPointer(Unmanaged.passUnretained(worker).toOpaque()))
        #expect(memory.latency == worker.loopLatency.headLine)
        #expect(memory.topA == k.store.topLine(1) && memory.topB == k.store.topLine(2))
        let before = UnsafeRawPointer(memory.latency).load(as: UInt64.self)
        worker.loopLatency.record(nanoseconds: 120)
        #expect(UnsafeRawPointer(memory.latency).load(as: UInt64.self) == before + 1, "the count lies in the first line")
    }

    @Test func withoutLatencyBothLegsFillOnTheDecisionSnapshots() throws {
        let log = Log()
        let k = kernel(latencyMs: [0, 0], log: log)
        #expect(try k.evaluate(route: 0, nowNs: 0) == nil)
        #expect(log.fills.map(\.quantity) == [Fixed("0.002")!, Fixed("0.002")!])
        #expect(log.fills.map(\.price) == [Fixed(141_365_000), Fixed(100_005)])
        #expect(k.workers[0].engine.position?.quantity == Fixed("0.002"))
        #expect(log.fills.allSatisfy { $0.bookSequence == 1 && $0.timeNs == 0 })
    }

    @Test func aPartialFillAfterLatencyResizesTheOtherLeg() throws {
        let log = Log()
        let k = kernel(latencyMs: [0, 50], log: log)
        // Upbit fills at once; the Binance leg is due 50 ms later.
        #expect(try k.evaluate(route: 0, nowNs: 0) == 50_000_000)
        #expect(k.workers[0].pending?.executed[.a] == true && k.workers[0].pending?.executed[.b] == false)
        #expect(log.fills.isEmpty)  // fills are recorded once the pair completes
        // Meanwhile Binance's ask thins out to 0.0015 BTC.
        k.store.write(2) { $0 = book(bids: [("99990", "1")], asks: [("100020", "0.0015")], time: 40_000_000, sequence: 2) }
        // Re-evaluating while the order is in flight sends nothing new.
        #expect(try k.evaluate(route: 0, nowNs: 45_000_000) == 50_000_000)
        #expect(k.deliver(route: 0, nowNs: 50_000_000) == nil)

        #expect(log.fills.count == 3)
        let (sellA, buyB, correction) = (log.fills[0], log.fills[1], log.fills[2])
        #expect(sellA.venue == .upbit && sellA.side == .sell && sellA.quantity == Fixed("0.002") && sellA.timeNs == 0)
        #expect(buyB.venue == .binance && buyB.isPartial && buyB.quantity == Fixed("0.0015") && buyB.requested == Fixed("0.002"))
        #expect(buyB.timeNs == 50_000_000 && buyB.bookSequence == 2 && buyB.price == Fixed(100_020))
        // Upbit's excess 0.0005 is bought back at the ask.
        #expect(correction.role == .correction && correction.venue == .upbit && correction.side == .buy)
        #expect(correction.quantity == Fixed("0.0005") && correction.price == Fixed(141_500_000))

        let position = try #require(k.workers[0].engine.position)
        #expect(position.quantity == Fixed("0.0015"))
        #expect(log.trades.last?.fillIds == [sellA.id, buyB.id, correction.id])
        let paper = k.paperExchange
        #expect(paper.balance(.upbit, "BTC") == Fixed("0.0985"))
        #expect(paper.balance(.binance, "BTC") == Fixed("0.1015"))
        #expect(paper.account(.upbit).discrepancies().isEmpty && paper.account(.binance).discrepancies().isEmpty)
        // The coordinator keeps only what the pair holds: 0.0015 × 100,020 rounded up.
        #expect(k.coordinator.snapshot().totalAllocatedUSD == Fixed("150.03"))
    }

    @Test func flattenDeliversLegsStillInFlight() throws {
        let log = Log()
        let k = kernel(latencyMs: [30, 30], log: log)
        #expect(try k.evaluate(route: 0, nowNs: 0) == 30_000_000)
        #expect(k.flatten(route: 0, reason: "campaign_end", nowNs: 1_000_000))
        #expect(k.workers[0].pending == nil && k.workers[0].engine.position == nil)
        #expect(log.trades.last?.status == .closed && log.trades.last?.exitReason == "campaign_end")
        #expect(k.coordinator.snapshot().totalAllocatedUSD == .zero)
    }
}
