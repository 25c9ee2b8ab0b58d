import Foundation

/// Saves a checkpoint (``ModelFile/saveCheckpoint(_:state:preprocessor:training:to:)``: the
/// weights, the optimizer's moments, the random state and the ``TrainingState``) every
/// `every` epochs, after the last epoch and when a callback stops training, atomically,
/// replacing the previous one. A fit killed at any moment resumes from the last one:
///
/// ```swift
/// try model.fit(x, y, epochs: 50, callbacks: [early, try ModelCheckpoint(url: url)])
/// // … after a crash:
/// let checkpoint = try ModelFile.loadCheckpoint(from: url)
/// try checkpoint.model.fit(x, y, epochs: 50, callbacks: [early, try ModelCheckpoint(url: url)],
///                          resumeFrom: checkpoint.state)
/// ```
public final class ModelCheckpoint: CheckpointWriter {
    public let url: URL
    public let every: Int
    /// Saved with each checkpoint, so that the file also works as a model file.
    public var preprocessor: Preprocessor?
    /// The training notes saved with each checkpoint (seed, epochs, free-form info).
    public var training: ModelFileMetadata.Training?
    /// The completed-epoch count of the last checkpoint written, if any.
    public private(set) var lastSavedEpochs: Int?
    private var epochs = 0

    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)`` for `every` < 1.
    public init(url: URL, every: Int = 1, preprocessor: Preprocessor? = nil, training: ModelFileMetadata.Training? = nil) throws {
        guard every >= 1 else {
            throw PerceptronError.invalidHyperparameter(name: "every", value: "\(every)", expected: "an integer ≥ 1")
        }
        self.url = url
        self.every = every
        self.preprocessor = preprocessor
        self.training = training
    }

    public func trainingWillBegin(model: Sequential, plan: TrainingPlan) { epochs = plan.epochs }

    public func epochDidComplete(_ state: TrainingState, model: Sequential) throws {
        let done = state.completedEpochs
        guard done % every == 0 || done == epochs || state.history.stopReason != .completed else { return }
        try ModelFile.saveCheckpoint(model, state: state, preprocessor: preprocessor, training: training, to: url)
        lastSavedEpochs = done
    }
}
