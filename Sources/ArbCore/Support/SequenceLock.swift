#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Synchronization

/// The version of a sequence lock: writers make it odd while they change what it guards; a reader copies what it
/// needs and keeps the copy when the same even version stood before and after. Readers take no lock and never
/// hold up a writer: two plain loads on this machine, where a mutex's lock and unlock are two locked instructions.
/// What it guards must be plain data (a reader may copy it mid-write and throw the copy away), and writers keep
/// each other out by other means (a mutex, or one writing thread).
public struct SequenceLock: ~Copyable, Sendable {
    @usableFromInline let version: Atomic<UInt64>

    public init() { version = Atomic(0) }

    /// Runs `change` with the version odd.
    @inlinable @inline(__always)
    public func writing<R>(_ change: () throws -> R) rethrows -> R {
        let v = version.load(ordering: .relaxed)
        version.store(v &+ 1, ordering: .relaxed)
        // The odd version is seen before any of the new bytes.
        atomicMemoryFence(ordering: .releasing)
        defer { version.store(v &+ 2, ordering: .releasing) }
        return try change()
    }

    /// Runs `read` until it ran while no writer did, and returns what that run read.
    @inlinable @inline(__always)
    public func reading<R>(_ read: () -> R) -> R {
        var attempts = 0
        while true {
            let v = version.load(ordering: .acquiring)
            if v & 1 == 0 {
                let value = read()
                atomicMemoryFence(ordering: .acquiring)
                if version.load(ordering: .relaxed) == v { return value }
            }
            attempts += 1
            if attempts & 63 == 0 { sched_yield() }
        }
    }
}
