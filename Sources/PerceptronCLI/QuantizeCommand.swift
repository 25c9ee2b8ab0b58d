import ArgumentParser
import Foundation
import Perceptron
import PerceptronData

/// `perceptron quantize MODEL -o OUT [--calibrate CSV | --dataset NAME]`: post-training int8
/// quantization of every Dense layer (``Sequential/quantized(activations:)``), written
/// atomically as a model file that `predict`, `evaluate`, `summary` and `export` read.
struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Quantize a saved model's Dense layers to int8 (4× smaller, faster inference).",
        discussion: """
            Weights become int8 with one scale per output unit. Without --calibrate or --dataset, each \
            layer's inputs are quantized per batch at inference (dynamic); with them, once from the range \
            each layer's input takes on those rows (static: at most --calibration-rows rows, evenly spaced; \
            with --dataset naming the data the model was trained on, its training rows).
            """)

    @Argument(help: ArgumentHelp("A model saved by `perceptron train --output`.", valueName: "model"))
    var modelPath: String

    @Option(name: [.short, .long], help: ArgumentHelp("Where to write the quantized model file.", valueName: "file"))
    var output: String

    @Option(name: .long, help: ArgumentHelp("Calibration rows: a CSV file with the model's input columns.", valueName: "file"))
    var calibrate: String?

    @Option(name: .long, help: ArgumentHelp("Calibration rows: a bundled dataset, mnist or a generator.", valueName: "name"))
    var dataset: String?

    @Option(name: .long, help: ArgumentHelp("MNIST's folder (with --dataset mnist).", valueName: "dir"))
    var dataDir: String?

    @Option(name: .long, help: ArgumentHelp("The target column of --calibrate, for a model trained without preprocessing.", valueName: "column"))
    var target: String?

    @Flag(name: .long, help: "The --calibrate file has no header row.")
    var noHeader = false

    @OptionGroup var csvReading: CSVReadOptions

    @Option(name: .long, help: ArgumentHelp("The most calibration rows used (evenly spaced).", valueName: "n"))
    var calibrationRows = 2_000

    @Flag(name: .long, help: "Print one JSON object to standard output.")
    var json = false

    func validate() throws {
        if calibrate != nil && dataset != nil { throw ValidationError("Give either --calibrate or --dataset, not both.") }
        if calibrationRows < 1 { throw ValidationError("--calibration-rows must be at least 1, got \(calibrationRows).") }
    }

    func run() throws {
        try OutputCheck.check([("--output", output)])
        let saved = try SavedModel(path: modelPath)
        if saved.model.layers.contains(where: { $0 is QuantizedDense }) {
            throw CLIError("\(modelPath) is already quantized")
        }
        guard saved.model.layers.contains(where: { $0 is Dense }) else {
            throw CLIError("\(modelPath) has no Dense layer to quantize")
        }
        var activations = ActivationCalibration.dynamic
        var calibration = "dynamic (per batch)"
        if calibrate != nil || dataset != nil {
            var options = try ModelDataOptions.parse([])
            options.csv = calibrate
            options.dataset = dataset
            options.dataDir = dataDir
            options.target = target
            options.noHeader = noHeader
            options.csvReading = csvReading
            let rows = try ModelRows.load(saved, options, part: .training)
            let x = Self.evenlySpaced(rows.x, atMost: calibrationRows)
            activations = .calibrated(x)
            calibration = "static, calibrated on \(x.rows) rows of \(rows.description)"
        }
        let quantized = try saved.model.quantized(activations: activations)
        var training = saved.loaded.metadata.training
        training.info["quantization"] = "inputs \(calibration)"
        training.info["quantized_from"] = URL(fileURLWithPath: modelPath).lastPathComponent
        let url = URL(fileURLWithPath: output)
        try ModelFile.save(quantized, preprocessor: saved.preprocessor, training: training, to: url)
        let before = Self.fileSize(modelPath), after = Self.fileSize(output)
        let ratio = after > 0 ? Double(before) / Double(after) : 0
        if json {
            try JSONOutput.print(["command": "quantize", "model": modelPath, "output": output, "calibration": calibration,
                                  "bytes_before": before, "bytes_after": after, "size_ratio": ratio,
                                  "quantized_layers": quantized.layers.filter { $0 is QuantizedDense }.count])
        } else {
            printError("Wrote \(output): \(quantized.layers.filter { $0 is QuantizedDense }.count) Dense layers as int8, inputs "
                       + "\(calibration); \(before) → \(after) bytes (float/int8 size ratio \(String(format: "%.2f", ratio)))")
        }
    }

    /// At most `limit` rows of `x`, evenly spaced (all of them when there are fewer).
    static func evenlySpaced(_ x: Matrix, atMost limit: Int) -> Matrix {
        guard x.rows > limit else { return x }
        return x.gatherRows((0..<limit).map { $0 * x.rows / limit })
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
