import Foundation
import Perceptron

/// A ``ProcessGroup`` of threads in one process, for testing data-parallel training without
/// MPI: ``run(size:_:)`` runs the body once per rank, each on its own thread. Sums add the
/// ranks' buffers in rank order (Σ_{r=0}^{N−1}, left to right), the same on every rank.
public final class ThreadProcessGroup: ProcessGroup {
    public let rank: Int
    public var size: Int { hub.size }
    private let hub: Hub

    private init(rank: Int, hub: Hub) {
        self.rank = rank
        self.hub = hub
    }

    /// Runs `body` on `size` threads, one per rank, and returns their results in rank order.
    public static func run<T>(size: Int, _ body: @escaping @Sendable (ThreadProcessGroup) throws -> T) throws -> [T] {
        let hub = Hub(size: size)
        let results = Results<T>(count: size)
        let threads = (0..<size).map { rank in
            Thread {
                let group = ThreadProcessGroup(rank: rank, hub: hub)
                do { results.set(rank, .success(try body(group))) } catch { results.set(rank, .failure(error)) }
                results.done.signal()
            }
        }
        for thread in threads {
            thread.stackSize = 16 << 20
            thread.start()
        }
        for _ in 0..<size { results.done.wait() }
        return try results.values()
    }

    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) { reduce(values) }
    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) { reduce(values) }

    public func broadcast(_ values: UnsafeMutableBufferPointer<Double>, root: Int) {
        hub.slots[rank] = UnsafeMutableRawPointer(values.baseAddress)
        hub.barrier()
        if rank != root, let source = hub.slots[root] {
            let from = source.assumingMemoryBound(to: Double.self)
            for j in values.indices { values[j] = from[j] }
        }
        hub.barrier()
    }

    public func startAllreduceSum(_ values: UnsafeMutableBufferPointer<Float>) -> any PendingReduction {
        reduce(values)
        return CompletedReduction()
    }

    private func reduce<T: FloatingPoint>(_ values: UnsafeMutableBufferPointer<T>) {
        hub.slots[rank] = UnsafeMutableRawPointer(values.baseAddress)
        hub.barrier()
        var sum = [T](repeating: 0, count: values.count)
        for r in 0..<size {
            guard let slot = hub.slots[r] else { continue }
            let p = slot.assumingMemoryBound(to: T.self)
            for j in sum.indices { sum[j] = r == 0 ? p[j] : sum[j] + p[j] }
        }
        hub.barrier()
        for j in values.indices { values[j] = sum[j] }
        hub.barrier()
    }

    private final class Hub: @unchecked Sendable {
        let size: Int
        /// One pointer per rank, each written only by its rank between barriers.
        let slots: UnsafeMutablePointer<UnsafeMutableRawPointer?>
        private let condition = NSCondition()
        private var arrived = 0
        private var generation = 0

        init(size: Int) {
            self.size = size
            slots = .allocate(capacity: size)
            slots.initialize(repeating: nil, count: size)
        }

        deinit { slots.deallocate() }

        func barrier() {
            condition.lock()
            let current = generation
            arrived += 1
            if arrived == size {
                arrived = 0
                generation += 1
                condition.broadcast()
            } else {
                while current == generation { condition.wait() }
            }
            condition.unlock()
        }
    }

    private final class Results<T>: @unchecked Sendable {
        private var slots: [Result<T, Error>?]
        private let lock = NSLock()
        let done = DispatchSemaphore(value: 0)
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Result<T, Error>) { lock.lock(); slots[index] = value; lock.unlock() }
        func values() throws -> [T] { try slots.map { try $0!.get() } }
    }
}
