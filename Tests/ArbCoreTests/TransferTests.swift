import Foundation
import Testing
@testable import ArbCore

/// Transfers between paper accounts on a manual clock: the ledger, the rules, the draws.
@Suite struct TransferTests {
    static let minute: Int64 = 60_000_000_000
    static let hour = 60 * minute

    func exchange() -> PaperExchange {
        PaperExchange(balances: PerVenue { venue in
            venue.isKRW ? ["KRW": Fixed(10_000_000), "BTC": Fixed(1), "USDT": Fixed(1_000)]
                : ["USDT": Fixed(10_000), "BTC": Fixed(1)]
        })
    }

    /// Rules without chance: no review, no failure, no drawn suspension.
    func plain(_ edit: (inout TransferRules) -> Void = { _ in }) -> TransferRules {
        var rules = TransferRules(reviewProbability: 0, failureProbability: 0)
        edit(&rules)
        return rules
    }

    func request(_ asset: String = "BTC", _ from: Venue = .binance, _ to: Venue = .bithumb, _ amount: String = "0.5",
                 network: String? = nil) -> TransferRequest {
        TransferRequest(asset: asset, from: from, to: to, amount: Fixed(amount)!, network: network, purpose: .manual,
                        priceUSD: asset == "BTC" ? 95_000 : 1, krwPerUSD: to.isKRW ? 1_400 : 0)
    }

    @Test func theTableCoversTheMovedAssetsCheapestFirst() throws {
        for asset in ["BTC", "ETH", "XRP", "SOL", "DOGE", "TRX", "ADA", "LINK", "AVAX", "USDT"] {
            let networks = try #require(TransferNetwork.defaults[asset], "\(asset)")
            for n in networks {
                #expect(n.medianMinutes > 0 && n.p95Minutes >= n.medianMinutes && n.minimum.isPositive)
                #expect(Venue.allCases.allSatisfy { n.fees[$0].isPositive }, "\(asset) \(n.name)")
            }
        }
        #expect(TransferNetwork.defaults["USDT"]?.map(\.name) == ["TRC20", "ERC20"])
        #expect(TransferNetwork.defaults["BTC"]?.first?.fees[.upbit] == Fixed("0.0005"))
        // An asset the table lacks moves on a generic network priced at its USD value.
        let generic = plain().networks(for: "SUI", priceUSD: 4)
        #expect(generic.map(\.name) == ["default"] && generic[0].fees[.binance] == Fixed("0.25") && generic[0].minimum == Fixed("2.5"))
    }

    @Test func aTransferDebitsAtRequestHoldsInTransitAndCreditsOnArrival() throws {
        var ex = exchange()
        let rules = plain()
        let t = try ex.requestTransfer(request(), rules: rules, nowNs: 0).get()
        #expect(t.id == "X0000001" && t.network == "BTC" && t.state == .inTransit)
        #expect(t.amount == Fixed("0.5") && t.fee == Fixed("0.0002"))
        #expect(ex.balance(.binance, "BTC") == Fixed("0.4998"))
        #expect(ex.inTransit["BTC"] == Fixed("0.5"))
        #expect(ex.reconciliationIssues().isEmpty, "\(ex.reconciliationIssues())")
        #expect(ex.nextTransferDueNs == t.arrivesNs && t.arrivesNs > 0)
        // Nothing before the network delivers.
        #expect(ex.settleTransfers(at: t.arrivesNs - 1, rules: rules).isEmpty)
        #expect(ex.balance(.bithumb, "BTC") == Fixed(1))
        let settled = ex.settleTransfers(at: t.arrivesNs, rules: rules)
        #expect(settled.map(\.state) == [.credited] && settled[0].settledNs == t.arrivesNs)
        #expect(ex.balance(.bithumb, "BTC") == Fixed("1.5") && ex.inTransit["BTC"] == nil)
        #expect(ex.nextTransferDueNs == nil && ex.reconciliationIssues().isEmpty)
        #expect(ex.account(.binance).transferFees["BTC"] == Fixed("0.0002"))
    }

