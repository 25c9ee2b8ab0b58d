import Foundation
import Perceptron
import PerceptronData

/// Everything `train` knows at its end, for the files it writes besides the model.
struct TrainedRun {
    var command: Train
    var source: DataSource
    var prepared: PreparedData
    var fold: Fold?
    var network: Network
    var epochs: Int
    var history: History
    var testReport: TestReport?
    var seconds: Double
}

extension ReportPage {
    /// The report of a run that just trained.
    static func training(_ run: TrainedRun) throws -> ReportPage {
        let start = ContinuousClock.now
        let prepared = run.prepared
        var predictions: Predictions? = nil
        if let test = prepared.test {
            predictions = try Predictions(model: run.network.model, x: test.x, y: test.y, task: prepared.task,
                                          classNames: prepared.classNames, preprocessor: prepared.preprocessor)
        }
        let predictSeconds = Train.seconds(since: start)
        var table: CSVTable? = nil
        if case let .table(all, _) = run.source.content { table = run.fold.map { all.selectingRows($0.train) } ?? all }
        let classification = prepared.task == .classification
        let trainLabels = classification ? prepared.train.y.elements.map { Int($0) } : nil
        let testLabels = classification ? prepared.test?.y.elements.map { Int($0) } : nil
        let validation = run.command.network.validationSplit
        var counts: [(String, String)] = [("rows", "\(run.source.rowCount + (run.source.officialTest?.count ?? 0))"),
                                          ("training rows", "\(prepared.train.x.rows)"
                                            + (validation > 0 ? " (the last \(Int(Double(prepared.train.x.rows) * validation)) of them for validation)" : "")),
                                          ("held-out rows", prepared.test.map { "\($0.x.rows)" } ?? "none"),
                                          ("features", "\(prepared.train.x.columns)"),
                                          ("task", prepared.task.rawValue)]
        if let table { counts.insert(("columns", "\(table.columnNames.count)"), at: 1) }
        let data = DataSummary(name: run.source.name, preprocessor: prepared.preprocessor, table: table,
                               featureNames: prepared.featureNames, counts: counts, classNames: prepared.classNames,
                               trainLabels: trainLabels, testLabels: testLabels)
        let model = run.network.model
        let hyperparameters = ReportSettings.hyperparameters(
            model, epochs: run.epochs, batchSize: run.command.network.batchSize,
            extra: [("test split", run.source.officialTest != nil ? "official test set" : "\(run.command.testSplit)"),
                    ("validation split", "\(validation)"),
                    ("early stopping patience", run.command.network.earlyStopping.map(String.init) ?? "off"),
                    ("stopped", Train.describe(run.history.stopReason))])
        let timings = [("training", ReportSettings.seconds(run.seconds)),
                       ("per epoch", ReportSettings.seconds(run.seconds / Double(max(run.history.epochs.count, 1)))),
                       ("predicting the held-out rows", ReportSettings.seconds(predictSeconds))]
        return ReportPage(
            title: "Perceptron: \(run.source.name)", subtitle: "Trained \(ReportSettings.now()); \(run.history.epochs.count) epochs.",
            model: model, history: run.history, predictions: predictions, testReport: run.testReport,
            evaluationDescription: run.source.officialTest != nil ? "\(run.source.name) (official test set)" : "Held-out rows of \(run.source.name)",
            boundaryPoints: classification ? (prepared.train.x, trainLabels ?? []) : nil,
            featureNames: prepared.featureNames, targetName: prepared.preprocessor?.target?.column, data: data,
            hyperparameters: hyperparameters, timings: timings,
            commands: [("The command that trained this model and wrote this report (same data, seed and settings give the same model)",
                        ReportSettings.commandLine)])
    }
}
