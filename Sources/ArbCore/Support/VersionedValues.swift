import Synchronization

/// A few plain values that one side changes now and then and every evaluation reads (the fx quotes): read from
/// any thread without a lock (`SequenceLock`), written under a mutex.
public final class VersionedValues<Value: Sendable>: @unchecked Sendable {
    // Written only under `writers` with the version odd; read by copy, kept when the version did not move.
    private let values: UnsafeMutablePointer<Value>
    private let sequence = SequenceLock()
    private let writers = Mutex<Void>(())
    public let count: Int

    /// `values` may only be plain data (no references): a read may copy one while it is being written.
    public init(_ initial: [Value]) {
        precondition(_isPOD(Value.self), "VersionedValues holds plain data only")
        count = initial.count
        values = .allocate(capacity: Swift.max(1, initial.count))
        values.initialize(from: initial, count: initial.count)
    }

    deinit {
        values.deinitialize(count: count)
        values.deallocate()
    }

    @inline(__always)
    public subscript(_ i: Int) -> Value {
        precondition(i >= 0 && i < count, "index out of range")
        return consistent { $0[i] }
    }

    /// Every value, read at one instant.
    public var all: [Value] { consistent { Array(UnsafeBufferPointer(start: $0, count: count)) } }

    /// Sets value `i`.
    public func set(_ i: Int, _ value: Value) {
        precondition(i >= 0 && i < count, "index out of range")
        writing { $0[i] = value }
    }

    /// Sets every value (as many as there are).
    public func setAll(_ new: [Value]) {
        precondition(new.count == count, "\(new.count) values for \(count)")
        writing { p in for (i, v) in new.enumerated() { p[i] = v } }
    }

    private func writing(_ body: (UnsafeMutablePointer<Value>) -> Void) {
        writers.withLock { _ in sequence.writing { body(values) } }
    }

    @inline(__always)
    private func consistent<R>(_ body: (UnsafeMutablePointer<Value>) -> R) -> R { sequence.reading { body(values) } }
}
