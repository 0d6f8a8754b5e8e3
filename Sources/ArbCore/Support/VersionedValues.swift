#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Synchronization

/// A few plain values that one side changes now and then and every evaluation reads (the fx quotes): read from
/// any thread without a lock, between two loads of a version that writers make odd while they write (a sequence
/// lock). A mutex's lock and unlock are two locked instructions a read; these are two plain loads.
public final class VersionedValues<Value: Sendable>: @unchecked Sendable {
    // Written only under `writers` with the version odd; read by copy, kept when the version did not move.
    private let values: UnsafeMutablePointer<Value>
    private let version = Atomic<UInt64>(0)
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
        writers.withLock { _ in
            let v = version.load(ordering: .relaxed)
            version.store(v &+ 1, ordering: .relaxed)
            atomicMemoryFence(ordering: .releasing)
            body(values)
            version.store(v &+ 2, ordering: .releasing)
        }
    }

    @usableFromInline @inline(__always)
    func consistent<R>(_ body: (UnsafeMutablePointer<Value>) -> R) -> R {
        var attempts = 0
        while true {
            let v = version.load(ordering: .acquiring)
            if v & 1 == 0 {
                let result = body(values)
                atomicMemoryFence(ordering: .acquiring)
                if version.load(ordering: .relaxed) == v { return result }
            }
            attempts += 1
            if attempts & 63 == 0 { sched_yield() }
        }
    }
}
