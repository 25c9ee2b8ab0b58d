import ArgumentParser
import Foundation
import Perceptron
import PerceptronONNX

/// `perceptron import model.onnx -o model.safetensors`: an MLP exported to ONNX by
/// PyTorch or Keras (Gemm, MatMul, Add and activations) as a Perceptron model file that
/// `predict`, `evaluate`, `summary` and further training read. See docs/onnx.md.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert an ONNX multilayer perceptron (from PyTorch, Keras, …) to a Perceptron model file.",
        discussion: """
            The graph must be one chain of Gemm (or MatMul + Add) layers and the activations Perceptron \
            has (Relu, Sigmoid, Tanh, Softmax, LeakyRelu 0.01, Elu 1, Softplus, Gelu); any other operator is \
            refused by name. The model takes the same inputs as the ONNX graph (no preprocessing).
            """)

    @Argument(help: ArgumentHelp("The ONNX model file.", valueName: "model.onnx"))
    var onnxPath: String

    @Option(name: [.short, .long], help: ArgumentHelp("Where to write the Perceptron model file.", valueName: "file"))
    var output: String

    func run() throws {
        try OutputCheck.check([("--output", output)])
        let imported = try ONNXImport.read(from: URL(fileURLWithPath: onnxPath))
        var info = ["source": "onnx", "onnx_file": URL(fileURLWithPath: onnxPath).lastPathComponent,
                    "onnx_producer": imported.producer, "task": imported.task.rawValue]
        if imported.task == .classification { info["class_names"] = SavedModel.encodeClassNames(imported.classNames) }
        try ModelFile.save(imported.model, training: .init(seed: imported.model.seed, info: info),
                           to: URL(fileURLWithPath: output))
        printError("Wrote \(output) from \(onnxPath) (\(imported.producer); \(Self.layerSummary(imported.model)), "
                   + "\(imported.model.inputSize) inputs, \(imported.model.parameterCount) parameters, \(imported.task.rawValue))")
    }

    /// The layers by type, in order of first appearance: "3 layers: 2 Dense, 1 BatchNormalization"
    /// (an activation is part of its Dense layer, so every layer is counted once).
    static func layerSummary(_ model: Sequential) -> String {
        var counts: [(name: String, count: Int)] = []
        for layer in model.layers {
            if let i = counts.firstIndex(where: { $0.name == layer.typeName }) { counts[i].count += 1 } else { counts.append((layer.typeName, 1)) }
        }
        let total = model.layers.count
        return "\(total) layer\(total == 1 ? "" : "s"): " + counts.map { "\($0.count) \($0.name)" }.joined(separator: ", ")
    }
}
