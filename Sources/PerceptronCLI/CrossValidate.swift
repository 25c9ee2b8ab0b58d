import ArgumentParser
import Foundation
import Perceptron
import PerceptronData

/// `perceptron cross-validate`: k-fold (stratified for classification) scores, per fold and mean ± std.
struct CrossValidate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cross-validate",
        abstract: "Train and test on k folds; report each fold and the mean ± std.")

    @OptionGroup var data: DataOptions
    @OptionGroup var network: ModelOptions

    @Option(name: .long, help: "The number of folds.")
    var folds: Int = 5

    @OptionGroup var common: RunOptions

    func validate() throws {
        if folds < 2 { throw ValidationError("--folds must be at least 2, got \(folds).") }
    }

    /// The data and each fold's test report, in fold order.
    func scores() throws -> (source: DataSource, reports: [TestReport]) {
        let isTitanicDefault = data.csv == nil && (data.dataset ?? "titanic").lowercased() == "titanic"
        var source = try DataSource.load(data, seed: common.seed)
        if source.officialTest != nil, case .matrices(let train) = source.content {
            // MNIST: cross-validate over its training set only.
            source.officialTest = nil
            source.labels = train.classIndices
        }
        guard folds <= source.rowCount else {
            throw CLIError("\(source.name): \(source.rowCount) rows are too few for --folds \(folds) (each fold needs at least one row)")
        }
        let splits = source.task == .classification
            ? try Splits.stratifiedKFold(labels: source.labels ?? [], folds: folds, seed: common.seed)
            : try Splits.kFold(count: source.rowCount, folds: folds, seed: common.seed)
        var reports: [TestReport] = []
        for (i, fold) in splits.enumerated() {
            let prepared = try source.prepare(train: fold.train, test: fold.test)
            let plan = FitPlan(network, sourceName: source.name, trainingRows: prepared.train.x.rows,
                               seedNetwork: isTitanicDefault)
            let net = try Network.make(network, data: prepared, seed: common.seed &+ UInt64(i), plan: plan)
            try Fitting.run(net, data: prepared, options: network, plan: plan, reader: data.csvReading)
            let test = prepared.test!
            let report = try TestReport.evaluate(net.model, x: test.x, y: test.y, task: prepared.task,
                                                 classNames: prepared.classNames, preprocessor: prepared.preprocessor)
            reports.append(report)
            if !common.json {
                printError("fold \(i + 1)/\(folds): " + report.metrics.map { "\($0.name) \(String(format: "%.4f", $0.value))" }
                    .joined(separator: "  "))
            }
        }
        return (source, reports)
    }

    func run() throws {
        try common.applyThreads()
        let (source, reports) = try scores()
        let names = reports[0].metrics.map(\.name).filter { name in reports.allSatisfy { $0[name] != nil } }
        let stats = names.map { name in (name, Metrics.meanAndStd(reports.map { $0[name]! })) }
        if common.json {
            try JSONOutput.print([
                "command": "cross-validate", "data": source.name, "task": source.task.rawValue, "folds": folds,
                "per_fold": reports.map { $0.json },
                "mean": Dictionary(uniqueKeysWithValues: stats.map { ($0.0, JSONOutput.number($0.1.mean)) }),
                "std": Dictionary(uniqueKeysWithValues: stats.map { ($0.0, JSONOutput.number($0.1.std)) }),
            ])
            return
        }
        print("\(folds)-fold cross-validation on \(source.name) (\(source.rowCount) rows"
            + (source.task == .classification ? ", stratified)" : ")"))
        let width = max(names.map(\.count).max() ?? 0, 6)
        var header = "fold".padding(toLength: 6, withPad: " ", startingAt: 0)
        for name in names { header += "  " + String(repeating: " ", count: max(0, width - name.count)) + name }
        print(header)
        func row(_ label: String, _ values: [String]) -> String {
            label.padding(toLength: 6, withPad: " ", startingAt: 0)
                + values.map { "  " + String(repeating: " ", count: max(0, width - $0.count)) + $0 }.joined()
        }
        for (i, report) in reports.enumerated() {
            print(row(String(i + 1), names.map { String(format: "%.4f", report[$0]!) }))
        }
        print(row("mean", stats.map { String(format: "%.4f", $0.1.mean) }))
        print(row("± std", stats.map { String(format: "%.4f", $0.1.std) }))
    }
}
