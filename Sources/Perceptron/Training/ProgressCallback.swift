/// Reports progress to a closure: after every `batchInterval`-th minibatch and after every
/// epoch, with the loss, metrics and elapsed seconds. The command line's progress bar is
/// built on it.
public final class ProgressCallback: Callback {
    /// One progress report.
    public enum Event: Sendable {
        case began(TrainingPlan)
        case batch(BatchLogs)
        case epoch(EpochLogs, epochs: Int)
        case ended(History)
    }

    private let batchInterval: Int
    private let handler: (Event) -> Void
    private var epochs = 0

    /// - Parameters:
    ///   - batchInterval: report every this many batches (and always the last of an epoch).
    ///   - handler: called on the training thread.
    public init(batchInterval: Int = 1, _ handler: @escaping (Event) -> Void) {
        self.batchInterval = max(1, batchInterval)
        self.handler = handler
    }

    public func trainingWillBegin(model: Sequential, plan: TrainingPlan) {
        epochs = plan.epochs
        handler(.began(plan))
    }

    public func batchDidEnd(_ logs: BatchLogs, model: Sequential) {
        if (logs.batch + 1) % batchInterval == 0 || logs.batch + 1 == logs.batchCount { handler(.batch(logs)) }
    }

    public func epochDidEnd(_ logs: EpochLogs, model: Sequential) { handler(.epoch(logs, epochs: epochs)) }

    public func trainingDidEnd(model: Sequential, history: History) { handler(.ended(history)) }
}
