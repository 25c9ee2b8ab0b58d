/// Stops training when a monitored value has stopped improving, and restores the best
/// weights seen when training ends (whatever ended it).
///
/// An epoch improves on the best so far when `value < best − minDelta` (mode `.min`) or
/// `value > best + minDelta` (`.max`); after `patience` epochs in a row without
/// improvement, training stops (Keras's rule: patience 0 stops at the first epoch that
/// does not improve). `.auto` picks `.max` for accuracy-like keys and `.min` otherwise.
public final class EarlyStopping: Callback {
    public enum Mode: String, Sendable { case min, max, auto }

    public let monitor: String
    public let patience: Int
    public let minDelta: Float
    public let mode: Mode
    public let restoreBestWeights: Bool
    /// The best value seen, and its epoch.
    public private(set) var bestValue: Float?
    public private(set) var bestEpoch: Int?
    /// The epoch after which training was stopped, if it was.
    public private(set) var stoppedEpoch: Int?
    /// The epoch whose weights were put back at the end, if they were.
    public private(set) var restoredEpoch: Int?
    private var wait = 0
    private var bestWeights: [[Matrix]]?

    /// - Parameters:
    ///   - monitor: the log key to watch; default "val_loss" ("loss" is used when there is
    ///     no validation data).
    ///   - restoreBestWeights: put back the weights of the best epoch at the end (default true).
    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)`` for a
    ///   negative patience or minDelta.
    public init(monitor: String = "val_loss", patience: Int = 0, minDelta: Float = 0, mode: Mode = .auto,
                restoreBestWeights: Bool = true) throws {
        guard patience >= 0 else {
            throw PerceptronError.invalidHyperparameter(name: "patience", value: "\(patience)", expected: "an integer ≥ 0")
        }
        try Hyperparameter.nonNegative("minDelta", minDelta)
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
        self.mode = mode
        self.restoreBestWeights = restoreBestWeights
    }

    private var resolvedMonitor = ""
    private var maximize = false

    public func trainingWillBegin(model: Sequential, plan: TrainingPlan) {
        resolvedMonitor = plan.resolvedMonitor(monitor)
        switch mode {
        case .min: maximize = false
        case .max: maximize = true
        case .auto: maximize = resolvedMonitor.hasSuffix("accuracy") || resolvedMonitor.hasSuffix("auc")
        }
        bestValue = nil; bestEpoch = nil; stoppedEpoch = nil; restoredEpoch = nil; wait = 0; bestWeights = nil
    }

    public func epochDidEnd(_ logs: EpochLogs, model: Sequential) {
        guard let value = logs.values[resolvedMonitor], value.isFinite else { return }
        let improved: Bool
        if let best = bestValue {
            improved = maximize ? value > best + minDelta : value < best - minDelta
        } else {
            improved = true
        }
        if improved {
            bestValue = value
            bestEpoch = logs.epoch
            wait = 0
            if restoreBestWeights { bestWeights = model.weights }
        } else {
            wait += 1
            if wait >= patience {
                stoppedEpoch = logs.epoch
                model.stopTraining = true
            }
        }
    }

    public func trainingDidEnd(model: Sequential, history: History) {
        if restoreBestWeights, let best = bestWeights, (try? model.setWeights(best)) != nil {
            restoredEpoch = bestEpoch
        }
    }
}

extension EarlyStopping: ResumableCallback {
    public var stateKey: String { "early_stopping(\(monitor))" }

    private var settings: [String: String] {
        ["monitor": monitor, "patience": String(patience), "minDelta": String(minDelta.bitPattern, radix: 16),
         "mode": mode.rawValue, "restoreBestWeights": String(restoreBestWeights)]
    }

    /// The wait counter, the best value and epoch, the stopped epoch, and the best weights
    /// (tensors "best.<layer>.<parameter>").
    public func savedState(model: Sequential) -> CallbackState {
        var values = ["wait": Double(wait)]
        if let bestValue { values["bestValue"] = Double(bestValue) }
        if let bestEpoch { values["bestEpoch"] = Double(bestEpoch) }
        if let stoppedEpoch { values["stoppedEpoch"] = Double(stoppedEpoch) }
        var tensors: [String: Matrix] = [:]
        for (i, layer) in (bestWeights ?? []).enumerated() {
            for (j, parameter) in layer.enumerated() { tensors["best.\(i).\(j)"] = parameter }
        }
        return CallbackState(settings: settings, values: values, tensors: tensors)
    }

    public func restore(_ state: CallbackState, model: Sequential) throws {
        try state.requireSettings(settings, of: stateKey)
        func integer(_ key: String) -> Int? { state.values[key].flatMap { Int(exactly: $0) } }
        wait = integer("wait") ?? 0
        bestValue = state.values["bestValue"].map { Float($0) }
        bestEpoch = integer("bestEpoch")
        stoppedEpoch = integer("stoppedEpoch")
        bestWeights = nil
        if !state.tensors.isEmpty {
            var best: [[Matrix]] = []
            for (i, layer) in model.weights.enumerated() {
                best.append(try layer.indices.map { j in
                    guard let m = state.tensors["best.\(i).\(j)"], m.rows == layer[j].rows, m.columns == layer[j].columns else {
                        throw PerceptronError.incompatible("cannot resume \(stateKey): its best weights do not fit layer \(i) of the model")
                    }
                    return m
                })
            }
            guard best.map(\.count).reduce(0, +) == state.tensors.count else {
                throw PerceptronError.incompatible("cannot resume \(stateKey): its best weights hold more tensors than the model has parameters")
            }
            bestWeights = best
        }
    }
}
