import Foundation
import Perceptron

/// The settings rows of a report, read from the model itself (so `train --report` and
/// `report MODEL` show the same) plus what only the run knows.
enum ReportSettings {
    static func hyperparameters(_ model: Sequential, epochs: Int?, batchSize: Int?, extra: [(String, String)]) -> [(String, String)] {
        let layers = model.layers.map { layer -> String in
            switch layer.configuration {
            case let dense as Dense.Configuration:
                return "Dense(\(dense.units), \(dense.activation.rawValue)\(dense.kernelRegularizer.map { ", \($0)" } ?? ""))"
            case let dropout as Dropout.Configuration: return "Dropout(\(dropout.rate))"
            default: return layer.typeName
            }
        }
        var rows: [(String, String)] = [
            ("inputs", "\(model.inputSize)"),
            ("layers", layers.joined(separator: " → ")),
            ("parameters", "\(model.parameterCount)" + (model.nonTrainableParameterCount > 0
                ? " trainable + \(model.nonTrainableParameterCount) non-trainable" : "")),
            ("loss", model.loss?.rawValue ?? "none"),
            ("optimizer", String(describing: AnyOptimizerConfiguration(model.optimizer.configuration))),
            ("learning rate", "\(model.baseLearningRate)"),
            ("learning rate schedule", String(describing: model.learningRateSchedule)),
        ]
        if let clipping = model.gradientClipping { rows.append(("gradient clipping", String(describing: clipping))) }
        if let epochs { rows.append(("epochs", "\(epochs)")) }
        if let batchSize { rows.append(("batch size", "\(batchSize)")) }
        rows.append(("seed", "\(model.seed)"))
        return rows + extra
    }

    static func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }

    /// "2026-12-02 04:31 UTC".
    static func now() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: Date())
    }

    /// This process's command line, as `perceptron …`.
    static var commandLine: String { HTML.shellCommand(["perceptron"] + CommandLine.arguments.dropFirst()) }
}
