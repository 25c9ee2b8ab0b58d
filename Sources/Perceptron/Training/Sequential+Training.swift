import Foundation

/// Buffers reused across training steps, so a step allocates nothing in steady state.
///
/// Training runs in four stages, each a function:
/// ```
/// fit        checks, validation split, callbacks, resume; for each epoch:    (this file)
///   epoch    learning-rate schedule, shuffle, metrics, validation, logs     (Sequential+Epoch)
///     batch  gather the rows, step, accumulate metrics, batch callbacks     (Sequential+Epoch)
///       step forward → loss → backward → gradient transforms → update      (Sequential+Step)
/// ```
struct TrainingWorkspace {
    var xBatch = Matrix(rows: 0, columns: 0)
    var yBatch = Matrix(rows: 0, columns: 0)
    var lossGradient = Matrix(rows: 0, columns: 0)
    var sampleWeights: [Float] = []
    var order: [Int] = []
}

extension Sequential {
    /// Trains the model on `x` (rows are samples) against `y` by minibatch gradient descent.
    ///
    /// Each epoch visits every training row once: the rows are reshuffled (without
    /// replacement) when `shuffle` is true, then cut into ⌈n / batchSize⌉ minibatches, the
    /// last one smaller when batchSize does not divide n (seed 001's `n_weight_updates`).
    /// Each minibatch is one forward pass, one backward pass and one optimizer update.
    ///
    /// An update whose loss or gradient is NaN or ±Inf is never applied: training stops
    /// there, keeping the last finite weights, and ``History/stopReason`` says where. (Should
    /// an update overflow the weights themselves, the weights go back to those the epoch
    /// began with.)
    ///
    /// - Parameters:
    ///   - y: targets: one column per output (one-hot for categorical cross-entropy), or one
    ///     column of class indices for sparse categorical cross-entropy.
    ///   - validationSplit: the fraction of rows, taken from the end before shuffling (as
    ///     Keras), held out to compute "val_" values after each epoch.
    ///   - validationData: held-out rows to evaluate after each epoch (overrides validationSplit).
    ///   - classWeights: a weight per class index, multiplying that class's samples' losses.
    ///   - callbacks: called around epochs and batches (``EarlyStopping``, ``ProgressCallback``, …).
    ///   - initialEpoch: the epoch to start at (Keras's `initial_epoch`): epochs
    ///     `initialEpoch..<epochs` run, and schedules see their absolute index.
    ///   - resumeFrom: a ``TrainingState`` saved by a ``ModelCheckpoint`` (load the model and
    ///     it with ``ModelFile/loadCheckpoint(from:)``): training continues after its
    ///     `completedEpochs`, with its learning rates, callbacks' state and history, exactly
    ///     as the interrupted fit would have. Give the same data, settings and callbacks.
    /// - Returns: the per-epoch loss and metrics (with a resumed state's earlier epochs first).
    /// - Throws: ``PerceptronError`` for a model not compiled, mismatched shapes, empty or
    ///   non-finite data, labels outside the classes, invalid settings, or a resume whose
    ///   data, settings or callbacks differ from the checkpoint's; a checkpoint writer's error.
    @discardableResult
    public func fit(_ x: Matrix, _ y: Matrix, epochs: Int = 1, batchSize: Int = 32, shuffle: Bool = true,
                    validationSplit: Float = 0, validationData: (x: Matrix, y: Matrix)? = nil,
                    classWeights: [Int: Float]? = nil, callbacks: [any Callback] = [],
                    initialEpoch: Int = 0, resumeFrom state: TrainingState? = nil) throws -> History {
        let loss = try compiledLoss()
        guard epochs >= 0 else {
            throw PerceptronError.invalidHyperparameter(name: "epochs", value: "\(epochs)", expected: "an integer ≥ 0")
        }
        guard batchSize >= 1 else {
            throw PerceptronError.invalidHyperparameter(name: "batchSize", value: "\(batchSize)", expected: "an integer ≥ 1")
        }
        guard validationSplit >= 0 && validationSplit < 1 else {
            throw PerceptronError.invalidHyperparameter(name: "validationSplit", value: "\(validationSplit)", expected: "a number in [0, 1)")
        }
        try validate(x: x, y: y, loss: loss, names: ("x", "y"))
        var trainingCount = x.rows
        var validation: (x: Matrix, y: Matrix)?
        if let data = validationData {
            try validate(x: data.x, y: data.y, loss: loss, names: ("validation x", "validation y"))
            validation = data
        } else if validationSplit > 0 {
            let held = Int(Float(x.rows) * validationSplit)
            if held > 0 {
                guard held < x.rows else {
                    throw PerceptronError.emptyData(what: "the training part of x after validationSplit \(validationSplit)")
                }
                trainingCount = x.rows - held
                validation = (x.gatherRows(trainingCount..<x.rows), y.gatherRows(trainingCount..<y.rows))
            }
        }
        let rowWeights = try classWeights.map { try sampleWeights(for: y, classWeights: $0, loss: loss) }
        let firstEpoch = state?.completedEpochs ?? initialEpoch
        guard initialEpoch >= 0, state == nil || initialEpoch == 0 || initialEpoch == firstEpoch else {
            throw PerceptronError.invalidHyperparameter(name: "initialEpoch", value: "\(initialEpoch)",
                                                        expected: "an integer ≥ 0 (with resumeFrom: 0 or the state's \(firstEpoch))")
        }
        guard firstEpoch <= epochs else {
            throw PerceptronError.invalidHyperparameter(name: "epochs", value: "\(epochs)",
                                                        expected: "at least the \(firstEpoch) epochs already trained")
        }
        // Checkpoints and resumes compare what the fit was given (see TrainingState.fitSignature).
        // Data-parallel: rank 0 alone writes checkpoints.
        let parallel = dataParallel
        let checkpointWriters = parallel.map { $0.group.rank == 0 } ?? true ? callbacks.compactMap { $0 as? any CheckpointWriter } : []
        let signature = state == nil && checkpointWriters.isEmpty ? [:]
            : fitSignature(x: x, y: y, trainingCount: trainingCount, batchSize: batchSize, shuffle: shuffle,
                           validation: validation, validationIsExplicit: validationData != nil, classWeights: classWeights)
        if let state { try checkResume(state, signature: signature) }

        stopTraining = false
        if let parallel { try beginDataParallelFit(parallel) }
        var run = FitRun(x: x, y: y, loss: loss, batchSize: batchSize, trainingCount: trainingCount, shuffle: shuffle,
                         rowWeights: rowWeights, validation: validation, callbacks: callbacks,
                         history: state?.history ?? History(), metrics: MetricAccumulator(metrics: metrics, loss: loss))
        // A run that early stopping had ended stays ended.
        let remainingEpochs = run.history.stopReason == .completed ? firstEpoch..<epochs : epochs..<epochs
        let plan = TrainingPlan(epochs: epochs, batchesPerEpoch: run.batchCount, trainingSamples: trainingCount,
                                validationSamples: validation?.x.rows ?? 0, batchSize: batchSize, initialEpoch: firstEpoch)
        for callback in callbacks { callback.trainingWillBegin(model: self, plan: plan) }
        if let state { try restoreTraining(state, callbacks: callbacks) }
        workspace.order.reserveCapacity(trainingCount)

        for epoch in remainingEpochs {
            guard try trainEpoch(epoch, &run) else { break }
            // Data-parallel: every rank stops when a callback on any rank stops training.
            if let parallel { stopTraining = parallel.anyRank(stopTraining) }
            if stopTraining { run.history.stopReason = .stoppedByCallback(epoch: epoch) }
            if !checkpointWriters.isEmpty {
                let state = try trainingState(completedEpochs: epoch + 1, history: run.history, callbacks: callbacks, signature: signature)
                for writer in checkpointWriters { try writer.epochDidComplete(state, model: self) }
            }
            if stopTraining { break }
        }
        for callback in callbacks { callback.trainingDidEnd(model: self, history: run.history) }
        run.history.restoredEpoch = callbacks.compactMap { ($0 as? EarlyStopping)?.restoredEpoch }.last
        return run.history
    }

