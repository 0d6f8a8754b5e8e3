/// An entry the engine wants, priced at size.
public struct EntryProposal: Sendable, Equatable {
    public var direction: Direction
    public var quantity: Fixed
    /// VWAP at size of the Upbit leg (KRW) and the Binance leg (USDT).
    public var priceA: Double
    public var priceB: Double
    public var bestEdgeBps: Double
    public var grossEdgeBps: Double
    public var netEdgeBps: Double
    public var slippageBps: Double
}

/// An exit the engine wants.
public struct ExitProposal: Sendable, Equatable {
    public var reason: String
    public var quantity: Fixed
    public var unwindEdgeBps: Double
    public var bestUnwindEdgeBps: Double
}

/// What one evaluation decided.
public enum RouteAction: Sendable, Equatable {
    case none
    case enter(EntryProposal)
    case exit(ExitProposal)
}

/// A route failed in a way that stops it (the campaign goes on without it).
public struct RouteFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The open pair of a route.
public struct OpenPair: Sendable, Codable, Equatable {
    public var trade: TradeRecord
    public var direction: Direction { trade.direction }
    public var quantity: Fixed { trade.quantity }
    public var entryTimeNs: Int64 { trade.entry.timeNs }
}

/// One route's strategy as a pure state machine (SPEC §3.3): given the newest pair of snapshots and fx, decide
/// nothing, an entry or an exit. No I/O and no waiting; the campaign kernel asks the risk coordinator and the
/// paper exchange and reports fills back through `opened`/`reduced`/`closed`.
public struct RouteEngine: Sendable, Codable, Equatable {
    // Stored in the order an evaluation reads them (Swift lays a struct out in declaration order): the flags,
    // counters and marks every evaluation touches, the open pair's summary, the parameters and the route come
    // first, a few cache lines at the head of the worker; the open pair and the close by transfer (600 bytes,
    // read on fills) after them.
    /// Whether a pair is open (cheaper to ask than `position != nil`, which copies the pair).
    public private(set) var isHolding = false
    /// Kept beside `closing` so the hot path asks a flag, not an optional struct; nil (absent from checkpoints
    /// written before transfers) when not closing.
    private var closingFlag: Bool?
    /// Whether a close by transfer is on its way.
    @inline(__always) public var isClosing: Bool { closingFlag == true }
    public private(set) var iterations = 0
    public private(set) var unrealizedPnlUSD = 0.0
    public private(set) var premiumBps = 0.0
    /// Sequences of the A and B snapshots the last evaluation saw.
    public private(set) var lastSequenceA: UInt64 = 0
    public private(set) var lastSequenceB: UInt64 = 0
    /// Nil when no pair is open, and in checkpoints written before it was kept (`holding` reads `position` then).
    private var held: Holding?
    public var params: StrategyParams
    public let route: Route
    /// Round trips opened, and how many of them were Sell-A/Buy-B.
    public private(set) var trades = 0
    public private(set) var sellABuyBTrades = 0
    public private(set) var realizedPnlUSD = Fixed.zero
    /// Trading fees and withdrawal fees of the round trips closed or aborted so far (USD); nil until the first
    /// (and in checkpoints from before they were kept).
    public private(set) var closedFeesUSD: Fixed?
    public private(set) var closedTransferFeesUSD: Fixed?
    /// After a refused close by transfer, when to try again.
    public private(set) var transferRetryNs: Int64?
    /// The open pair's close by transfer while its transfers are on their way: nothing trades on the route.
    public private(set) var closing: TransferClose? {
        didSet { closingFlag = closing != nil ? true : nil }
    }
    public private(set) var position: OpenPair? {
        didSet {
            isHolding = position != nil
            held = position.map(Holding.init)
        }
    }

    /// What the hot path reads of the open pair, kept beside it (`held`): reading `position` copies the whole
    /// optional pair (350 bytes) on every evaluation of a holding route.
    struct Holding: Sendable, Codable, Equatable {
        var direction: Direction
        var quantity: Fixed
        var entryTimeNs: Int64
        var cashFlowUSD: Fixed

