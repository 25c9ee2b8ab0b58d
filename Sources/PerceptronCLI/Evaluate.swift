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

    @Option(name: .long, help: ArgumentHelp("Rows to evaluate on, with the target column.", valueName: "file"))
    var csv: String?

    @Option(name: .long, help: ArgumentHelp("The target column of --csv, for a model trained without preprocessing (MNIST, generators).", valueName: "column"))
    var target: String?

    @Flag(name: .long, help: "The CSV file has no header row.")
    var noHeader = false

    @OptionGroup var csvReading: CSVReadOptions

    @Option(name: .long, help: ArgumentHelp("A bundled dataset, mnist or a generator.", valueName: "name"))
    var dataset: String?

    @Option(name: .long, help: ArgumentHelp("MNIST's folder.", valueName: "dir"))
    var dataDir: String?

    @Flag(name: .long, help: "Print one JSON object to standard output.")
    var json = false

    func validate() throws {
        if csv != nil && dataset != nil { throw ValidationError("Give either --dataset or --csv, not both.") }
    }

    func run() throws {
        let saved = try SavedModel(path: modelPath)
        let (x, y, description) = try rows(saved)
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

    /// The rows to evaluate on and a description of them.
    func rows(_ saved: SavedModel) throws -> (Matrix, Matrix?, String) {
        if let csv {
            let table = try csvReading.read(csv, hasHeader: !noHeader)
            let (x, y) = try saved.features(of: table, target: target)
            return (x, y, csv)
        }
        guard let name = (dataset ?? saved.info["data"])?.lowercased() else {
            throw CLIError("\(modelPath) does not say what it was trained on; give --csv FILE or --dataset NAME")
        }
        let trainedOn = saved.info["data"]?.lowercased() == name
        let seed = saved.info["split_seed"].flatMap { UInt64($0) } ?? saved.model.seed
        var options = try DataOptions.parse([])
        if name.hasSuffix(".csv") || FileManager.default.fileExists(atPath: name) {
            options.csv = name
            options.target = saved.preprocessor?.target?.column
            guard options.target != nil else { throw CLIError("\(modelPath) has no saved target column; give --csv and --target") }
        } else {
            options.dataset = name
        }
        options.dataDir = dataDir
        options.csvReading = csvReading
        options.task = saved.task
        if name == "mnist" && dataDir == nil {
            throw CLIError("--dataset mnist needs --data-dir DIR")
        }
        let source = try DataSource.load(options, seed: seed)
        var rows: [Int]? = nil
        var description = name
        if trainedOn, let fraction = saved.info["test_split"].flatMap(Double.init), fraction > 0,
           let fold = try source.split(testFraction: fraction, seed: seed) {
            rows = fold.test
            description = "\(name) (the \(fold.test.count) rows held out at training)"
        }
        switch source.content {
        case let .table(table, _):
            guard saved.preprocessor != nil else {
                throw CLIError("\(modelPath) was trained without table preprocessing; it cannot read \(name)")
            }
            let part = rows.map { table.selectingRows($0) } ?? table
            let (x, y) = try saved.features(of: part, target: nil)
            return (x, y, description)
        case let .matrices(data):
            if let official = source.officialTest {
                return (official.features, official.targets, "\(name) (official test set)")
            }
            let part = rows.map { data.subset($0) } ?? data
            return (part.features, part.targets, description)
        }
    }
}
