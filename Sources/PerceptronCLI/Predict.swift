import ArgumentParser
import Foundation
import Perceptron
import PerceptronData

/// `perceptron predict MODEL --csv IN -o OUT`: one output row per input row.
///
/// Classification: a `prob_<class>` column per class, then `predicted` (the class name);
/// regression: `predicted`, in the target's units. The output file is written whole to a
/// temporary file and renamed into place, so an error leaves no partial file.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Predict the rows of a CSV file with a saved model.")

    @Argument(help: ArgumentHelp("A model saved by `perceptron train --output`.", valueName: "model"))
    var modelPath: String

    @Option(name: .long, help: ArgumentHelp("The rows to predict (the target column, if present, is ignored).", valueName: "file"))
    var csv: String

    @Flag(name: .long, help: "The CSV file has no header row (for a model trained with one: its columns are taken by position when the count matches).")
    var noHeader = false

    @OptionGroup var csvReading: CSVReadOptions

    @Option(name: .long, help: ArgumentHelp("A column to leave out, for a model trained without preprocessing.", valueName: "column"))
    var target: String?

    @Option(name: .long, help: ArgumentHelp("Input columns to copy to the output, before the predictions (names or 1-based positions, comma-separated). Default: none.",
                                            valueName: "col,…"))
    var keepColumns: String?

    @Option(name: [.short, .long], help: ArgumentHelp("Where to write the predictions (default: standard output).", valueName: "file"))
    var output: String?

    @Flag(name: .long, help: "Print one JSON object (a summary) to standard output; needs --output.")
    var json = false

    func validate() throws {
        if json && output == nil { throw ValidationError("--json needs --output FILE (the predictions go to the file).") }
    }

    func run() throws {
        try OutputCheck.check([("--output", output)])
        let saved = try SavedModel(path: modelPath)
        let table = try PredictionInput.read(csv, noHeader: noHeader, model: saved, reader: csvReading)
        let kept = try KeptColumns(keepColumns, table: table)
        let x = try saved.preprocessor?.transformFeatures(table) ?? saved.features(of: table, target: target).x
        let predictor = saved.predictor
        let outputs = try predictor.outputs(x)
        if let bad = outputs.firstNonFinite() {
            let line = bad.row < table.lineNumbers.count ? table.lineNumbers[bad.row] : bad.row + 1
            throw CLIError("\(modelPath): the model predicts \(TrainedModelCheck.describe(bad.value)) for \(csv) line \(line); no predictions were written")
        }
        var lines: [String] = []
        lines.reserveCapacity(x.rows + 1)
        var counts: [String: Int] = [:]
        switch saved.task {
        case .classification:
            let names = predictor.classNames
            let p = try predictor.probabilities(fromOutputs: outputs)
            let classes = predictor.classes(fromProbabilities: p)
            lines.append((kept.header + names.map { Self.field("prob_\($0)") } + ["predicted"]).joined(separator: ","))
            for i in 0..<x.rows {
                let probs = p.row(i)
                let name = classes[i] < names.count ? names[classes[i]] : String(classes[i])
                counts[name, default: 0] += 1
                lines.append((kept.fields(i) + probs.map { Self.number($0) as String } + [Self.field(name)]).joined(separator: ","))
            }
        case .regression:
            let values = saved.preprocessor?.inverseTransformTarget(outputs) ?? outputs
            lines.append((kept.header + ["predicted"]).joined(separator: ","))
            for i in 0..<values.rows { lines.append((kept.fields(i) + [Self.number(values[i, 0])]).joined(separator: ",")) }
        }
        let text = lines.joined(separator: "\n") + "\n"
        guard let path = output else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: path))
        } catch {
            throw CLIError("\(path): cannot write the predictions: \(error.localizedDescription)")
        }
        if json {
            var object: [String: Any] = ["command": "predict", "model": modelPath, "input": csv, "output": path,
                                         "rows": x.rows, "task": saved.task.rawValue]
            if saved.task == .classification { object["predicted_counts"] = counts; object["classes"] = saved.classNames }
            try JSONOutput.print(object)
        } else {
            printError("Wrote \(x.rows) predictions to \(path)")
        }
    }

    /// A float with enough digits to round-trip.
    static func number(_ value: Float) -> String { "\(value)" }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
