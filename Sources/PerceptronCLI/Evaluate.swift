import ArgumentParser
import Foundation
import Perceptron

/// `perceptron evaluate MODEL`: metrics, confusion matrix and classification report.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report a saved model's metrics on a CSV file or a dataset.",
        discussion: """
            With --dataset naming the data the model was trained on (the default when neither \
            --csv nor --dataset is given), the rows held out at training are used again.
            """)

    @Argument(help: ArgumentHelp("A model saved by `perceptron train --output`.", valueName: "model"))
    var modelPath: String

    @OptionGroup var data: ModelDataOptions

    @Flag(name: .long, help: "Print one JSON object to standard output.")
    var json = false

    func run() throws {
        let saved = try SavedModel(path: modelPath)
        let rows = try ModelRows.load(saved, data)
        let (x, y, description) = (rows.x, rows.y, rows.description)
        guard let y else {
            throw CLIError("\(description): no target column to evaluate against"
                + (saved.preprocessor.map { " (expected a column \"\($0.target?.column ?? "?")\")" } ?? " (name it with --target)"))
        }
        let report = try TestReport.evaluate(saved.model, x: x, y: y, task: saved.task, classNames: saved.classNames,
                                             preprocessor: saved.preprocessor)
        if json {
            var object: [String: Any] = ["command": "evaluate", "model": modelPath, "data": description,
                                         "task": saved.task.rawValue, "test": report.json, "test_samples": report.samples]
            if let confusion = report.confusion {
                object["confusion_matrix"] = confusion.counts
                object["classes"] = report.classNames
            }
            try JSONOutput.print(object)
        } else {
            print(report.text(title: "Evaluation of \(modelPath) on \(description)"))
        }
    }
}