    @Test func amountsAreCutToTheNetworkAndCheckedAgainstItsMinimumAndTheBalance() {
        var ex = exchange()
        let rules = plain()
        // XRP: 6 decimals, a minimum of 30.
        var r = request("XRP", .binance, .bithumb, "29.9999999")
        ex.deposit(.binance, "XRP", Fixed(100))
        guard case .failure(let small) = ex.requestTransfer(r, rules: rules, nowNs: 0) else { Issue.record("sent"); return }
        #expect(small.code == .invalid && small.message.contains("below the XRP minimum of 30"))
        r.amount = Fixed("99.9999999")!
        guard case .failure(let short) = ex.requestTransfer(r, rules: rules, nowNs: 0) else { Issue.record("sent"); return }
        #expect(short.code == .inventoryExhausted && short.message.contains("short of 100.249999"))
        r.amount = Fixed("50.1234567")!
        let t = try? ex.requestTransfer(r, rules: rules, nowNs: 0).get()
        #expect(t?.amount == Fixed("50.123456"))
        #expect(ex.reconciliationIssues().isEmpty)
    }

    @Test func krwNeverMovesAndTheAllowlistBlocksRoutes() {
        var ex = exchange()
        let rules = plain()
        let cases: [(TransferRequest, String)] = [
            (request("KRW", .upbit, .bithumb, "1000"), "KRW never moves"),
            (request("BTC", .upbit, .binance), "upbit does not send to binance"),
            (request("BTC", .bithumb, .okx), "bithumb does not send to okx"),
            (request("BTC", .binance, .binance), "to itself"),
        ]
        for (r, words) in cases {
            guard case .failure(let refusal) = ex.requestTransfer(r, rules: rules, nowNs: 0) else {
                Issue.record("\(r) was sent"); continue
            }
            #expect(refusal.code == .routeBlocked && refusal.message.contains(words), "\(refusal)")
        }
        #expect(ex.transferBook.isEmpty && ex.account(.upbit).balance("BTC") == Fixed(1))
        // Bithumb sends to Binance, Upbit to Bithumb, the foreign venues to each other and to Korea.
        for (from, to) in [(Venue.bithumb, Venue.binance), (.upbit, .bithumb), (.okx, .bybit), (.binance, .upbit)] {
            #expect((try? ex.requestTransfer(request("BTC", from, to, "0.01"), rules: rules, nowNs: 0).get()) != nil, "\(from)-\(to)")
        }
        // An explicit allowlist replaces the default one.
        let open = plain { $0.allowed = [PerLeg(a: .upbit, b: .binance)] }
        #expect((try? ex.requestTransfer(request("BTC", .upbit, .binance, "0.01"), rules: open, nowNs: 0).get()) != nil)
        #expect(ex.reconciliationIssues().isEmpty)
    }

    @Test func suspendedWithdrawalsRefuseAndSuspendedDepositsHoldTheCreditUntilTheyReopen() throws {
        var ex = exchange()
        let rules = plain {
            $0.schedule = [
                WalletSuspension(venue: .binance, asset: "BTC", network: nil, direction: .withdraw, fromNs: 0, untilNs: Self.hour, cause: "scheduled"),
                WalletSuspension(venue: .bithumb, asset: "BTC", network: "BTC", direction: .deposit, fromNs: 2 * Self.hour,
                                 untilNs: 10 * Self.hour, cause: "scheduled"),
            ]
        }
        guard case .failure(let refusal) = ex.requestTransfer(request(), rules: rules, nowNs: 0) else { Issue.record("sent"); return }
        #expect(refusal.code == .walletSuspended && refusal.message.contains("binance withdrawals of BTC suspended"))
        // Other assets and the other direction are not touched.
        #expect((try? ex.requestTransfer(request("USDT", .binance, .bithumb, "100"), rules: rules, nowNs: 0).get()) != nil)
        // Sent once the window is over; the destination suspends deposits while it is on its way.
        let sentAt = 2 * Self.hour - 1
        let t = try ex.requestTransfer(request(), rules: rules, nowNs: sentAt).get()
        #expect(t.arrivesNs < 10 * Self.hour)
        #expect(ex.settleTransfers(at: 10 * Self.hour - 1, rules: rules).filter { $0.asset == "BTC" }.isEmpty)
        #expect(ex.inTransit["BTC"] == Fixed("0.5") && ex.nextTransferDueNs == 10 * Self.hour)
        let credited = ex.settleTransfers(at: 10 * Self.hour, rules: rules)
        #expect(credited.map(\.id) == [t.id] && credited[0].settledNs == 10 * Self.hour)
        #expect(ex.balance(.bithumb, "BTC") == Fixed("1.5") && ex.reconciliationIssues().isEmpty)
        // New transfers to a suspended deposit wallet are refused.
        let later = plain { $0.schedule = rules.schedule }
        guard case .failure(let deposit) = ex.requestTransfer(request(), rules: later, nowNs: 3 * Self.hour) else {
            Issue.record("sent"); return
        }
        #expect(deposit.code == .walletSuspended && deposit.message.contains("bithumb deposits of BTC (BTC)"), "\(deposit)")
    }

