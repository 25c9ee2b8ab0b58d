/// Multiplies the optimizer's learning rate by `factor` when a monitored value has not
/// improved for `patience` epochs, down to `minimum` (Keras's `ReduceLROnPlateau`, PyTorch's
/// `ReduceLROnPlateau` with threshold mode "abs").
///
/// ```
/// η ← max(η·factor, minimum)   after `patience` epochs with no value < best − minDelta
/// ```
public final class ReduceLearningRateOnPlateau: Callback {
    public let monitor: String
    public let factor: Float
    public let patience: Int
    public let minDelta: Float
    public let minimum: Float
    private var best: Float?
    private var wait = 0
    private var resolvedMonitor = ""

    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)`` unless
    ///   0 < factor < 1, patience ≥ 0, minDelta ≥ 0 and minimum ≥ 0.
    public init(monitor: String = "val_loss", factor: Float = 0.1, patience: Int = 10, minDelta: Float = 1e-4,
                minimum: Float = 0) throws {
        try Hyperparameter.check("factor", factor, factor > 0 && factor < 1, "a number in (0, 1)")
        guard patience >= 0 else {
            throw PerceptronError.invalidHyperparameter(name: "patience", value: "\(patience)", expected: "an integer ≥ 0")
        }
        try Hyperparameter.nonNegative("minDelta", minDelta)
        try Hyperparameter.nonNegative("minimum", minimum)
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.minDelta = minDelta
        self.minimum = minimum
    }

    public func trainingWillBegin(model: Sequential, plan: TrainingPlan) {
        resolvedMonitor = plan.resolvedMonitor(monitor)
        best = nil
        wait = 0
    }

    public func epochDidEnd(_ logs: EpochLogs, model: Sequential) {
        guard let value = logs.values[resolvedMonitor], value.isFinite else { return }
        if let b = best, !(value < b - minDelta) {
            wait += 1
            if wait >= patience {
                model.optimizer.learningRate = max(model.optimizer.learningRate * factor, minimum)
                wait = 0
            }
        } else {
            best = value
            wait = 0
        }
    }
}

extension ReduceLearningRateOnPlateau: ResumableCallback {
    public var stateKey: String { "reduce_lr_on_plateau(\(monitor))" }

    private var settings: [String: String] {
        ["monitor": monitor, "factor": String(factor.bitPattern, radix: 16), "patience": String(patience),
         "minDelta": String(minDelta.bitPattern, radix: 16), "minimum": String(minimum.bitPattern, radix: 16)]
    }

    /// The wait counter and the best value (the learning rate itself is the optimizer's, saved by fit).
    public func savedState(model: Sequential) -> CallbackState {
        var values = ["wait": Double(wait)]
        if let best { values["best"] = Double(best) }
        return CallbackState(settings: settings, values: values)
    }

    public func restore(_ state: CallbackState, model: Sequential) throws {
        try state.requireSettings(settings, of: stateKey)
        wait = state.values["wait"].flatMap { Int(exactly: $0) } ?? 0
        best = state.values["best"].map { Float($0) }
    }
}
