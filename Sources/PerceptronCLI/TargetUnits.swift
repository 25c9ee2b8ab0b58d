import Perceptron

/// Puts a regression's logged values back in the target's units.
///
/// The command line trains on the standardized target t' = (t − μ) / σ, so `fit` logs
/// errors in units of σ. Since t̂ − t = σ·(t̂' − t'), the squared errors scale by σ² and the
/// absolute errors by σ:
/// ```
/// mse = σ²·mse'     mae = σ·mae'     loss = σ²·loss' (MSE loss), σ·loss' (MAE loss)
/// ```
/// (the same for `val_` values). A Huber loss is not a multiple of its standardized value,
/// so it is left as trained; so is an L1/L2 penalty's share of the loss, which scales along.
struct TargetUnits {
    /// σ, the target's scale (1: nothing to do).
    var scale: Double
    var loss: Loss

    /// The units of `data`'s target: σ from its preprocessing, 1 for classification or
    /// unscaled targets.
    init(data: PreparedData, loss: Loss) {
        self.loss = loss
        guard data.task == .regression, let preprocessor = data.preprocessor else { scale = 1; return }
        let ends = preprocessor.inverseTransformTarget(Matrix(rows: 2, columns: 1, elements: [0, 1]))
        let sigma = Double(ends[1, 0] - ends[0, 0])
        scale = sigma.isFinite && sigma > 0 ? sigma : 1
    }

    /// `values` with the errors in the target's units.
    func rescale(_ values: [String: Float]) -> [String: Float] {
        guard scale != 1 else { return values }
        var out = values
        for (key, value) in values {
            let name = key.hasPrefix("val_") ? String(key.dropFirst(4)) : key
            switch name {
            case "mse": out[key] = Float(Double(value) * scale * scale)
            case "mae": out[key] = Float(Double(value) * scale)
            case "loss" where loss == .meanSquaredError: out[key] = Float(Double(value) * scale * scale)
            case "loss" where loss == .meanAbsoluteError: out[key] = Float(Double(value) * scale)
            default: break
            }
        }
        return out
    }

    /// `callback` seeing the logs in the target's units.
    func wrap(_ callback: any Callback) -> any Callback {
        scale == 1 ? callback : RescaledLogs(inner: callback, units: self)
    }
}

/// Forwards every event to `inner`, with the batch and epoch values in the target's units.
final class RescaledLogs: Callback {
    let inner: any Callback
    let units: TargetUnits

    init(inner: any Callback, units: TargetUnits) {
        self.inner = inner
        self.units = units
    }

    func trainingWillBegin(model: Sequential, plan: TrainingPlan) { inner.trainingWillBegin(model: model, plan: plan) }
    func epochWillBegin(_ epoch: Int, model: Sequential) { inner.epochWillBegin(epoch, model: model) }
    func batchDidEnd(_ logs: BatchLogs, model: Sequential) {
        inner.batchDidEnd(BatchLogs(epoch: logs.epoch, batch: logs.batch, batchCount: logs.batchCount,
                                    values: units.rescale(logs.values), elapsed: logs.elapsed), model: model)
    }
    func epochDidEnd(_ logs: EpochLogs, model: Sequential) {
        inner.epochDidEnd(EpochLogs(epoch: logs.epoch, values: units.rescale(logs.values), elapsed: logs.elapsed), model: model)
    }
    func trainingDidEnd(model: Sequential, history: History) { inner.trainingDidEnd(model: model, history: history) }
}