    @Test func aSuspendedNetworkFallsBackToTheNextOneOpen() throws {
        var ex = exchange()
        let rules = plain {
            $0.schedule = [WalletSuspension(venue: .binance, asset: "USDT", network: "TRC20", direction: .withdraw, fromNs: 0,
                                            untilNs: Self.hour, cause: "scheduled")]
        }
        let t = try ex.requestTransfer(request("USDT", .binance, .okx, "100"), rules: rules, nowNs: 0).get()
        #expect(t.network == "ERC20" && t.fee == Fixed(4))
        guard case .failure(let named) = ex.requestTransfer(request("USDT", .binance, .okx, "100", network: "TRC20"), rules: rules, nowNs: 0),
              case .failure(let unknown) = ex.requestTransfer(request("USDT", .binance, .okx, "100", network: "SOL"), rules: rules, nowNs: 0)
        else { Issue.record("sent"); return }
        #expect(named.code == .walletSuspended)
        #expect(unknown.code == .invalid && unknown.message.contains("its networks: TRC20, ERC20"))
    }

    @Test func aFailedTransferComesBackADayLaterWithoutItsFee() throws {
        var ex = exchange()
        let rules = plain { $0.failureProbability = 1 }
        let t = try ex.requestTransfer(request(), rules: rules, nowNs: 0).get()
        #expect(t.fails)
        #expect(ex.settleTransfers(at: t.arrivesNs, rules: rules).map(\.state) == [.failed])
        #expect(ex.inTransit["BTC"] == Fixed("0.5") && ex.balance(.bithumb, "BTC") == Fixed(1))
        #expect(ex.settleTransfers(at: t.arrivesNs + 24 * Self.hour - 1, rules: rules).isEmpty)
        let back = ex.settleTransfers(at: t.arrivesNs + 24 * Self.hour, rules: rules)
        #expect(back.map(\.state) == [.returned])
        #expect(ex.balance(.binance, "BTC") == Fixed("0.9998"), "the fee is lost")
        #expect(ex.reconciliationIssues().isEmpty)
    }

