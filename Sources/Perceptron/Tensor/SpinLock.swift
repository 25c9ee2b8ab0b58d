import Synchronization

/// A lock for sections a few instructions long (a pointer swapped in or out of a list),
/// where a thread that finds it taken loses less by spinning than by sleeping. Taking and
/// releasing it allocate nothing. (A `Mutex<[T]>` in the GEMM's workspace pool made the
/// Swift runtime look up generic metadata, allocating, on every call from a worker thread.)
final class SpinLock: @unchecked Sendable {
    private let locked = Atomic<Bool>(false)

    /// Runs `body` while holding the lock.
    @inline(__always)
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        while !locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {}
        defer { locked.store(false, ordering: .releasing) }
        return try body()
    }
}
