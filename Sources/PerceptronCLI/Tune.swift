import ArgumentParser
import Dispatch
import Foundation
import Perceptron
import PerceptronData

/// `perceptron tune`: grid or random search with k-fold cross-validation on the training
/// rows, a ranked table of mean ± std, and the best candidate refitted on all training rows.
///
/// Every candidate is scored on the same folds with the same initial-weight seeds
/// (fold i: seed + i, as `cross-validate`), so candidates differ only by their settings,
/// and the whole search is reproducible for a seed whatever the number of jobs.
struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search training settings by k-fold cross-validation; refit and save the best.",
        discussion: """
            --grid "layers=16|32,16;lr=0.01|0.001;l2=0|1e-4" tries every combination (or \
            --random N of them); parameters are the training options of `perceptron train` \
            without their dashes. The other training options set what the grid does not vary. \
            The candidates × folds run in parallel over --jobs threads, each with one GEMM \
            thread; the best is then refitted on all training rows with --threads.
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var network: ModelOptions

    @Option(name: .long, help: ArgumentHelp("The settings to try: NAME=V1|V2;NAME=… (e.g. \"layers=16|32,16;lr=0.01|0.001\").",
                                            valueName: "grid"))
    var grid: String

    @Option(name: .long, help: ArgumentHelp("Try N combinations drawn at random (seeded) instead of all. Default: all.", valueName: "n"))
    var random: Int?

    @Option(name: .long, help: "The number of cross-validation folds (stratified for classification).")
    var folds: Int = 5

    @Option(name: .long, help: ArgumentHelp("The metric to rank by (default: accuracy for classification, r2 for regression; log_loss, loss, mse, mae and rmse rank lowest first).",
                                            valueName: "metric"))
    var scoring: String?

    @Option(name: .long, help: "Share of the rows held out from the search for the best model's test report (stratified, seeded; 0 for none).")
    var testSplit: Double = 0.2

    @Option(name: .long, help: ArgumentHelp("Candidate × fold runs at once (default: the CPUs the process may use).", valueName: "n"))
    var jobs: Int?

    @OptionGroup var common: RunOptions

    @Option(name: [.short, .long], help: ArgumentHelp("Save the best model, refitted on all training rows, to this file.", valueName: "file"))
    var output: String?

    func validate() throws {
        _ = try SearchSpace(grid)
        if folds < 2 { throw ValidationError("--folds must be at least 2, got \(folds).") }
        if let random, random < 1 { throw ValidationError("--random must be at least 1, got \(random).") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs).") }
        if !(testSplit >= 0 && testSplit < 1) { throw ValidationError("--test-split must be in [0, 1), got \(testSplit).") }
    }

    /// One candidate's settings and cross-validated scores.
    struct Candidate {
        var settings: [(name: String, value: String)]
        var options: ModelOptions
        var reports: [TestReport?]
        var mean = Double.nan
        var std = Double.nan
    }

    /// The search's outcome: candidates ranked best first, and the metric.
    struct Outcome {
        var candidates: [Candidate]
        var metric: String
        var lowerIsBetter: Bool
        var source: DataSource
        var trainRows: [Int]?
        var testRows: [Int]?
    }

    /// Runs the search (no printing but the per-candidate lines on standard error).
    func search() throws -> Outcome {
        let space = try SearchSpace(grid)
        let chosen = random.map { space.random($0, seed: common.seed) } ?? space.grid
        var candidates = try chosen.map { settings in
            Candidate(settings: settings, options: try settings.reduce(network) { try $0.setting($1.name, to: $1.value) },
                      reports: [])
        }
        var source = try DataSource.load(data, seed: common.seed)
        source.officialTest = nil  // MNIST: search on its training set
        let outer = try source.split(testFraction: testSplit, seed: common.seed)
        let trainRows = outer?.train ?? Array(0..<source.rowCount)
        guard folds <= trainRows.count else {
            throw CLIError("\(source.name): \(trainRows.count) training rows are too few for --folds \(folds) (each fold needs at least one row)")
        }
        let labels = source.labels.map { all in trainRows.map { all[$0] } }
        let splits = source.task == .classification
            ? try Splits.stratifiedKFold(labels: labels ?? [], folds: folds, seed: common.seed)
            : try Splits.kFold(count: trainRows.count, folds: folds, seed: common.seed)
        let prepared = try splits.map { fold in
            try source.prepare(train: fold.train.map { trainRows[$0] }, test: fold.test.map { trainRows[$0] })
        }
        let metric = scoring ?? (source.task == .classification ? "accuracy" : "r2")
        let lowerIsBetter = ["log_loss", "loss", "mse", "mae", "rmse"].contains(metric)
        let seedNetwork = data.csv == nil && (data.dataset ?? "titanic").lowercased() == "titanic"

        // Candidate × fold runs, each single-threaded inside, spread over the cores.
        let runs = candidates.indices.flatMap { c in prepared.indices.map { (c, $0) } }
        let results = ResultSlots(count: runs.count)
        let jobCount = min(jobs ?? AvailableCPUs.count, runs.count)
        let threadsBefore = ComputeSettings.threadCount
        if jobCount > 1 { try ComputeSettings.setThreadCount(1) }
        defer { try? ComputeSettings.setThreadCount(threadsBefore) }
        let work = UncheckedBox((candidates: candidates, prepared: prepared, runs: runs, source: source))
        let seed = common.seed
        let reader = data.csvReading
        let next = ResultSlots.Counter()
        DispatchQueue.concurrentPerform(iterations: jobCount) { _ in
            while let index = next.take(below: runs.count) {
                let (c, f) = work.value.runs[index]
                results.set(index, Result {
                    let fold = work.value.prepared[f]
                    let options = work.value.candidates[c].options
                    let plan = FitPlan(options, sourceName: work.value.source.name, trainingRows: fold.train.x.rows,
                                       seedNetwork: seedNetwork)
                    let net = try Network.make(options, data: fold, seed: seed &+ UInt64(f), plan: plan)
                    try Fitting.run(net, data: fold, options: options, plan: plan, reader: reader)
                    let test = fold.test!
                    return try TestReport.evaluate(net.model, x: test.x, y: test.y, task: fold.task,
                                                   classNames: fold.classNames, preprocessor: fold.preprocessor)
                })
            }
        }
        for (index, (c, _)) in runs.enumerated() {
            switch results.get(index) {
            case .success(let report)?:
                candidates[c].reports.append(report)
            case .failure(let error)?:
                throw CLIError("candidate \(Self.describe(candidates[c].settings)): \(PerceptronCommand.oneLine(error))")
            case nil:
                candidates[c].reports.append(nil)
            }
        }
        for c in candidates.indices {
            let values = candidates[c].reports.compactMap { $0?[metric] }
            guard values.count == prepared.count else {
                throw CLIError("--scoring \(metric): not a metric of this task (one of "
                    + (candidates[c].reports.first??.metrics.map(\.name).joined(separator: ", ") ?? "?") + ")")
            }
            (candidates[c].mean, candidates[c].std) = Metrics.meanAndStd(values)
        }
        // Best first; ties keep the grid order (stable sort), so the ranking is reproducible.
        let ranked = candidates.enumerated().sorted { a, b in
            let (x, y) = (a.element.mean, b.element.mean)
            if x != y { return lowerIsBetter ? x < y : x > y }
            return a.offset < b.offset
        }.map(\.element)
        return Outcome(candidates: ranked, metric: metric, lowerIsBetter: lowerIsBetter, source: source,
                       trainRows: outer?.train, testRows: outer?.test)
    }

    func run() throws {
        try OutputCheck.check([("--output", output)])
        let outcome = try search()
        try common.applyThreads()
        let best = outcome.candidates[0]
        let source = outcome.source
        let prepared = try source.prepare(train: outcome.trainRows, test: outcome.testRows)
        let seedNetwork = data.csv == nil && (data.dataset ?? "titanic").lowercased() == "titanic"
        let plan = FitPlan(best.options, sourceName: source.name, trainingRows: prepared.train.x.rows, seedNetwork: seedNetwork)
        let net = try Network.make(best.options, data: prepared, seed: common.seed, plan: plan)
        let fitted = try Fitting.run(net, data: prepared, options: best.options, plan: plan, reader: data.csvReading)
        var report: TestReport? = nil
        if let test = prepared.test {
            report = try TestReport.evaluate(net.model, x: test.x, y: test.y, task: prepared.task,
                                             classNames: prepared.classNames, preprocessor: prepared.preprocessor)
        }
        if let output {
            var info = ["data": source.name, "task": prepared.task.rawValue, "test_split": String(testSplit),
                        "split_seed": String(common.seed), "tuned": Self.describe(best.settings)]
                .merging(PredictionInput.info(for: source)) { $1 }
            if prepared.preprocessor == nil && prepared.task == .classification {
                info["class_names"] = SavedModel.encodeClassNames(prepared.classNames)
            }
            let training = ModelFileMetadata.Training(epochs: plan.epochs, batchSize: plan.batchSize, seed: common.seed,
                                                      completedEpochs: fitted.history.epochs.count, info: info)
            try ModelFile.save(net.model, preprocessor: prepared.preprocessor, training: training, to: URL(fileURLWithPath: output))
        }
        if common.json {
            var object: [String: Any] = [
                "command": "tune", "data": source.name, "task": source.task.rawValue, "folds": folds,
                "scoring": outcome.metric, "candidates": outcome.candidates.enumerated().map { rank, c in
                    [
                        "rank": rank + 1, "params": Dictionary(uniqueKeysWithValues: c.settings.map { ($0.name, $0.value) }),
                        "mean": JSONOutput.number(c.mean), "std": JSONOutput.number(c.std),
                        "per_fold": c.reports.map { JSONOutput.number($0?[outcome.metric] ?? .nan) },
                    ] as [String: Any]
                },
                "best": Dictionary(uniqueKeysWithValues: best.settings.map { ($0.name, $0.value) }),
                "refit_epochs": fitted.history.epochs.count, "output": output.map { $0 as Any } ?? NSNull(),
            ]
            if let report { object["test"] = report.json; object["test_samples"] = report.samples }
            try JSONOutput.print(object)
            return
        }
        print(table(outcome))
        print("")
        print("Best: \(Self.describe(best.settings)); refitted on \(prepared.train.x.rows) rows "
            + "(\(fitted.history.epochs.count) epochs, \(fitted.reason))")
        if let report {
            print("")
            print(report.text(title: "Test"))
        }
        if let output { print("\nSaved the best model to \(output)") }
    }

    /// The ranked table: rank, mean ± std of the metric, then one column per parameter.
    func table(_ outcome: Outcome) -> String {
        let names = outcome.candidates[0].settings.map(\.name)
        let score = "\(outcome.metric) (mean ± std)"
        var rows: [[String]] = [["rank", score] + names]
        for (rank, c) in outcome.candidates.enumerated() {
            rows.append([String(rank + 1), String(format: "%.4f ± %.4f", c.mean, c.std)] + c.settings.map(\.value))
        }
        let widths = rows[0].indices.map { j in rows.map { $0[j].count }.max() ?? 0 }
        let header = "\(folds)-fold cross-validation of \(outcome.candidates.count) candidates on \(outcome.source.name) "
            + "(\(outcome.trainRows?.count ?? outcome.source.rowCount) training rows, "
            + (outcome.lowerIsBetter ? "lowest" : "highest") + " \(outcome.metric) first)"
        return ([header] + rows.map { row in
            row.enumerated().map { j, cell in cell.padding(toLength: widths[j], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }).joined(separator: "\n")
    }

    static func describe(_ settings: [(name: String, value: String)]) -> String {
        settings.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }
}

/// Results written by concurrent runs, one slot each.
final class ResultSlots: @unchecked Sendable {
    private var slots: [Result<TestReport, any Error>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<TestReport, any Error>) {
        lock.lock(); defer { lock.unlock() }
        slots[index] = result
    }

    func get(_ index: Int) -> Result<TestReport, any Error>? {
        lock.lock(); defer { lock.unlock() }
        return slots[index]
    }

    /// Hands out 0, 1, 2, … to concurrent workers.
    final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()

        func take(below limit: Int) -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard value < limit else { return nil }
            value += 1
            return value - 1
        }
    }
}

/// Read-only data shared by concurrent runs (matrices and options are values; nothing
/// in it is mutated while the runs read it).
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
