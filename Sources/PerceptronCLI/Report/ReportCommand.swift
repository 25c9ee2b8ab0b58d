import ArgumentParser
import Foundation
import Perceptron

/// `perceptron report MODEL -o report.html`: the HTML report of a saved model.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a saved model's self-contained HTML report (scores, figures, data, settings).",
        discussion: """
            With --dataset naming the data the model was trained on (the default), the scores and \
            figures are of the rows held out at training and the decision boundary shows the training \
            rows. --history-csv adds the training curves from `train --history-csv`.
            """)

    @Argument(help: ArgumentHelp("A model saved by `perceptron train --output`.", valueName: "model"))
    var modelPath: String

    @OptionGroup var data: ModelDataOptions

    @Option(name: .long, help: ArgumentHelp("The per-epoch history written by `train --history-csv`.", valueName: "file"))
    var historyCSV: String?

    @Option(name: [.short, .long], help: ArgumentHelp("The HTML file to write (- for standard output).", valueName: "file"))
    var output: String

    func run() throws {
        try OutputCheck.check([("--output", output)])
        let history = try historyCSV.map(HistoryCSV.read)
        let saved = try SavedModel(path: modelPath)
        let start = ContinuousClock.now
        let rows = try ModelRows.load(saved, data)
        let loadSeconds = Train.seconds(since: start)
        let task = saved.task, classNames = saved.classNames
        var predictions: Predictions? = nil
        var testReport: TestReport? = nil
        let evaluationStart = ContinuousClock.now
        if let y = rows.y {
            predictions = try Predictions(model: saved.model, x: rows.x, y: y, task: task, classNames: classNames,
                                          preprocessor: saved.preprocessor)
            testReport = try TestReport.evaluate(saved.model, x: rows.x, y: y, task: task, classNames: classNames,
                                                 preprocessor: saved.preprocessor)
        }
        let evaluationSeconds = Train.seconds(since: evaluationStart)
        var boundary: (Matrix, [Int])? = nil
        var trainLabels: [Int]? = nil
        if task == .classification {
            let training = try ModelRows.load(saved, data, part: .training)
            if let y = training.y {
                trainLabels = y.elements.map { Int($0) }
                boundary = (training.x, trainLabels!)
            }
        }
        let classification = task == .classification
        let counts: [(String, String)] = [("rows scored", "\(rows.x.rows) (\(rows.description))"),
                                          ("features", "\(saved.model.inputSize)"), ("task", task.rawValue)]
        var summary = DataSummary(name: saved.info["data"] ?? rows.description, preprocessor: saved.preprocessor, table: rows.table,
                                  featureNames: saved.preprocessor?.featureNames ?? [], counts: counts,
                                  classNames: classification ? classNames : [], trainLabels: trainLabels,
                                  testLabels: classification ? predictions?.labels : nil)
        summary.missingIn = "scored rows"
        let training = saved.loaded.metadata.training
        let hyperparameters = ReportSettings.hyperparameters(
            saved.model, epochs: training.epochs, batchSize: training.batchSize,
            extra: [("epochs completed", "\(training.completedEpochs)"), ("test split", saved.info["test_split"] ?? "unknown")])
        var commands = [("This report", ReportSettings.commandLine)]
        if let trained = saved.info["command"] {
            commands.insert(("The command that trained the model (saved in the model file)", trained), at: 0)
        }
        let page = ReportPage(
            title: "Perceptron: \(modelPath)", subtitle: "Report written \(ReportSettings.now()) from the saved model.",
            model: saved.model, history: history, predictions: predictions, testReport: testReport,
            evaluationDescription: rows.description, boundaryPoints: boundary,
            featureNames: saved.preprocessor?.featureNames ?? [], targetName: saved.preprocessor?.target?.column, data: summary,
            hyperparameters: hyperparameters,
            timings: [("loading the rows", ReportSettings.seconds(loadSeconds)), ("scoring them", ReportSettings.seconds(evaluationSeconds))],
            commands: commands)
        try FigureFile.write(page.html(), to: output)
    }
}
