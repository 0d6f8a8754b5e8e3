import Synchronization

/// Wakes one waiting route task when either of its books changes. Updates that arrive before the task wakes
/// coalesce into one wake-up, which carries the monotonic time of the *first* of them (so tick-to-decision is
/// measured from the oldest update served).
final class WakeSignal: Sendable {
    private struct State {
        var pendingSince: UInt64?
        var waiter: UnsafeContinuation<UInt64?, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    /// Records an update stored at monotonic time `stamp`.
    func notify(_ stamp: UInt64) {
        let waiter = state.withLock { s -> UnsafeContinuation<UInt64?, Never>? in
            if s.closed { return nil }
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            if s.pendingSince == nil { s.pendingSince = stamp }
            return nil
        }
        waiter?.resume(returning: stamp)
    }

    /// The stamp of the first update not yet served; nil once closed.
    func wait() async -> UInt64? {
        if let ready = state.withLock({ s -> UInt64?? in
            if s.closed { return .some(nil) }
            if let p = s.pendingSince { s.pendingSince = nil; return .some(p) }
            return nil
        }) {
            return ready
        }
        return await withUnsafeContinuation { (c: UnsafeContinuation<UInt64?, Never>) in
            let immediate = state.withLock { s -> UInt64?? in
                if s.closed { return .some(nil) }
                if let p = s.pendingSince { s.pendingSince = nil; return .some(p) }
                s.waiter = c
                return nil
            }
            if let immediate { c.resume(returning: immediate) }
        }
    }

    /// Releases the waiter for good.
    func close() {
        let waiter = state.withLock { s -> UnsafeContinuation<UInt64?, Never>? in
            s.closed = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }
}