    /// One gradient step on one batch (Keras's `train_on_batch`).
    /// - Returns: the batch's loss (with regularization) before the update.
    /// - Throws: ``PerceptronError`` for a model not compiled, invalid data, or a non-finite
    ///   loss or gradient (the update is then not applied).
    @discardableResult
    public func trainOnBatch(_ x: Matrix, _ y: Matrix, sampleWeights: [Float]? = nil) throws -> Float {
        let loss = try compiledLoss()
        try validate(x: x, y: y, loss: loss, names: ("x", "y"))
        if let w = sampleWeights, w.count != x.rows {
            throw PerceptronError.shapeMismatch(what: "sampleWeights", expected: "\(x.rows) weights", got: "\(w.count)")
        }
        workspace.xBatch = x
        workspace.yBatch = y
        workspace.sampleWeights = sampleWeights ?? []
        guard let value = trainStep(loss: loss, useSampleWeights: sampleWeights != nil) else {
            throw PerceptronError.nonFiniteValue(what: "loss or gradient", row: 0, column: 0, value: lastStepLoss)
        }
        return value
    }

    /// The loss (with regularization) at the current weights, and its gradient with respect
    /// to every parameter (for Dense: `[∂L/∂W, ∂L/∂b]`), by backpropagation. By default
    /// layers run in inference mode (dropout off, BatchNormalization on its running
    /// statistics), so this is the gradient of what ``evaluate(_:_:batchSize:)`` reports.
    /// - Parameter training: run the layers as a training step does instead (dropout draws
    ///   masks from the model's generator; BatchNormalization uses the batch's statistics
    ///   and moves its running ones); no parameter is updated.
    public func lossAndGradients(_ x: Matrix, _ y: Matrix, training: Bool = false) throws -> (loss: Float, gradients: [[Matrix]]) {
        let loss = try compiledLoss()
        try validate(x: x, y: y, loss: loss, names: ("x", "y"))
        workspace.xBatch = x
        workspace.yBatch = y
        let value = forwardBackward(loss: loss, useSampleWeights: false, training: training)
        var gradients: [[Matrix]] = []
        for i in layers.indices {
            var list: [Matrix] = []
            layers[i].visitParameters { _, _, g in list.append(g) }
            gradients.append(list)
        }
        return (value, gradients)
    }