        init(_ pair: OpenPair) {
            direction = pair.direction
            quantity = pair.quantity
            entryTimeNs = pair.entryTimeNs
            cashFlowUSD = pair.trade.cashFlowUSD
        }
    }

    // Mutating, as is everything that calls a method from the hot path: a non-mutating call from a mutating
    // method is handed a copy of the whole engine (800 bytes).
    @inline(__always) var holding: Holding? {
        mutating get {
            if held == nil && isHolding { restoreHeld() }
            return held
        }
    }

    /// `held` of an engine from a checkpoint written before it was kept.
    @inline(never) private mutating func restoreHeld() { held = position.map(Holding.init) }

    public init(route: Route, params: StrategyParams) {
        self.route = route
        self.params = params
    }

    /// Evaluates once. `entriesAllowed` is false while paused, after an emergency stop, or while stopping.
    public mutating func evaluate(a: BookSnapshot, b: BookSnapshot, fx: FxQuote, nowNs: Int64,
                                  entriesAllowed: Bool) throws(RouteFailure) -> RouteAction {
        try withUnsafePointer(to: a) { (a) throws(RouteFailure) -> RouteAction in
            try withUnsafePointer(to: b) { (b) throws(RouteFailure) -> RouteAction in
                try evaluate(a: a, b: b, fx: fx, nowNs: nowNs, entriesAllowed: entriesAllowed)
            }
        }
    }

    /// The same with the books read where they lie (the snapshot store's, their slots held).
    public mutating func evaluate(a: UnsafePointer<BookSnapshot>, b: UnsafePointer<BookSnapshot>, fx: FxQuote,
                                  nowNs: Int64, entriesAllowed: Bool) throws(RouteFailure) -> RouteAction {
        iterations += 1
        if a.pointee.isEmpty || b.pointee.isEmpty || route.needsFx && fx.rate <= 0 { return .none }
        guard a.pointee.bids.prices[0] > 0, a.pointee.asks.prices[0] > 0, b.pointee.bids.prices[0] > 0,
              b.pointee.asks.prices[0] > 0 else {
            throw RouteFailure("non-positive price in \(route.key) book (\(route.venues.a) seq \(a.pointee.sequence), \(route.venues.b) seq \(b.pointee.sequence))")
        }
        lastSequenceA = a.pointee.sequence
        lastSequenceB = b.pointee.sequence
        let d = route.divisors(fx: fx.rate)
        premiumBps = Edge.premium(midA: a.pointee.mid, midB: b.pointee.mid, fxA: d.a, fxB: d.b)
        if let pair = holding {
            // The flag, not `closing == nil`: comparing the optional struct copied it through its value witness.
            return isClosing ? .none : exitCheck(pair, a: a, b: b, fx: d, nowNs: nowNs, forced: nil)
        }
        guard entriesAllowed else { return .none }
        return entryCheck(a: a, b: b, fx: d)
    }

    /// A first look from the best prices alone, which settles most evaluations without copying the books.
    /// Returns true when it decided nothing (the iteration is counted, as `evaluate` would); false when the full
    /// books are needed: a pair is open, the best-price edge clears the entry threshold, or a price is invalid.
    public mutating func quickLook(a: BookTop, b: BookTop, fx: FxQuote, nowNs: Int64, entriesAllowed: Bool) -> Bool {
        if isHolding {
            guard !isClosing else {
                iterations += 1
                return true
            }
            return quickHold(a: a, b: b, fx: fx, nowNs: nowNs)
        }
        if a.isEmpty || b.isEmpty || route.needsFx && fx.rate <= 0 {
            iterations += 1
            return true
        }
        guard a.bid > 0, a.ask > 0, b.bid > 0, b.ask > 0 else { return false }
        let d = route.divisors(fx: fx.rate)
        if entriesAllowed {
            let best = Swift.max(Edge.sellABuyB(bidA: a.bestBid, askB: b.bestAsk, fxA: d.a, fxB: d.b),
                                 Edge.buyASellB(askA: a.bestAsk, bidB: b.bestBid, fxA: d.a, fxB: d.b))
            if clearsEntryThreshold(bestEdgeBps: best) { return false }
        }
        iterations += 1
        lastSequenceA = a.sequence
        lastSequenceB = b.sequence
        premiumBps = Edge.premium(midA: a.mid, midB: b.mid, fxA: d.a, fxB: d.b)
        return true
    }

