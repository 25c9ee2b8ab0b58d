import ArgumentParser
import Foundation
import Perceptron
import PerceptronData

/// Which rows a saved model is run on, for `evaluate`, `report` and `plot`.
struct ModelDataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Rows to evaluate on, with the target column.", valueName: "file"))
    var csv: String?

    @Option(name: .long, help: ArgumentHelp("The target column of --csv, for a model trained without preprocessing (MNIST, generators).", valueName: "column"))
    var target: String?

    @Flag(name: .long, help: "The CSV file has no header row (for a model trained with one: its columns are taken by position when the count matches).")
    var noHeader = false

    @OptionGroup var csvReading: CSVReadOptions

    @Option(name: .long, help: ArgumentHelp("A bundled dataset, mnist or a generator.", valueName: "name"))
    var dataset: String?

    @Option(name: .long, help: ArgumentHelp("MNIST's folder.", valueName: "dir"))
    var dataDir: String?

    func validate() throws {
        if csv != nil && dataset != nil { throw ValidationError("Give either --dataset or --csv, not both.") }
    }
}

/// Features (and targets when known) of the rows a saved model is run on.
struct ModelRows {
    /// With --dataset naming the data the model was trained on: the rows held out at
    /// training (`.heldOut`, what `evaluate` reports) or the rows it was trained on (`.training`,
    /// what a decision boundary draws). A CSV file or other data: all its rows either way.
    enum Part { case heldOut, training }

    var x: Matrix
    var y: Matrix?
    var description: String
    /// The rows as read, when they come from a table.
    var table: CSVTable? = nil

    static func load(_ saved: SavedModel, _ options: ModelDataOptions, part: Part = .heldOut) throws -> ModelRows {
        let modelPath = saved.path
        if let csv = options.csv {
            let table = try PredictionInput.read(csv, noHeader: options.noHeader, model: saved, reader: options.csvReading)
            let (x, y) = try saved.features(of: table, target: options.target)
            return ModelRows(x: x, y: y, description: csv, table: table)
        }
        guard let name = (options.dataset ?? saved.info["data"])?.lowercased() else {
            throw CLIError("\(modelPath) does not say what it was trained on; give --csv FILE or --dataset NAME")
        }
        let trainedOn = saved.info["data"]?.lowercased() == name
        let seed = saved.info["split_seed"].flatMap { UInt64($0) } ?? saved.model.seed
        var data = try DataOptions.parse([])
        if name.hasSuffix(".csv") || FileManager.default.fileExists(atPath: name) {
            data.csv = name
            data.target = saved.preprocessor?.target?.column
            guard data.target != nil else { throw CLIError("\(modelPath) has no saved target column; give --csv and --target") }
        } else {
            data.dataset = name
        }
        data.dataDir = options.dataDir
        data.csvReading = options.csvReading
        data.task = saved.task
        if name == "mnist" && options.dataDir == nil {
            throw CLIError("--dataset mnist needs --data-dir DIR")
        }
        let source = try DataSource.load(data, seed: seed)
        var rows: [Int]? = nil
        var description = name
        if trainedOn, let fraction = saved.info["test_split"].flatMap(Double.init), fraction > 0,
           let fold = try source.split(testFraction: fraction, seed: seed) {
            switch part {
            case .heldOut:
                rows = fold.test
                description = "\(name) (the \(fold.test.count) rows held out at training)"
            case .training:
                rows = fold.train
                description = "\(name) (the \(fold.train.count) training rows)"
            }
        }
        switch source.content {
        case let .table(table, _):
            guard saved.preprocessor != nil else {
                throw CLIError("\(modelPath) was trained without table preprocessing; it cannot read \(name)")
            }
            let selected = rows.map { table.selectingRows($0) } ?? table
            let (x, y) = try saved.features(of: selected, target: nil)
            return ModelRows(x: x, y: y, description: description, table: selected)
        case let .matrices(data):
            if let official = source.officialTest {
                return part == .heldOut
                    ? ModelRows(x: official.features, y: official.targets, description: "\(name) (official test set)")
                    : ModelRows(x: data.features, y: data.targets, description: "\(name) (training set)")
            }
            let selected = rows.map { data.subset($0) } ?? data
            return ModelRows(x: selected.features, y: selected.targets, description: description)
        }
    }
}