    @Test func timesFollowTheNetworksLognormalWithReviewsAndTheTravelRule() {
        let rules = plain()
        let btc = TransferNetwork.defaults["BTC"]![0]
        var minutes = (1...4_000).map { i in
            Double(rules.draw(sequence: i, network: btc, to: .binance, valueKRW: 0, requestedNs: 0).arrivesNs) / 60e9
        }.sorted()
        #expect(abs(minutes[2_000] - 35) / 35 < 0.08, "median \(minutes[2_000])")
        #expect(abs(minutes[3_800] - 120) / 120 < 0.15, "p95 \(minutes[3_800])")
        // The same sequence number draws the same path.
        #expect(rules.draw(sequence: 7, network: btc, to: .upbit, valueKRW: 0, requestedNs: 5)
            == rules.draw(sequence: 7, network: btc, to: .upbit, valueKRW: 0, requestedNs: 5))
        // Every transfer reviewed: at least an hour more.
        let reviewed = plain { $0.reviewProbability = 1 }
        let path = reviewed.draw(sequence: 1, network: btc, to: .binance, valueKRW: 0, requestedNs: 0)
        let base = rules.draw(sequence: 1, network: btc, to: .binance, valueKRW: 0, requestedNs: 0)
        #expect(path.review && path.arrivesNs - base.arrivesNs >= Self.hour && path.arrivesNs - base.arrivesNs <= 6 * Self.hour)
        // Deposits to a KRW venue over the threshold wait for the travel-rule check; under it they do not.
        minutes = (1...200).map { i in
            Double(rules.draw(sequence: i, network: btc, to: .upbit, valueKRW: 2_000_000, requestedNs: 0).arrivesNs
                - rules.draw(sequence: i, network: btc, to: .upbit, valueKRW: 10, requestedNs: 0).arrivesNs) / 60e9
        }
        #expect(minutes.allSatisfy { $0 >= 0 && $0 <= 15 } && minutes.contains { $0 > 1 })
    }

    @Test func theSeededProcessIsAFunctionOfSeedAndWallet() {
        let start: Int64 = 1_767_225_600_000_000_000
        let process = SuspensionProcess(seed: 3, startNs: start, meanUpDays: 2, downMedianHours: 3, downP95Hours: 48,
                                        incidentsPerYear: 0)
        var down = 0
        let samples = 2_000
        for i in 0..<samples {
            let t = start + Int64(i) * 3 * Self.hour
            let s = process.suspension(venue: .binance, asset: "BTC", network: "BTC", direction: .withdraw, at: t)
            #expect(s == process.suspension(venue: .binance, asset: "BTC", network: "BTC", direction: .withdraw, at: t))
            if let s {
                down += 1
                #expect(s.fromNs <= t && t < s.untilNs && s.cause == "maintenance")
            }
        }
        // Mean down ≈ median · e^(σ²/2) ≈ 12.7 h against 48 h up: about a fifth of the time.
        let share = Double(down) / Double(samples)
        #expect(share > 0.08 && share < 0.4, "\(share)")
        // Another wallet draws other windows.
        let other = (0..<200).map { process.suspension(venue: .okx, asset: "BTC", network: "BTC", direction: .withdraw, at: start + Int64($0) * Self.hour) != nil }
        let same = (0..<200).map { process.suspension(venue: .binance, asset: "BTC", network: "BTC", direction: .withdraw, at: start + Int64($0) * Self.hour) != nil }
        #expect(other != same)
        // KRW venues have venue-wide incidents.
        let incidents = SuspensionProcess(seed: 3, startNs: start, meanUpDays: 36_500, incidentsPerYear: 365)
        let halted = (0..<100).compactMap { incidents.suspension(venue: .upbit, asset: "XRP", network: "XRP", direction: .deposit, at: start + Int64($0) * 24 * Self.hour) }
        #expect(!halted.isEmpty && halted.allSatisfy { $0.asset == nil && $0.cause == "incident" && $0.direction == .both })
        #expect((0..<100).allSatisfy { incidents.suspension(venue: .binance, asset: "XRP", network: "XRP", direction: .deposit, at: start + Int64($0) * 24 * Self.hour) == nil })
    }

    /// Random transfers, fills and suspensions: the ledger reconciles exactly after every event.
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func theLedgerReconcilesAfterEveryEvent(seed: UInt64) throws {
        var rng = Xoshiro256(seed: seed)
        var ex = exchange()
        var rules = plain { $0.failureProbability = 0.2; $0.reviewProbability = 0.2; $0.seed = seed }
        rules.process = SuspensionProcess(seed: seed, startNs: 0, meanUpDays: 0.1, downMedianHours: 1, downP95Hours: 5, incidentsPerYear: 50)
        rules.allowed = TransferRules.defaultAllowed.union([PerLeg(a: .upbit, b: .binance)])
        let venues = Venue.allCases
        var now: Int64 = 0
        var made = 0, refused: [TransferRefusal.Code: Int] = [:], fills = 0
        for _ in 0..<3_000 {
            now += Int64(rng.unit() * 20 * Double(Self.minute))
            switch rng.next() % 3 {
            case 0:
                let from = venues[Int(rng.next() % 5)], to = venues[Int(rng.next() % 5)]
                let asset = ["BTC", "USDT", "KRW"][Int(rng.next() % 3)]
                let amount = asset == "BTC" ? rng.unit() * 0.3 : rng.unit() * 3_000
                switch ex.requestTransfer(request(asset, from, to, String(format: "%.8f", amount)), rules: rules, nowNs: now) {
                case .success: made += 1
                case .failure(let r): refused[r.code, default: 0] += 1
                }
            case 1:
                // The test route trades BTC on Upbit and Binance.
                let venue: Venue = rng.next() % 2 == 0 ? .upbit : .binance
                let side: Side = rng.next() % 2 == 0 ? .buy : .sell
                let price = venue.isKRW ? "133000000" : "95000"
                let b = book(bids: [(price, "10")], asks: [(price, "10")])
                let order = MarketOrder(venue: venue, route: btcRoute, tradeId: "T", role: .entry, side: side,
                                        quantity: Fixed(String(format: "%.5f", 0.001 + rng.unit() * 0.05))!, feeBps: Fixed(10),
                                        fx: Fixed(1400), timeNs: now)
                if case .success = ex.execute(order, against: b) { fills += 1 }
            default:
                ex.settleTransfers(at: now, rules: rules)
            }
            let issues = ex.reconciliationIssues()
            #expect(issues.isEmpty, "\(issues)")
            if !issues.isEmpty { return }
        }
        ex.settleTransfers(at: now + 1_000 * Self.hour, rules: rules)
        #expect(ex.reconciliationIssues().isEmpty && ex.inTransit.isEmpty)
        let states = Set(ex.transferBook.transfers.map(\.state))
        #expect(made > 100 && fills > 100 && states == [.credited, .returned], "\(made) \(fills) \(states)")
        #expect(refused[.routeBlocked, default: 0] > 0 && refused[.walletSuspended, default: 0] > 0
            && refused[.inventoryExhausted, default: 0] > 0, "\(refused)")
    }

    @Test func transfersInFlightSurviveACheckpoint() throws {
        var ex = exchange()
        let rules = plain()
        let t = try ex.requestTransfer(request(), rules: rules, nowNs: 0).get()
        let data = try JSONEncoder().encode(ex)
        var back = try JSONDecoder().decode(PaperExchange.self, from: data)
        #expect(back == ex)
        back.settleTransfers(at: t.arrivesNs, rules: rules)
        #expect(back.balance(.bithumb, "BTC") == Fixed("1.5") && back.reconciliationIssues().isEmpty)
        // Without transfers the encoding is what it was before they existed.
        let plainData = try JSONEncoder().encode(exchange())
        let text = String(decoding: plainData, as: UTF8.self)
        #expect(!text.contains("transfers") && !text.contains("sent"))
    }
}