    /// The open pair's check from best prices, when its whole quantity fits in the best level of both unwind sides
    /// (so the prices at size are the best prices): marks it, and settles the evaluation unless it should exit.
    private mutating func quickHold(a: BookTop, b: BookTop, fx: FxQuote, nowNs: Int64) -> Bool {
        guard let pair = holding, !a.isEmpty, !b.isEmpty, !route.needsFx || fx.rate > 0, a.bid > 0, a.ask > 0, b.bid > 0,
              b.ask > 0 else { return false }
        let d = route.divisors(fx: fx.rate)
        let q = pair.quantity.raw
        let (priceA, qtyA, priceB, qtyB) = pair.direction == .sellABuyB
            ? (a.bestAsk, a.askQuantity, b.bestBid, b.bidQuantity) : (a.bestBid, a.bidQuantity, b.bestAsk, b.askQuantity)
        guard q <= qtyA, q <= qtyB else { return false }
        let unwind = Edge.unwind(pair.direction, priceA: priceA, priceB: priceB, fxA: d.a, fxB: d.b)
        if exitReason(pair, unwindEdgeBps: unwind, nowNs: nowNs) != nil { return false }
        iterations += 1
        lastSequenceA = a.sequence
        lastSequenceB = b.sequence
        premiumBps = Edge.premium(midA: a.mid, midB: b.mid, fxA: d.a, fxB: d.b)
        unrealizedPnlUSD = Self.markToUnwind(pair, priceA: priceA, priceB: priceB, fx: d,
                                             feeA: params.takerBps(route, .a), feeB: params.takerBps(route, .b))
        return true
    }

    /// The exit an open pair would take now, whatever its edge (stop, flatten, emergency).
    public mutating func forcedExit(reason: String, a: BookSnapshot, b: BookSnapshot,
                                    fx: FxQuote, nowNs: Int64) -> RouteAction {
        guard let pair = holding, !isClosing, !a.isEmpty, !b.isEmpty, !route.needsFx || fx.rate > 0 else { return .none }
        let d = route.divisors(fx: fx.rate)
        return withUnsafePointer(to: a) { a in
            withUnsafePointer(to: b) { b in exitCheck(pair, a: a, b: b, fx: d, nowNs: nowNs, forced: reason) }
        }
    }

    // Mutating though it changes nothing: called from `evaluate` as a non-mutating method, it was handed a copy of
    // the whole engine (750 bytes) on every evaluation that reached it.
    private mutating func entryCheck(a: UnsafePointer<BookSnapshot>, b: UnsafePointer<BookSnapshot>,
                                     fx: (a: Double, b: Double)) -> RouteAction {
        let p = params
        let sellEdge = Edge.sellABuyB(bidA: a.bestBid, askB: b.bestAsk, fxA: fx.a, fxB: fx.b)
        let buyEdge = Edge.buyASellB(askA: a.bestAsk, bidB: b.bestBid, fxA: fx.a, fxB: fx.b)
        let direction: Direction = sellEdge >= buyEdge ? .sellABuyB : .buyASellB
        let bestEdge = Swift.max(sellEdge, buyEdge)
        // The edge at size is never better than at best prices: most evaluations stop here.
        guard clearsEntryThreshold(bestEdgeBps: bestEdge) else { return .none }
        // Sell A/buy B takes A's bids and B's asks.
        let asksA = direction == .buyASellB, asksB = direction == .sellABuyB
        let legBudget = p.maxSlippageBps / 2
        let wanted = Swift.min(
            p.orderNotionalUSD / ((direction == .sellABuyB ? b.bestAsk : b.bestBid) / fx.b),
            a.quantityWithin(asks: asksA, bps: legBudget), b.quantityWithin(asks: asksB, bps: legBudget))
        let quantity = Fixed(wanted, rounding: .down).rounded(toMultipleOf: route.commonStep, .down)
        guard quantity.isPositive, let priceA = a.vwap(asks: asksA, quantity.double),
              let priceB = b.vwap(asks: asksB, quantity.double) else { return .none }
        guard quantity.double * priceA >= route.instruments.a.minNotional.double,
              quantity.double * priceB >= route.instruments.b.minNotional.double else { return .none }
        let gross = Edge.entry(direction, priceA: priceA, priceB: priceB, fxA: fx.a, fxB: fx.b)
        let net = gross - p.feesBps(route)
        guard net >= p.entryThresholdBps else { return .none }
        return .enter(EntryProposal(
            direction: direction, quantity: quantity, priceA: priceA, priceB: priceB, bestEdgeBps: bestEdge,
            grossEdgeBps: gross, netEdgeBps: net, slippageBps: bestEdge - gross))
    }

