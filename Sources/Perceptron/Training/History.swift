/// What ``Sequential/fit(_:_:epochs:batchSize:shuffle:validationSplit:validationData:classWeights:callbacks:initialEpoch:resumeFrom:)``
/// recorded: one ``EpochLogs`` per completed epoch, and why training stopped. A fit resumed
/// from a ``TrainingState`` returns the checkpoint's epochs followed by its own.
public struct History: Codable, Sendable, Equatable {
    /// The logs of each completed epoch, in order.
    public internal(set) var epochs: [EpochLogs] = []
    /// Why training ended.
    public internal(set) var stopReason: StopReason = .completed
    /// The 0-based epoch whose weights the model holds after training, when a callback put
    /// back an earlier epoch's weights (``EarlyStopping`` with `restoreBestWeights`); nil
    /// when the weights are the last epoch's.
    public var restoredEpoch: Int?

    /// An empty history.
    public init() {}

    /// A history from recorded epochs (one read back from a file, say).
    public init(epochs: [EpochLogs], stopReason: StopReason = .completed, restoredEpoch: Int? = nil) {
        self.epochs = epochs
        self.stopReason = stopReason
        self.restoredEpoch = restoredEpoch
    }

    /// The values of `key` ("loss", "val_loss", "accuracy", "lr", …) over the epochs.
    public subscript(key: String) -> [Float] { epochs.compactMap { $0.values[key] } }

    /// Why ``Sequential/fit(_:_:epochs:batchSize:shuffle:validationSplit:validationData:classWeights:callbacks:initialEpoch:resumeFrom:)`` ended.
    public enum StopReason: Codable, Sendable, Equatable {
        /// All epochs ran.
        case completed
        /// A callback set ``Sequential/stopTraining`` (early stopping, for one) after `epoch`.
        case stoppedByCallback(epoch: Int)
        /// The loss or a gradient was NaN or ±Inf at this epoch and batch (0-based); that
        /// update was not applied, so the weights are the last finite ones.
        case nonFiniteLoss(epoch: Int, batch: Int, loss: Float)
    }
}

/// The values at the end of one epoch: "loss" and each metric's key, their "val_"
/// counterparts when there is validation data, "lr", and the elapsed seconds.
public struct EpochLogs: Codable, Sendable, Equatable {
    /// 0-based epoch index.
    public let epoch: Int
    public let values: [String: Float]
    /// Seconds of training since the first epoch began (a resumed fit adds to its checkpoint's).
    public let elapsed: Double

    public init(epoch: Int, values: [String: Float], elapsed: Double) {
        self.epoch = epoch
        self.values = values
        self.elapsed = elapsed
    }
}

/// The values after one minibatch: the epoch's running means so far.
public struct BatchLogs: Sendable {
    public let epoch: Int
    /// 0-based batch index within the epoch.
    public let batch: Int
    /// Number of batches in an epoch.
    public let batchCount: Int
    public let values: [String: Float]
    /// Seconds since fit began.
    public let elapsed: Double

    public init(epoch: Int, batch: Int, batchCount: Int, values: [String: Float], elapsed: Double) {
        self.epoch = epoch
        self.batch = batch
        self.batchCount = batchCount
        self.values = values
        self.elapsed = elapsed
    }
}
