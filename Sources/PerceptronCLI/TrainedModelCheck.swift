import Foundation
import Perceptron

/// What `train` checks between fitting and saving: a run that diverged, weights that are
/// not finite, or a model that predicts NaN or ±Inf ends the command with an error (exit 1)
/// before anything is written, so a diverged run never replaces a good model file.
/// (`--lr 1e30` used to stop with a NaN loss after 0 epochs, save finite weights near 1e30
/// that predict NaN for every row, and exit 0.)
enum TrainedModelCheck {
    /// At most this many training rows, evenly spaced, are predicted to check the outputs.
    static let sampleRows = 1_000

    /// Throws a ``CLIError`` naming the problem and, when given, the output not written.
    static func check(_ history: History, model: Sequential, trainingRows x: Matrix, output: String?) throws {
        let notSaved = output.map { "; \($0) was not written" } ?? ""
        if case let .nonFiniteLoss(epoch, batch, loss) = history.stopReason {
            throw CLIError("training diverged: the loss was \(describe(loss)) at epoch \(epoch + 1), batch \(batch + 1)\(notSaved) "
                + "(lower --lr, it was \(model.baseLearningRate))")
        }
        for (i, (name, layer)) in zip(model.layerNames, model.layers).enumerated() {
            for (parameter, values) in zip(layer.parameterNames, layer.parameters) where !values.isFinite {
                throw CLIError("training produced a non-finite \(parameter) in layer \(i) (\(name))\(notSaved)")
            }
        }
        guard x.rows > 0 else { return }
        let step = max(1, x.rows / sampleRows)
        let rows = Array(stride(from: 0, to: x.rows, by: step).prefix(sampleRows))
        let outputs = try model.predict(x.gatherRows(rows))
        if let bad = outputs.firstNonFinite() {
            throw CLIError("the trained model predicts \(describe(bad.value)) for training row \(rows[bad.row] + 1)\(notSaved) "
                + "(lower --lr, it was \(model.baseLearningRate))")
        }
    }

    /// "NaN", "inf", "-inf" or the number (Swift prints a NaN with its sign bit as "-nan").
    static func describe(_ value: Float) -> String { value.isNaN ? "NaN" : "\(value)" }
}
