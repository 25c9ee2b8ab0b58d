import ArgumentParser
import Foundation
import Perceptron

/// `perceptron summary MODEL`: the layers, parameters, preprocessing and training settings.
struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe a saved model.")

    @Argument(help: ArgumentHelp("A model saved by `perceptron train --output`.", valueName: "model"))
    var modelPath: String

    @Flag(name: .long, help: "Print one JSON object to standard output.")
    var json = false

    @Flag(name: .long, help: "Print each weight tensor's name, shape and bit patterns (hex), to compare models bit for bit.")
    var weightBits = false

    func run() throws {
        let saved = try SavedModel(path: modelPath)
        if weightBits { return print(Self.weightBits(saved.model)) }
        let model = saved.model
        let meta = saved.loaded.metadata
        let features = saved.preprocessor?.featureNames
        if json {
            var object: [String: Any] = [
                "command": "summary", "model": modelPath, "format_version": meta.formatVersion,
                "input_size": model.inputSize, "output_size": model.outputSize, "parameters": model.parameterCount,
                "layers": zip(model.layerNames, model.layers).map { name, layer -> [String: Any] in
                    ["name": name, "type": layer.typeName, "units": layer.outputSize,
                     "activation": (layer as? any ActivatedLayer)?.activation.rawValue ?? NSNull(),
                     "parameters": layer.parameterCount, "non_trainable_parameters": layer.nonTrainableParameterCount]
                },
                "task": saved.task.rawValue, "loss": model.loss?.rawValue ?? NSNull(),
                "epochs_trained": meta.training.completedEpochs, "seed": meta.training.seed,
                "optimizer_state": meta.optimizerState != nil,
                "weight_dtype": Self.weightDType(model), "file_bytes": QuantizeCommand.fileSize(modelPath),
            ]
            if saved.task == .classification { object["classes"] = saved.classNames }
            if let features { object["features"] = features }
            if let used = saved.preprocessor?.usedColumns { object["columns"] = used }
            if let preprocessor = saved.preprocessor { object["column_roles"] = JSONOutput.roleRows(preprocessor) }
            if let batch = meta.training.batchSize { object["batch_size"] = batch }
            object["info"] = meta.training.info
            try JSONOutput.print(object)
            return
        }
        print(model.summary())
        print("")
        var rows: [(String, String)] = [("file", modelPath), ("format version", String(meta.formatVersion)),
                                        ("task", saved.task.rawValue)]
        if let loss = model.loss { rows.append(("loss", loss.rawValue)) }
        if model.loss != nil { rows.append(("optimizer", Self.describe(model.optimizer.configuration))) }
        rows.append(("weights", Self.weightDType(model) + (meta.training.info["quantization"].map { " (\($0))" } ?? "")))
        rows.append(("file size", Self.byteCount(QuantizeCommand.fileSize(modelPath))))
        rows.append(("epochs trained", String(meta.training.completedEpochs)))
        if let batch = meta.training.batchSize { rows.append(("batch size", String(batch))) }
        rows.append(("seed", meta.training.seed))
        if let data = meta.training.info["data"] { rows.append(("trained on", data)) }
        if saved.task == .classification { rows.append(("classes", saved.classNames.joined(separator: ", "))) }
        if let used = saved.preprocessor?.usedColumns { rows.append(("input columns", used.joined(separator: ", "))) }
        if let features { rows.append(("features", features.joined(separator: ", "))) }
        rows.append(("optimizer state", meta.optimizerState.map { "saved (step \($0.step))" } ?? "not saved"))
        let width = rows.map(\.0.count).max() ?? 0
        for (key, value) in rows { print(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value) }
        if let preprocessor = saved.preprocessor { print(""); print(preprocessor.rolesTable()) }
    }

    /// "float32", "int8" (every Dense layer quantized) or "int8 and float32".
    static func weightDType(_ model: Sequential) -> String {
        let quantized = model.layers.contains { $0 is QuantizedDense }
        let float = model.layers.contains { $0.parameterCount > 0 }
        return quantized ? (float ? "int8 and float32" : "int8") : "float32"
    }

    static func byteCount(_ bytes: Int) -> String {
        bytes < 10_000 ? "\(bytes) bytes" : bytes < 10_000_000 ? String(format: "%.1f kB", Double(bytes) / 1e3)
            : String(format: "%.1f MB", Double(bytes) / 1e6)
    }

    static func describe(_ configuration: any OptimizerConfiguration) -> String {
        switch configuration {
        case let c as SGD.Configuration: return "SGD (lr \(c.learningRate), momentum \(c.momentum)\(c.nesterov ? ", Nesterov" : ""))"
        case let c as AdaGrad.Configuration: return "AdaGrad (lr \(c.learningRate))"
        case let c as RMSProp.Configuration: return "RMSProp (lr \(c.learningRate), rho \(c.rho))"
        case let c as Adam.Configuration: return "\(c.amsgrad ? "AMSGrad" : "Adam") (lr \(c.learningRate), beta1 \(c.beta1), beta2 \(c.beta2))"
        case let c as AdamW.Configuration: return "AdamW (lr \(c.learningRate), weight decay \(c.weightDecay))"
        default: return AnyOptimizerConfiguration(configuration).description
        }
    }
}
