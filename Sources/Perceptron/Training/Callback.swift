/// Hooks into ``Sequential/fit(_:_:epochs:batchSize:shuffle:validationSplit:validationData:classWeights:callbacks:initialEpoch:resumeFrom:)``,
/// as Keras's callbacks: each gets the model, so it can read or set weights, change the
/// optimizer's learning rate, or set ``Sequential/stopTraining``. Every method has an
/// empty default; implement the ones you need.
public protocol Callback: AnyObject {
    /// Before the first epoch.
    func trainingWillBegin(model: Sequential, plan: TrainingPlan)
    /// Before each epoch (0-based).
    func epochWillBegin(_ epoch: Int, model: Sequential)
    /// After each minibatch's update.
    func batchDidEnd(_ logs: BatchLogs, model: Sequential)
    /// After each epoch, with its loss, metrics and validation values.
    func epochDidEnd(_ logs: EpochLogs, model: Sequential)
    /// After the last epoch, whatever stopped training.
    func trainingDidEnd(model: Sequential, history: History)
}

extension Callback {
    public func trainingWillBegin(model: Sequential, plan: TrainingPlan) {}
    public func epochWillBegin(_ epoch: Int, model: Sequential) {}
    public func batchDidEnd(_ logs: BatchLogs, model: Sequential) {}
    public func epochDidEnd(_ logs: EpochLogs, model: Sequential) {}
    public func trainingDidEnd(model: Sequential, history: History) {}
}

/// The shape of a fit: what a progress display needs to know up front.
public struct TrainingPlan: Sendable {
    /// The total number of epochs (the index at which training stops).
    public let epochs: Int
    public let batchesPerEpoch: Int
    public let trainingSamples: Int
    public let validationSamples: Int
    public let batchSize: Int
    /// The first epoch this fit runs (nonzero when resumed): epochs `initialEpoch..<epochs` run.
    public let initialEpoch: Int

    public init(epochs: Int, batchesPerEpoch: Int, trainingSamples: Int, validationSamples: Int, batchSize: Int,
                initialEpoch: Int = 0) {
        self.initialEpoch = initialEpoch
        self.epochs = epochs
        self.batchesPerEpoch = batchesPerEpoch
        self.trainingSamples = trainingSamples
        self.validationSamples = validationSamples
        self.batchSize = batchSize
    }
}

extension TrainingPlan {
    /// The log key to watch for `monitor`: a "val_" key falls back to its training
    /// counterpart when the fit has no validation data (as Keras warns and does).
    func resolvedMonitor(_ monitor: String) -> String {
        monitor.hasPrefix("val_") && validationSamples == 0 ? String(monitor.dropFirst(4)) : monitor
    }
}
