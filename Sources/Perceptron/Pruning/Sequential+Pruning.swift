extension Sequential {
    /// Magnitude pruning of the Dense layers' weights to `sparsity` (see ``MagnitudePruning``),
    /// optionally fine-tuned on (`x`, `y`) for `epochs` with the masks held: the sparsity rises
    /// on ``PruningSchedule/gradual(to:totalSteps:)`` over the fine-tuning, and the masks are
    /// re-applied after every optimizer step, so a pruned weight stays exactly zero.
    ///
    /// With `epochs` = 0 (or no data) it is one-shot: the smallest weights are zeroed at once.
    /// The model must be compiled to fine-tune. The fine-tuning goes on from the learning rate
    /// the optimizer holds (the rate training ended with), as a Keras or PyTorch user who keeps
    /// their optimizer and scheduler expects: a ``learningRateSchedule`` runs from that rate
    /// rather than restarting at the compiled one, and ``baseLearningRate`` is unchanged
    /// afterwards. Any ``parameterConstraints`` already set stay in place, and the pruning
    /// constraint is removed again when this returns.
    /// - Returns: the fine-tuning's history (nil when nothing was trained).
    /// - Throws: ``PerceptronError`` for a model without Dense layers, a sparsity outside
    ///   [0, 1), fine-tuning without data or without a compiled loss, and whatever ``fit(_:_:epochs:batchSize:shuffle:validationSplit:validationData:classWeights:callbacks:initialEpoch:resumeFrom:)`` throws.
    @discardableResult
    public func prune(to sparsity: Double, scope: MagnitudePruning.Scope = .perLayer,
                      fineTuneOn x: Matrix? = nil, _ y: Matrix? = nil, epochs: Int = 0, batchSize: Int = 32,
                      callbacks: [any Callback] = []) throws -> History? {
        guard layers.contains(where: { $0 is Dense }) else {
            throw PerceptronError.incompatible("the model has no Dense layer to prune")
        }
        guard epochs >= 0 else {
            throw PerceptronError.invalidHyperparameter(name: "fine-tuning epochs", value: "\(epochs)", expected: "an integer ≥ 0")
        }
        guard epochs == 0 || (x != nil && y != nil) else {
            throw PerceptronError.emptyData(what: "fine-tuning rows (x and y) for \(epochs) epochs")
        }
        guard let x, let y, epochs > 0 else {
            var pruning = MagnitudePruning(scope: scope, schedule: try .oneShot(sparsity))
            pruning.prune(&layers, to: sparsity)
            return nil
        }
        guard batchSize >= 1 else {
            throw PerceptronError.invalidHyperparameter(name: "batchSize", value: "\(batchSize)", expected: "an integer ≥ 1")
        }
        _ = try compiledLoss()
        let stepsPerEpoch = (x.rows + batchSize - 1) / batchSize
        let pruning = MagnitudePruning(scope: scope, schedule: try .gradual(to: sparsity, totalSteps: epochs * stepsPerEpoch))
        parameterConstraints.append(pruning)
        let index = parameterConstraints.count - 1
        defer { parameterConstraints.remove(at: index) }
        // fit restarts the schedule at epoch 0 from its base; based on the rate training
        // ended with, fine-tuning goes on from there instead of jumping back to the compiled
        // rate. A model read from a file already has that base (the file records the rate
        // training ended with), so the library and `perceptron prune` agree.
        let compiledRate = baseLearningRate
        baseLearningRate = optimizer.learningRate
        defer { baseLearningRate = compiledRate }
        let history = try fit(x, y, epochs: epochs, batchSize: batchSize, callbacks: callbacks)
        // Training that stopped early has not reached s_f yet.
        var final = parameterConstraints[index] as! MagnitudePruning
        final.prune(&layers, to: sparsity)
        return history
    }
}
