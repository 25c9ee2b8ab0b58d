import ArgumentParser
import Foundation
import Perceptron

/// `perceptron plot`: one figure as a standalone SVG file.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw one figure as an SVG file (for a paper or a slide).",
        subcommands: [PlotLoss.self, PlotConfusion.self, PlotROC.self, PlotBoundary.self])
}

/// Where a figure goes.
struct FigureOutput: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("The SVG file to write (- for standard output).", valueName: "file"))
    var output: String = "-"

    @Option(name: .long, help: ArgumentHelp("The figure's title (default: one that says what it shows).", valueName: "text"))
    var title: String?

    func write(_ figure: some Figure) throws {
        var figure = figure
        if let title { figure.title = title }
        try FigureFile.write(figure.svg(), to: output)
    }
}

struct PlotLoss: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loss", abstract: "A value per epoch (training and validation) from `train --history-csv`.")

    @Argument(help: ArgumentHelp("A history CSV file written by `perceptron train --history-csv`.", valueName: "history.csv"))
    var history: String

    @Option(name: .long, help: "The column to draw: loss, accuracy, lr, … (its val_ column is drawn too).")
    var metric: String = "loss"

    @OptionGroup var figure: FigureOutput

    func run() throws {
        let history = try HistoryCSV.read(history)
        guard history.epochs.contains(where: { $0.values[metric] != nil || $0.values["val_" + metric] != nil }) else {
            let keys = Set(history.epochs.flatMap { $0.values.keys }).sorted()
            throw CLIError("\(self.history): no column \"\(metric)\" (it has \(keys.joined(separator: ", ")))")
        }
        try figure.write(HistoryFigure(history: history, metric: metric))
    }
}

/// A saved model's predictions on labelled rows, for the classifier figures.
struct ModelFigureInput: ParsableArguments {
    @Argument(help: ArgumentHelp("A model saved by `perceptron train --output`.", valueName: "model"))
    var modelPath: String

    @OptionGroup var data: ModelDataOptions

    func predictions(classificationOnly figure: String) throws -> (SavedModel, Predictions, String) {
        let saved = try SavedModel(path: modelPath)
        guard saved.task == .classification else {
            throw CLIError("\(modelPath) is a regression model; a \(figure) needs a classifier")
        }
        let rows = try ModelRows.load(saved, data)
        guard let y = rows.y else {
            throw CLIError("\(rows.description): no target column (name it with --target)")
        }
        let predictions = try Predictions(model: saved.model, x: rows.x, y: y, task: saved.task, classNames: saved.classNames,
                                          preprocessor: saved.preprocessor)
        return (saved, predictions, rows.description)
    }
}

struct PlotConfusion: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confusion", abstract: "A classifier's confusion matrix as a heatmap (held-out rows by default).")

    @OptionGroup var input: ModelFigureInput

    @Flag(name: .long, help: "Colour and label each cell by its share of the actual class (rows sum to 1).")
    var normalize = false

    @OptionGroup var figure: FigureOutput

    func run() throws {
        let (_, predictions, _) = try input.predictions(classificationOnly: "confusion matrix")
        try figure.write(ConfusionMatrixFigure(try predictions.confusion(), classNames: predictions.classNames,
                                               normalization: normalize ? .rows : .counts))
    }
}

struct PlotROC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roc", abstract: "A classifier's ROC curve with its AUC (one-vs-rest for more than 2 classes).")

    @OptionGroup var input: ModelFigureInput
    @OptionGroup var figure: FigureOutput

    func run() throws {
        let (_, predictions, description) = try input.predictions(classificationOnly: "ROC curve")
        do {
            try figure.write(ROCFigure(actual: predictions.labels, probabilities: predictions.probabilities,
                                       classNames: predictions.classNames))
        } catch let error as PerceptronError {
            throw CLIError("\(description): no ROC curve: \(error)")
        }
    }
}

struct PlotBoundary: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boundary",
        abstract: "A classifier's decision regions with the training points (over 2 principal components for wider inputs).")

    @OptionGroup var input: ModelFigureInput
    @OptionGroup var figure: FigureOutput

    func run() throws {
        let saved = try SavedModel(path: input.modelPath)
        guard saved.task == .classification else {
            throw CLIError("\(input.modelPath) is a regression model; a decision boundary needs a classifier")
        }
        guard saved.model.inputSize >= 2 else {
            throw CLIError("\(input.modelPath) takes 1 input; a decision boundary needs 2 or more")
        }
        let rows = try ModelRows.load(saved, input.data, part: .training)
        let labels = try rows.y.map { y in y.elements.map { Int($0) } }
            ?? Metrics.classIndices(from: TestReport.probabilities(saved.model.predict(rows.x), loss: saved.model.loss ?? .binaryCrossEntropy))
        let features = saved.preprocessor?.featureNames
        try figure.write(DecisionBoundaryFigure(model: saved.model, points: rows.x, labels: labels, classNames: saved.classNames,
                                                featureNames: features))
    }
}
