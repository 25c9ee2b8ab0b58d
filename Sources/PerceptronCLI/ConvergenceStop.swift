import Perceptron

/// Stops training once the training loss has stopped improving: scikit-learn's rule for
/// `MLPClassifier`/`MLPRegressor` with `tol = 1e-4`, `n_iter_no_change = 10`.
///
/// ```
/// after each epoch:  stale ← loss > best − tol ? stale + 1 : 0
///                    best  ← min(best, loss)
///                    stop when stale > patience
/// ```
/// Used by the command line when `--epochs` is not given (with at most 200 epochs).
final class ConvergenceStop: Callback {
    let tolerance: Float
    let patience: Int
    fileprivate(set) var best = Float.infinity
    fileprivate(set) var stale = 0
    /// The epoch (0-based) after which training was stopped, if it was.
    fileprivate(set) var stoppedEpoch: Int?

    init(tolerance: Float = 1e-4, patience: Int = 10) {
        self.tolerance = tolerance
        self.patience = patience
    }

    func trainingWillBegin(model: Sequential, plan: TrainingPlan) {
        best = .infinity; stale = 0; stoppedEpoch = nil
    }

    func epochDidEnd(_ logs: EpochLogs, model: Sequential) {
        guard let loss = logs.values["loss"], loss.isFinite else { return }
        stale = loss > best - tolerance ? stale + 1 : 0
        best = min(best, loss)
        if stale > patience {
            stoppedEpoch = logs.epoch
            model.stopTraining = true
        }
    }

    /// Why training stopped, in words, for the epoch it stopped after.
    var reason: String {
        "converged: the training loss improved by less than \(tolerance) for \(patience + 1) epochs in a row"
    }
}

/// A checkpoint keeps the rule's counter and best loss, so `train --resume` stops where the
/// uninterrupted run would.
extension ConvergenceStop: ResumableCallback {
    var stateKey: String { "convergence_stop(loss)" }

    private var settings: [String: String] {
        ["tolerance": String(tolerance.bitPattern, radix: 16), "patience": String(patience)]
    }

    func savedState(model: Sequential) -> CallbackState {
        var values = ["stale": Double(stale)]
        if best.isFinite { values["best"] = Double(best) }
        if let stoppedEpoch { values["stoppedEpoch"] = Double(stoppedEpoch) }
        return CallbackState(settings: settings, values: values)
    }

    func restore(_ state: CallbackState, model: Sequential) throws {
        try state.requireSettings(settings, of: stateKey)
        stale = state.values["stale"].flatMap { Int(exactly: $0) } ?? 0
        best = state.values["best"].map { Float($0) } ?? .infinity
        stoppedEpoch = state.values["stoppedEpoch"].flatMap { Int(exactly: $0) }
    }
}
