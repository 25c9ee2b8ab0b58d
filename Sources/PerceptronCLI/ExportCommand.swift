import ArgumentParser
import Foundation
import Perceptron
import PerceptronONNX

extension ONNXExport.CategoricalEncoding: ExpressibleByArgument {}

/// `perceptron export MODEL --format onnx -o model.onnx`: the model, with its saved
/// preprocessing, as an ONNX graph (opset 17) that takes raw column values and gives
/// class probabilities (or the prediction in the target's units). See docs/onnx.md.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a saved model as ONNX (opset 17), for onnxruntime and other runtimes.",
        discussion: """
            Inputs: one per used table column ([N, 1]; numeric as float with NaN for missing, categorical \
            as text through ai.onnx.ml OneHotEncoder, or one-hot floats with --categorical one-hot-input); \
            a model trained without preprocessing takes `input` [N, features]. Outputs: `probabilities` \
            and `class_index` (class names in the metadata_props entry "class_names"), or `prediction`.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case onnx }

    @Argument(help: ArgumentHelp("A model saved by `perceptron train --output`.", valueName: "model"))
    var modelPath: String

    @Option(name: .long, help: "The format to write (onnx).")
    var format: Format = .onnx

    @Option(name: [.short, .long], help: ArgumentHelp("Where to write the model.", valueName: "file"))
    var output: String

    @Option(name: .long, help: "How categorical columns enter the graph: encoder (a string input, ai.onnx.ml OneHotEncoder) or one-hot-input (float one-hot built by the caller).")
    var categorical: ONNXExport.CategoricalEncoding = .encoder

    @Flag(name: .long, help: "Write the network alone: `input` (preprocessed features) to `output` (the last layer), no preprocessing and no probability head.")
    var networkOnly = false

    func run() throws {
        try OutputCheck.check([("--output", output)])
        let saved = try SavedModel(path: modelPath)
        let options = ONNXExport.Options(categoricalEncoding: categorical, networkOnly: networkOnly)
        try ONNXExport.write(saved.model, preprocessor: saved.preprocessor, task: saved.task, classNames: saved.classNames,
                             options: options, to: URL(fileURLWithPath: output))
        let int8 = saved.model.layers.contains { $0 is QuantizedDense }
        printError("Wrote \(output) (ONNX opset \(ONNXExport.opsetVersion), \(saved.model.layers.count) layers, "
                   + (int8 ? "int8 weights: MatMulInteger)" : "\(saved.model.parameterCount) parameters)"))
    }
}