    private mutating func exitCheck(_ pair: Holding, a: UnsafePointer<BookSnapshot>, b: UnsafePointer<BookSnapshot>,
                                    fx: (a: Double, b: Double), nowNs: Int64, forced: String?) -> RouteAction {
        let q = pair.quantity.double
        // Unwind legs: a Sell-A/Buy-B pair buys A back at the asks and sells B at the bids.
        let asksA = pair.direction == .sellABuyB, asksB = pair.direction == .buyASellB
        let bestA = a.vwap(asks: asksA, 0) ?? 0, bestB = b.vwap(asks: asksB, 0) ?? 0
        // Beyond the visible depth, mark the remainder at the last level (a conservative mark).
        let priceA = a.vwap(asks: asksA, q) ?? a.lastPrice(asks: asksA)
        let priceB = b.vwap(asks: asksB, q) ?? b.lastPrice(asks: asksB)
        let unwind = Edge.unwind(pair.direction, priceA: priceA, priceB: priceB, fxA: fx.a, fxB: fx.b)
        let bestUnwind = Edge.unwind(pair.direction, priceA: bestA, priceB: bestB, fxA: fx.a, fxB: fx.b)
        unrealizedPnlUSD = Self.markToUnwind(pair, priceA: priceA, priceB: priceB, fx: fx,
                                             feeA: params.takerBps(route, .a), feeB: params.takerBps(route, .b))
        guard let reason = forced ?? exitReason(pair, unwindEdgeBps: unwind, nowNs: nowNs) else { return .none }
        return .exit(ExitProposal(reason: reason, quantity: pair.quantity, unwindEdgeBps: unwind,
                                  bestUnwindEdgeBps: bestUnwind))
    }

    /// Whether an entry could clear the threshold: the edge at size is never better than at best prices.
    @inline(__always)
    func clearsEntryThreshold(bestEdgeBps: Double) -> Bool {
        bestEdgeBps - params.feesBps(route) >= params.entryThresholdBps
    }

    /// Why an open pair should be unwound now, if it should: its unwind edge reached the exit threshold, it has
    /// waited `transfer_after_seconds` for it (closed by transfer, when on and not refused lately), or it has
    /// been held for `max_hold_seconds`.
    @inline(__always)
    func exitReason(_ pair: Holding, unwindEdgeBps: Double, nowNs: Int64) -> String? {
        if unwindEdgeBps <= params.exitThresholdBps { return "exit_threshold" }
        let held = Double(nowNs - pair.entryTimeNs) / 1e9
        if params.exitByTransfer && held >= params.transferAfterSeconds && nowNs >= (transferRetryNs ?? .min) {
            return "transfer"
        }
        if held >= params.maxHoldSeconds { return "max_hold" }
        return nil
    }

