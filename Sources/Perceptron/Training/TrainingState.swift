import Foundation

/// Everything a fit needs, beyond the model's weights, optimizer moments and random
/// generator, to continue exactly where it stopped: the epochs done, the history so far,
/// the learning rates, each resumable callback's state, and a signature of what the fit was
/// given (batch size, row counts, fingerprints of the data).
///
/// A resumed fit (``Sequential/fit(_:_:epochs:batchSize:shuffle:validationSplit:validationData:classWeights:callbacks:initialEpoch:resumeFrom:)``
/// with `resumeFrom:`) runs epochs `completedEpochs..<epochs`, restores the learning rates
/// and the callbacks' state after their `trainingWillBegin`, and appends to `history`; so
///
/// ```
/// fit(epochs: n) ≡ fit(epochs: k) → checkpoint → load → fit(epochs: n, resumeFrom: state)
/// ```
/// bit for bit at the same thread count, schedules and early stopping included.
public struct TrainingState: Codable, Sendable, Equatable {
    /// Epochs finished (the next epoch's 0-based index).
    public var completedEpochs: Int
    /// The logs of every epoch so far, across resumes.
    public var history: History
    /// The base η₀ of the model's learning-rate schedule.
    public var baseLearningRate: Float
    /// The optimizer's η at the end of the last completed epoch (reduce-on-plateau changes it).
    public var learningRate: Float
    /// Each resumable callback's state, by its ``ResumableCallback/stateKey``.
    public var callbacks: [String: CallbackState]
    /// What the fit was given: "batchSize", "shuffle", "trainingRows", "validationRows",
    /// "classWeights", and fingerprints "x", "y", "validation" of the data. A resume whose
    /// fit differs in any of them is refused, naming it.
    public var fitSignature: [String: String]

    public init(completedEpochs: Int, history: History, baseLearningRate: Float, learningRate: Float,
                callbacks: [String: CallbackState] = [:], fitSignature: [String: String] = [:]) {
        self.completedEpochs = completedEpochs
        self.history = history
        self.baseLearningRate = baseLearningRate
        self.learningRate = learningRate
        self.callbacks = callbacks
        self.fitSignature = fitSignature
    }
}

/// A callback's state as saved in a checkpoint: its settings (compared on resume), its
/// numbers (counters and best values; a Float or an Int below 2⁵³ is exact as a Double) and
/// its matrices (e.g. early stopping's best weights, saved as tensors).
public struct CallbackState: Codable, Sendable, Equatable {
    public var settings: [String: String]
    public var values: [String: Double]
    public var tensors: [String: Matrix]

    public init(settings: [String: String] = [:], values: [String: Double] = [:], tensors: [String: Matrix] = [:]) {
        self.settings = settings
        self.values = values
        self.tensors = tensors
    }

    /// Throws unless `current` equals the saved settings, naming the first that differs.
    /// - Throws: ``PerceptronError/incompatible(_:)``.
    public func requireSettings(_ current: [String: String], of key: String) throws {
        for name in Set(settings.keys).union(current.keys).sorted() where settings[name] != current[name] {
            throw PerceptronError.incompatible(
                "cannot resume \(key): its \(name) is \(current[name] ?? "unset"), the checkpoint's is \(settings[name] ?? "unset")")
        }
    }
}

/// A callback whose state must survive a resume (``EarlyStopping``,
/// ``ReduceLearningRateOnPlateau``): a resumed fit calls ``restore(_:model:)`` after
/// `trainingWillBegin`, and a ``CheckpointWriter`` saves ``savedState(model:)`` after each epoch.
public protocol ResumableCallback: Callback {
    /// The name its state is saved under; unique among one fit's callbacks.
    var stateKey: String { get }
    /// The state after the last epoch's `epochDidEnd`.
    func savedState(model: Sequential) -> CallbackState
    /// Puts back a saved state.
    /// - Throws: ``PerceptronError/incompatible(_:)`` when the callback's settings differ
    ///   from the saved ones, or the state does not fit the model.
    func restore(_ state: CallbackState, model: Sequential) throws
}

/// A callback that saves the training state (``ModelCheckpoint``): called by fit after every
/// epoch, once every callback's `epochDidEnd` has run, so the state it gets is final.
public protocol CheckpointWriter: Callback {
    /// - Throws: when the checkpoint cannot be written; fit stops with that error.
    func epochDidComplete(_ state: TrainingState, model: Sequential) throws
}
