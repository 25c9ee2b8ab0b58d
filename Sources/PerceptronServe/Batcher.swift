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
/// a small model        → the same, when maxDelay is 0: parameters < inlineParameterLimit
/// ```
/// With maxDelay 0 the worker never waits: the rows that queued while the previous batch
/// ran form the next one, so an idle server adds no latency and a busy one batches.
///
/// Batching saves a forward pass's weight traffic (one matrix product for k rows instead of
/// k matrix-vector products) and costs each request a hop to the worker and back (a
/// continuation, a task switch, the queue's lock: ~12 µs of server CPU on the Zen 1).
/// A network under ``inlineParameterLimit`` weights (64 KiB of floats: L2-resident, its
/// one-row pass a few µs) has less to save than the hop costs, so its requests run on their
/// own tasks unless a positive maxDelay asks for merging: the one-row Titanic request
/// (7-15-1, ~200 weights) took 150 µs of server CPU batched against 138 µs alone at 16
/// connections (BENCHMARKS.md "serve7").
final class Batcher: Sendable {
    /// Below this many weights a network's requests run alone (see above); MNIST's
    /// 784-512-128-64-10 (476,490) batches, Titanic's 7-15-1 does not.
    static let inlineParameterLimit = 16_384

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
    /// Called with each batch's row count (the batch-size histogram).
    private let onBatch: @Sendable (Int) -> Void
    private let state = Mutex(State())

    /// Whether requests are merged (else each one runs its own forward pass on its own task).
    let isBatching: Bool

    /// - Parameter parameterCount: the network's weights and biases (``Sequential/parameterCount``):
    ///   under ``inlineParameterLimit``, with maxDelay 0, requests are not merged.
    init(predictor: Predictor, maxBatch: Int, maxDelay: Duration, parameterCount: Int,
         onBatch: @escaping @Sendable (Int) -> Void) {
        self.predictor = predictor
        self.maxBatch = maxBatch
        self.maxDelay = maxDelay
        self.onBatch = onBatch
        isBatching = maxBatch > 1 && (maxDelay > .zero || parameterCount >= Self.inlineParameterLimit)
    }

    /// The network's outputs for `rows` feature rows (row-major `features`).
    func outputs(rows: Int, features: [Float]) async throws -> Matrix {
        let x = Matrix(rows: rows, columns: predictor.inputSize, elements: features)
        guard isBatching else {
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