    /// Unrealized PnL of `pair`: its cash flows so far plus what unwinding at these prices would bring, fees included.
    static func markToUnwind(_ pair: Holding, priceA: Double, priceB: Double, fx: (a: Double, b: Double), feeA feeBpsA: Double,
                             feeB feeBpsB: Double) -> Double {
        let q = pair.quantity.double
        let feeA = feeBpsA / 1e4, feeB = feeBpsB / 1e4
        let unwindFlow: Double
        let fxA: Double = fx.a, fxB: Double = fx.b
        switch pair.direction {
        case .sellABuyB:  // buy A, sell B
            let legA: Double = -q * priceA * (1 + feeA) / fxA
            unwindFlow = legA + q * priceB * (1 - feeB) / fxB
        case .buyASellB:  // sell A, buy B
            let legA: Double = q * priceA * (1 - feeA) / fxA
            unwindFlow = legA - q * priceB * (1 + feeB) / fxB
        }
        return pair.cashFlowUSD.double + unwindFlow
    }

    // MARK: Fills reported back

    /// The entry legs filled: the route now holds `trade`.
    public mutating func opened(_ trade: TradeRecord) {
        position = OpenPair(trade: trade)
        trades += 1
        if trade.direction == .sellABuyB { sellABuyBTrades += 1 }
        unrealizedPnlUSD = 0
    }

    /// Part of the pair was unwound; the rest stays open.
    public mutating func reduced(_ trade: TradeRecord) {
        position = OpenPair(trade: trade)
    }

    /// The pair's close by transfer has started (`trade` in its `closing` state) or moved on.
    public mutating func closing(_ close: TransferClose, trade: TradeRecord) {
        closing = close
        position = OpenPair(trade: trade)
    }

    /// A close by transfer was refused: the pair keeps its other exits and tries again at `untilNs`.
    public mutating func deferTransfer(untilNs: Int64) { transferRetryNs = untilNs }

    /// The pair is closed (or the entry was aborted with a realized cost), with what it paid in fees.
    public mutating func closed(realizedUSD: Fixed, feesUSD: Fixed = .zero, transferFeesUSD: Fixed = .zero) {
        closing = nil
        transferRetryNs = nil
        position = nil
        realizedPnlUSD += realizedUSD
        closedFeesUSD = (closedFeesUSD ?? .zero) + feesUSD
        closedTransferFeesUSD = (closedTransferFeesUSD ?? .zero) + transferFeesUSD
        unrealizedPnlUSD = 0
    }

    /// Books the realized cost of an aborted entry that never became a position.
    public mutating func aborted(realizedUSD: Fixed, feesUSD: Fixed = .zero) {
        realizedPnlUSD += realizedUSD
        closedFeesUSD = (closedFeesUSD ?? .zero) + feesUSD
    }
}

extension UnsafePointer where Pointee == BookSnapshot {
    // A book read where it lies (see `BookSide.vwap(_:_:)`); the side's offset is a constant, so picking one
    // costs a conditional move.

    @inline(__always)
    func side(asks: Bool) -> UnsafePointer<BookSide> {
        let offset = asks ? MemoryLayout<BookSnapshot>.offset(of: \.asks)! : MemoryLayout<BookSnapshot>.offset(of: \.bids)!
        return (UnsafeRawPointer(self) + offset).assumingMemoryBound(to: BookSide.self)
    }

    @inline(__always)
    func vwap(asks: Bool, _ quantity: Double) -> Double? { BookSide.vwap(side(asks: asks), quantity) }

    @inline(__always)
    func quantityWithin(asks: Bool, bps: Double) -> Double {
        BookSide.quantityWithin(side(asks: asks), bps: bps, isAsk: asks)
    }

    /// The price of the side's last level, in units.
    @inline(__always)
    func lastPrice(asks: Bool) -> Double {
        let side = side(asks: asks)
        return Double(side.pointee.prices[side.pointee.count - 1]) / 1e8
    }

    @inline(__always) var bestBid: Double { Double(pointee.bids.prices[0]) / 1e8 }
    @inline(__always) var bestAsk: Double { Double(pointee.asks.prices[0]) / 1e8 }
}
