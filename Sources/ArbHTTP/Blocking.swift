import Dispatch

/// Runs async work to completion from a thread outside Swift's concurrency pool (libmicrohttpd's threads),
/// blocking that thread meanwhile. Never call it from a task.
func blocking<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox<T>()
    Task {
        box.value = await work()
        done.signal()
    }
    done.wait()
    return box.value!
}

/// Hands a value from the task to the waiting thread; the semaphore orders the write before the read.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