/// Stats `transfers` from the transfers themselves.
@Suite struct TransferStatsTests {
    func transfer(_ id: Int, _ asset: String, from: Int64, to: Int64?, value: Double, state: Transfer.State) -> Transfer {
        Transfer(id: "X\(id)", asset: asset, network: "N", from: .binance, to: .upbit, amount: Fixed(1), fee: Fixed("0.1")!,
                 purpose: id == 3 ? .rebalance : .manual, tradeId: nil, valueUSD: value, feeUSD: 2, requestedNs: from,
                 arrivesNs: to ?? from + 1, settledNs: to, review: false, fails: false, state: state, dueNs: to ?? from + 1)
    }

    @Test func countsCostsTimesAndCapitalInTransit() {
        let s: Int64 = 1_000_000_000
        let stats = TransferStats([
            transfer(1, "BTC", from: 0, to: 10 * s, value: 100, state: .credited),
            transfer(2, "BTC", from: 5 * s, to: 25 * s, value: 50, state: .credited),
            transfer(3, "ETH", from: 30 * s, to: nil, value: 200, state: .inTransit),
        ], startNs: 0, nowNs: 40 * s)
        #expect(stats.count == 3 && stats.byState == ["in_transit": 1, "credited": 2, "failed": 0, "returned": 0])
        #expect(stats.byPurpose == ["manual": 2, "rebalance": 1, "exit": 0] && stats.feesUSD == 6)
        #expect(stats.perAsset["BTC"]?.amount == "2" && stats.perAsset["BTC"]?.fees == "0.2")
        #expect(stats.perAsset["BTC"]?.transitP50Seconds == 10 && stats.perAsset["BTC"]?.transitP95Seconds == 20)
        #expect(stats.perAsset["ETH"]?.transitP50Seconds == nil)
        // 100 for 0–10 s, 50 more for 5–25 s, 200 for 30–40 s: peak 200, area 1000 + 1000 + 2000 over 40 s.
        #expect(stats.capitalInTransit == .init(nowUSD: 200, maxUSD: 200, timeWeightedUSD: 100))
        #expect(TransferStats([], startNs: 0, nowNs: 10).capitalInTransit == .init(nowUSD: 0, maxUSD: 0, timeWeightedUSD: 0))
    }
}