    /// Σ over layers of the regularization penalty.
    func regularizationPenalty() -> Float {
        layers.reduce(0) { $0 + $1.regularizationPenalty() }
    }

    // MARK: - Checks

    func compiledLoss() throws -> Loss {
        guard let loss else {
            throw PerceptronError.notCompiled(reason: "call compile(loss:optimizer:) before training or evaluating")
        }
        return loss
    }

    /// Checks features and targets for shape, emptiness, finiteness and label range.
    func validate(x: Matrix, y: Matrix, loss: Loss, names: (String, String)) throws {
        try validate(features: x, name: names.0)
        guard y.rows == x.rows else {
            throw PerceptronError.shapeMismatch(what: "rows of \(names.0) and \(names.1)", expected: "\(x.rows) rows in \(names.1)",
                                                got: "\(y.rows)")
        }
        try loss.validate(targets: y, outputSize: outputSize, what: names.1)
    }

    /// Checks a feature matrix: non-empty, `inputSize` columns, all finite.
    func validate(features x: Matrix, name: String) throws {
        guard x.rows > 0 else { throw PerceptronError.emptyData(what: name) }
        guard x.columns == inputSize else {
            throw PerceptronError.shapeMismatch(what: "feature count of \(name)", expected: "\(inputSize) columns (the model's input size)",
                                                got: "\(x.columns)")
        }
        if let bad = x.firstNonFinite() {
            throw PerceptronError.nonFiniteValue(what: name, row: bad.row, column: bad.column, value: bad.value)
        }
    }

    /// A weight per row from per-class weights.
    private func sampleWeights(for y: Matrix, classWeights: [Int: Float], loss: Loss) throws -> [Float] {
        let classCount = loss.usesClassIndices || y.columns > 1 ? outputSize : 2
        for (label, weight) in classWeights {
            guard label >= 0 && label < classCount else {
                throw PerceptronError.invalidHyperparameter(name: "classWeights key", value: "\(label)", expected: "a class in 0..<\(classCount)")
            }
            try Hyperparameter.nonNegative("classWeights[\(label)]", weight)
        }
        let labels: [Int]
        if loss.usesClassIndices {
            labels = (0..<y.rows).map { Int(y[$0, 0]) }
        } else if y.columns > 1 {
            labels = y.argmaxRows()
        } else {
            labels = (0..<y.rows).map { y[$0, 0] >= 0.5 ? 1 : 0 }
        }
        return labels.map { classWeights[$0] ?? 1 }
    }
}
