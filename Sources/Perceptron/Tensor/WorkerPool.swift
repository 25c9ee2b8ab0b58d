import Dispatch
import Foundation
import Synchronization

/// A piece of parallel work: `run(part)` for each part of a ``WorkerPool`` call.
protocol ParallelTask {
    func run(_ part: Int)
}

/// A type-erased pointer to the caller's task. An `UnsafePointer` fits an existential's
/// inline buffer, so erasing it allocates nothing.
private protocol ErasedTask {
    func run(_ part: Int)
}

extension UnsafePointer: ErasedTask where Pointee: ParallelTask {
    fileprivate func run(_ part: Int) { pointee.run(part) }
}

/// A fixed set of parked worker threads that run the parts of a parallel loop.
///
/// `DispatchQueue.concurrentPerform` allocates on every call, and so does turning a
/// closure into one other threads can call; a training step calls the GEMM a dozen
/// times, so either showed up as heap allocations on every step with two threads. This
/// pool creates its threads once and hands each call a pointer to the caller's task, so a
/// parallel call allocates nothing. Calls are serialized; a call made while another runs
/// (nested or concurrent) runs its parts on the calling thread, in order.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// How many polls a waiting thread makes before it parks: tens of microseconds, long
    /// enough to bridge the gaps between the GEMMs of a training step, short enough not
    /// to hold a core that another process wants for long.
    static let spinLimit = 20_000

    /// Held (true) while a call runs.
    private let busy = Atomic<Bool>(false)
    private let remaining = Atomic<Int>(0)
    private var workers: [Worker] = []
    private let callerWake = DispatchSemaphore(value: 0)
    private let callerParked = Atomic<Bool>(false)
    /// The running call's task; set before any worker gets its ticket, cleared after all finish.
    private var job: (any ErasedTask)?

    /// One pool thread: it runs part `index + 1` of each call that hands it a ticket.
    private final class Worker: @unchecked Sendable {
        let ticket = Atomic<Int>(0)
        let parked = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    /// Runs `task.run(0)`, …, `task.run(parts − 1)`, part 0 on the calling thread and the
    /// others on pool threads, and returns when all are done.
    func run<Task: ParallelTask>(parts: Int, _ task: Task) {
        if parts <= 1 {
            task.run(0)
            return
        }
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for part in 0..<parts { task.run(part) }
            return
        }
        withUnsafePointer(to: task) { pointer in
            ensureWorkers(parts - 1)
            job = pointer
            remaining.store(parts - 1, ordering: .sequentiallyConsistent)
            for worker in workers.prefix(parts - 1) {
                worker.ticket.add(1, ordering: .sequentiallyConsistent)
                if worker.parked.load(ordering: .sequentiallyConsistent) { worker.wake.signal() }
            }
            pointer.pointee.run(0)
            waitForWorkers()
            job = nil
        }
        busy.store(false, ordering: .releasing)
    }

    /// Spins, then parks, until every worker part of the current call is done.
    private func waitForWorkers() {
        var spins = 0
        while remaining.load(ordering: .acquiring) != 0 {
            spins += 1
            if spins < WorkerPool.spinLimit { continue }
            callerParked.store(true, ordering: .sequentiallyConsistent)
            if remaining.load(ordering: .sequentiallyConsistent) != 0 { callerWake.wait() }
            callerParked.store(false, ordering: .sequentiallyConsistent)
        }
    }

    /// Starts threads until there are `count`.
    private func ensureWorkers(_ count: Int) {
        while workers.count < count {
            let index = workers.count
            let worker = Worker()
            workers.append(worker)
            let thread = Thread { [unowned self] in self.workerLoop(worker, part: index + 1) }
            thread.name = "perceptron-worker-\(index + 1)"
            thread.start()
        }
    }

    private func workerLoop(_ worker: Worker, part: Int) {
        var seen = 0
        while true {
            var spins = 0
            while worker.ticket.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < WorkerPool.spinLimit { continue }
                worker.parked.store(true, ordering: .sequentiallyConsistent)
                if worker.ticket.load(ordering: .sequentiallyConsistent) == seen { worker.wake.wait() }
                worker.parked.store(false, ordering: .sequentiallyConsistent)
                spins = 0
            }
            seen += 1
            job!.run(part)
            if remaining.subtract(1, ordering: .sequentiallyConsistent).newValue == 0,
               callerParked.load(ordering: .sequentiallyConsistent) {
                callerWake.signal()
            }
        }
    }
}
