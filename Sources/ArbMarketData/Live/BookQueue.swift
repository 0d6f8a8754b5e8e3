import ArbCore
import DequeModule
import Synchronization

/// Books from a live feed on their way to one campaign: pushed by the feed's threads, pulled by the campaign's
/// feed task. Conflating: a market holds at most one pending book, the newest (every book is a full snapshot, so
/// an older one still waiting is worth nothing), and markets come out in the order their pending book first
/// arrived. Memory is bounded by the number of markets whatever the campaign's pace.
public final class BookQueue: Sendable {
    public struct Pending: Sendable {
        public var market: Int
        public var event: MarketEvent
    }

    private struct State {
        var pending: [MarketEvent?]
        var order = Deque<Int>()
        var waiter: UnsafeContinuation<Void, Never>?
        var waiterID = 0
        var closed = false
        /// Books replaced by a newer one before the campaign took them.
        var conflated = 0
    }

    private let state: Mutex<State>

    public init(marketCount: Int) {
        state = Mutex(State(pending: Array(repeating: nil, count: marketCount)))
    }

    /// Makes room for markets added to a running campaign (call before their books are pushed).
    public func grow(marketCount: Int) {
        state.withLock { s in
            if s.pending.count < marketCount { s.pending.append(contentsOf: repeatElement(nil, count: marketCount - s.pending.count)) }
        }
    }

    /// Queues `event` for `market`, replacing a pending one.
    public func push(market: Int, _ event: MarketEvent) {
        let waiter = state.withLock { s -> UnsafeContinuation<Void, Never>? in
            guard !s.closed else { return nil }
            if s.pending[market] == nil { s.order.append(market) } else { s.conflated += 1 }
            s.pending[market] = event
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Receive time of the oldest pending book.
    public var headTimeNs: Int64? {
        state.withLock { s in s.order.first.flatMap { s.pending[$0]?.timeNs } }
    }

    public func pop() -> Pending? {
        state.withLock { s in
            guard let market = s.order.popFirst(), let event = s.pending[market] else { return nil }
            s.pending[market] = nil
            return Pending(market: market, event: event)
        }
    }

    public var conflatedCount: Int { state.withLock { $0.conflated } }

    /// Returns when a book is pending, the queue is closed, or `timeoutNs` passed.
    public func wait(timeoutNs: Int64) async {
        let id = state.withLock { s -> Int? in
            if s.closed || !s.order.isEmpty { return nil }
            s.waiterID += 1
            return s.waiterID
        }
        guard let id else { return }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: .nanoseconds(Swift.max(0, timeoutNs)))
            self?.wake(id: id)
        }
        await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if s.closed || !s.order.isEmpty || s.waiterID != id { return true }
                s.waiter = c
                return false
            }
            if ready { c.resume() }
        }
        timer.cancel()
    }

    private func wake(id: Int) {
        let waiter = state.withLock { s -> UnsafeContinuation<Void, Never>? in
            guard s.waiterID == id else { return nil }
            s.waiterID += 1
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Drops what is pending and wakes the waiter for good.
    public func close() {
        let waiter = state.withLock { s -> UnsafeContinuation<Void, Never>? in
            s.closed = true
            s.order.removeAll()
            for i in s.pending.indices { s.pending[i] = nil }
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }
}
