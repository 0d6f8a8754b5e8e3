import Foundation

/// Lets a realtime campaign's tasks work side by side while one of them takes a consistent cut (a checkpoint):
/// evaluations, deliveries and feed updates run `shared`, the cut runs `exclusive` once none of them is halfway.
/// Writer-preferring, so a stream of evaluations cannot hold a checkpoint off.
final class CutGate: @unchecked Sendable {
    // The lock lives at a fixed address for its whole life, as pthreads requires.
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        var attr = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attr)
        #if canImport(Glibc)
        pthread_rwlockattr_setkind_np(&attr, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        pthread_rwlock_init(lock, &attr)
        pthread_rwlockattr_destroy(&attr)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    @inline(__always)
    func shared<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    func exclusive<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
