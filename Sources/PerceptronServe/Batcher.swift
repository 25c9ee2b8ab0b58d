import Foundation
import Perceptron
import Synchronization

/// Dynamic batching for one model: concurrent requests' rows are stacked into one
/// matrix and run through the network in one forward pass (one matrix product per
/// layer), and each request gets its own rows of the output back.
///
/// ```
/// a request arrives   → queued; a worker starts if none runs
/// worker              → waits until the queue holds maxBatch rows or the oldest request
///                       has waited maxDelay, then takes whole requests up to maxBatch
///                       rows (a larger request runs alone), runs them, and loops
/// maxBatch ≤ 1        → no queue: each request runs on its own task (unbatched)
/// a cheap request      → the same, when maxDelay is 0: cost < inlineWorkLimit
/// ```
/// With maxDelay 0 the worker never waits: the rows that queued while the previous batch
/// ran form the next one, so an idle server adds no latency and a busy one batches.
///
/// Batching saves a forward pass's weight traffic (one matrix product for k rows instead of
/// k matrix-vector products) and costs each request a hop to the worker and back (a
/// continuation, a task switch, the queue's lock: ~12 µs of server CPU on the Zen 1).
/// A request whose own pass costs less than the hop gains nothing from merging, so with
/// maxDelay 0 it runs on its own task: one under ``inlineWorkLimit`` multiply-adds as the
/// kernels do them (``RequestCost``: the first layer reads only the weight rows of non-zero
/// inputs). A positive maxDelay asks for merging, and gets it for every request.
final class Batcher: Sendable {
    /// Below this many multiply-adds (``RequestCost``) a request runs alone (see above).
    /// Measured on Granite Rapids at 64 connections (BENCHMARKS.md, "what batching is
    /// worth"): a one-image MNIST request of ~150 non-zero pixels (151 k) served 1.08× faster
    /// alone, the same image with no zero pixel (476 k) 1.51× faster batched; a Titanic row
    /// (7-15-1, ~140) took 150 µs of server CPU batched against 138 µs alone on the Zen 1.
    static let inlineWorkLimit = 1 << 18

    struct Job {
        /// The request's rows (made once, in ``outputs(rows:features:)``).
        var features: Matrix
        var rows: Int { features.rows }
        var arrival: ContinuousClock.Instant
        var continuation: CheckedContinuation<Result<Matrix, any Error>, Never>
    }

    private struct State {
        var queue: [Job] = []
        var queuedRows = 0
        var workerRunning = false
        /// The worker's pending wait, cancelled when the queue fills up.
        var wait: Task<Void, Never>? = nil
    }

    let predictor: Predictor
    let maxBatch: Int
    let maxDelay: Duration
    /// What a request's pass costs (which requests run alone with maxDelay 0).
    let cost: RequestCost
    /// Called with each batch's row count (the batch-size histogram).
    private let onBatch: @Sendable (Int) -> Void
    private let state = Mutex(State())

    /// Whether requests may be merged (else each one runs its own forward pass on its own task).
    var isBatching: Bool { maxBatch > 1 }

    init(predictor: Predictor, maxBatch: Int, maxDelay: Duration, cost: RequestCost,
         onBatch: @escaping @Sendable (Int) -> Void) {
        self.predictor = predictor
        self.maxBatch = maxBatch
        self.maxDelay = maxDelay
        self.cost = cost
        self.onBatch = onBatch
    }

    /// Whether a request of `rows` rows and these features runs alone, on its own task.
    func runsAlone(rows: Int, features: [Float]) -> Bool {
        guard isBatching else { return true }
        guard maxDelay == .zero else { return false }
        return cost.multiplyAdds(rows: rows, features: features, limit: Self.inlineWorkLimit) < Self.inlineWorkLimit
    }

    /// The network's outputs for `rows` feature rows (row-major `features`).
    func outputs(rows: Int, features: [Float]) async throws -> Matrix {
        let x = Matrix(rows: rows, columns: predictor.inputSize, elements: features)
        if runsAlone(rows: rows, features: features) {
            onBatch(rows)
            return try predictor.outputs(x)
        }
        let result = await withCheckedContinuation { continuation in
            let job = Job(features: x, arrival: .now, continuation: continuation)
            let (startWorker, wakeWorker) = state.withLock { state -> (Bool, Task<Void, Never>?) in
                state.queue.append(job)
                state.queuedRows += rows
                var wake: Task<Void, Never>? = nil
                if state.queuedRows >= maxBatch { wake = state.wait; state.wait = nil }
                if state.workerRunning { return (false, wake) }
                state.workerRunning = true
                return (true, wake)
            }
            wakeWorker?.cancel()
            if startWorker { Task { await self.work() } }
        }
        return try result.get()
    }

    private func work() async {
        while true {
            enum Step { case stop, wait(ContinuousClock.Instant), run([Job]) }
            let step = state.withLock { state -> Step in
                guard let first = state.queue.first else {
                    state.workerRunning = false
                    return .stop
                }
                let deadline = first.arrival + maxDelay
                if state.queuedRows < maxBatch && maxDelay > .zero && ContinuousClock.now < deadline {
                    return .wait(deadline)
                }
                var taken = 0, rows = 0
                while taken < state.queue.count {
                    let next = state.queue[taken].rows
                    if taken > 0 && rows + next > maxBatch { break }
                    rows += next
                    taken += 1
                }
                let jobs = Array(state.queue[..<taken])
                state.queue.removeFirst(taken)
                state.queuedRows -= rows
                return .run(jobs)
            }
            switch step {
            case .stop:
                return
            case .wait(let deadline):
                let sleeper = Task { _ = try? await Task.sleep(until: deadline, clock: .continuous) }
                let stillWaiting = state.withLock { state -> Bool in
                    if state.queuedRows >= maxBatch { return false }
                    state.wait = sleeper
                    return true
                }
                if stillWaiting { await sleeper.value } else { sleeper.cancel() }
                state.withLock { $0.wait = nil }
            case .run(let jobs):
                run(jobs)
            }
        }
    }

    /// One forward pass for `jobs`' rows; each continuation gets its slice.
    private func run(_ jobs: [Job]) {
        let rows = jobs.reduce(0) { $0 + $1.rows }
        onBatch(rows)
        if jobs.count == 1 {
            let job = jobs[0]
            job.continuation.resume(returning: Result {
                try predictor.outputs(job.features)
            })
            return
        }
        // The jobs' rows, one after another, written straight into the batch's matrix.
        let stacked = Matrix(rows: rows, columns: predictor.inputSize) { out in
            var start = 0
            for job in jobs {
                job.features.withUnsafeBufferPointer { rows in
                    _ = UnsafeMutableBufferPointer(rebasing: out[start..<(start + rows.count)]).initialize(from: rows)
                }
                start += job.features.count
            }
        }
        let output: Matrix
        do {
            output = try predictor.outputs(stacked)
        } catch {
            for job in jobs { job.continuation.resume(returning: .failure(error)) }
            return
        }
        let width = output.columns
        output.withUnsafeBufferPointer { all in
            var start = 0
            for job in jobs {
                let slice = Matrix(rows: job.rows, columns: width) { out in
                    _ = out.initialize(from: all[(start * width)..<((start + job.rows) * width)])
                }
                job.continuation.resume(returning: .success(slice))
                start += job.rows
            }
        }
    }
}
