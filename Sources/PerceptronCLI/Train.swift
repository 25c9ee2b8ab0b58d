import ArgumentParser
import Foundation
import Perceptron
import PerceptronData
import PerceptronServe

/// `perceptron train`: fit a network, report it on held-out rows, optionally save it.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network and report it on held-out rows.",
        discussion: """
            With no options: seed 001's Titanic network (Pclass, Sex, Age, SibSp, Parch, Fare, \
            Embarked → 15 ReLU units → sigmoid; binary cross-entropy; Adam, lr 0.02, batch 100) on \
            the bundled data, tested on a stratified 20%.
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var network: ModelOptions

    @Option(name: .long, help: "Share of the rows held out for the test report (stratified, seeded; 0 for none). MNIST uses its official test set.")
    var testSplit: Double = 0.2

    @OptionGroup var common: RunOptions

    @OptionGroup var outputs: TrainOutputOptions

    @Option(name: [.short, .long], help: ArgumentHelp("Save the trained model to this .safetensors file.", valueName: "file"))
    var output: String?

    @Flag(name: .long, help: "Also save the optimizer's state and the random state, so training can resume.")
    var saveOptimizerState = false

    @OptionGroup var checkpointing: CheckpointOptions

    @Option(name: .long, help: .hidden)
    var summationBound: String?

    func validate() throws {
        if !(testSplit >= 0 && testSplit < 1) { throw ValidationError("--test-split must be in [0, 1), got \(testSplit).") }
        if saveOptimizerState && output == nil { throw ValidationError("--save-optimizer-state needs --output FILE.") }
    }

    func run() throws {
        try OutputCheck.check([("--output", output), ("--checkpoint", checkpointing.checkpoint), ("--history-csv", outputs.historyCSV),
                               ("--report", outputs.report)])
        if let resume = checkpointing.resume { return try runResumed(from: resume) }
        try train(resuming: nil)
    }

    /// Trains, from scratch or from a checkpoint (read from `path`, made by `arguments`).
    func train(resuming resumed: (checkpoint: ModelFile.LoadedCheckpoint, path: String, arguments: [String])?) throws {
        if resumed == nil { try common.applyThreads() }
        // Under `mpirun -np N`: one rank of data-parallel training; rank 0 alone prints and writes.
        let distributed = try DistributedTraining.join(threadsGiven: common.threads != nil)
        let isRoot = distributed?.isRoot ?? true
        let isTitanicDefault = data.csv == nil && (data.dataset ?? "titanic").lowercased() == "titanic"
        let source = try DataSource.load(data, seed: common.seed)
        let fold = try source.split(testFraction: testSplit, seed: common.seed)
        let prepared = try source.prepare(train: fold?.train, test: fold?.test)
        if !common.json, isRoot, let preprocessor = prepared.preprocessor { printError(preprocessor.rolesTable()) }
        let plan = FitPlan(network, sourceName: source.name, trainingRows: prepared.train.x.rows,
                           seedNetwork: isTitanicDefault)
        var net = try Network.make(network, data: prepared, seed: common.seed, plan: plan)
        if let resumed { net.model = try Self.adopt(resumed.checkpoint, from: resumed.path, built: net, prepared: prepared) }
        if let distributed { net.model.gradientTransforms.append(distributed.parallel) }
        let bound = try summationBound.map { _ in try SummationErrorBound(model: net.model) }
        if let bound { net.model.gradientTransforms.append(bound) }
        let writer = try checkpointWriter(source: source, prepared: prepared, epochs: plan.epochs, arguments: resumed?.arguments)
        if !common.json {
            print("Training on \(source.name): \(prepared.train.x.rows) rows × \(prepared.train.x.columns) features, "
                + "\(prepared.task == .classification ? "\(net.classCount) classes" : "regression")"
                + (prepared.test.map { ", \($0.x.rows) held out" } ?? ""))
        }
        let start = ContinuousClock.now
        let fitted = try Fitting.run(net, data: prepared, options: network, plan: plan, display: isRoot ? [ProgressBar().callback()] : [],
                                     callbacks: writer.map { [$0] } ?? [], resumeFrom: resumed?.checkpoint.state,
                                     reader: data.csvReading)
        let history = fitted.history
        let seconds = Self.seconds(since: start)
        let ranksAgree = distributed.map { $0.parallel.ranksAgree(on: net.model.weights) } ?? true
        try TrainedModelCheck.check(history, model: net.model, trainingRows: prepared.train.x, output: output)

        var report: TestReport? = nil
        if let test = prepared.test {
            report = try TestReport.evaluate(net.model, x: test.x, y: test.y, task: prepared.task,
                                             classNames: prepared.classNames, preprocessor: prepared.preprocessor)
        }
        if let output, isRoot {
            var info = ["data": source.name, "task": prepared.task.rawValue, "test_split": String(testSplit),
                        "split_seed": String(common.seed), "command": ReportSettings.commandLine]
                .merging(PredictionInput.info(for: source)) { $1 }
            if prepared.preprocessor == nil && prepared.task == .classification {
                info["class_names"] = SavedModel.encodeClassNames(prepared.classNames)
            }
            // What `perceptron serve` compares served rows and predictions against (drift),
            // and the held-out metrics its model description shows.
            if let preprocessor = prepared.preprocessor,
               let baseline = DriftBaseline.fromTraining(preprocessor: preprocessor, features: prepared.train.x,
                                                         classIndices: prepared.task == .classification
                                                             ? prepared.train.y.elements.map { Int($0) } : [],
                                                         classNames: prepared.task == .classification ? prepared.classNames : [],
                                                         table: source.trainingTable(rows: fold?.train)) {
                info[DriftBaseline.infoKey] = baseline.jsonString()
            }
            if let report, let metrics = DriftBaseline.metricsJSON(report.metrics) { info[DriftBaseline.metricsKey] = metrics }
            let training = ModelFileMetadata.Training(epochs: plan.epochs, batchSize: plan.batchSize, seed: common.seed,
                                                      completedEpochs: history.epochs.count, info: info)
            try ModelFile.save(net.model, preprocessor: prepared.preprocessor, training: training,
                               to: URL(fileURLWithPath: output), includeOptimizerState: saveOptimizerState)
        }

        if let bound, let path = summationBound, isRoot {
            // For .ci/mpi: the bound on |w_N − w_1| saved as a model file shaped like the weights.
            let trained = net.model.weights
            try net.model.setWeights(bound.bound)
            try ModelFile.save(net.model, to: URL(fileURLWithPath: path))
            try net.model.setWeights(trained)
        }
        guard isRoot else { return }
        try outputs.write(TrainedRun(command: self, source: source, prepared: prepared, fold: fold, network: net, epochs: plan.epochs,
                                     history: history, testReport: report, seconds: seconds))
        let final = fitted.final
        if common.json {
            var object: [String: Any] = [
                "command": "train", "data": source.name, "task": prepared.task.rawValue,
                "train_samples": prepared.train.x.rows, "features": prepared.train.x.columns,
                "layers": net.model.layers.map(\.outputSize), "loss_function": net.loss.kerasName,
                "epochs": history.epochs.count, "stop_reason": fitted.reason,
                "seconds": seconds, "output": output.map { $0 as Any } ?? NSNull(),
                "precision": net.model.trainingPrecision.rawValue,
                "final": final.mapValues { JSONOutput.number($0) },
                "history": TrainOutputOptions.json(history), "restored_epoch": history.restoredEpoch.map { $0 as Any } ?? NSNull(),
            ]
            if prepared.task == .classification { object["classes"] = prepared.classNames }
            if let distributed { object["distributed"] = distributed.json(trainingSeconds: seconds, ranksAgree: ranksAgree) }
            if let preprocessor = prepared.preprocessor { object["column_roles"] = JSONOutput.roleRows(preprocessor) }
            if let report {
                object["test"] = report.json
                object["test_samples"] = report.samples
                if let confusion = report.confusion { object["confusion_matrix"] = confusion.counts }
            }
            try JSONOutput.print(object)
            return
        }
        print("")
        print(net.model.summary())
        print("")
        print("Trained \(history.epochs.count) epochs in \(String(format: "%.2f", seconds)) s "
            + "(\(fitted.reason)): \(ProgressBar.format(final))")
        if let line = TrainOutputOptions.sparkline(history) { print(line) }
        if let distributed { print(distributed.summary(trainingSeconds: seconds, ranksAgree: ranksAgree)) }
        if let report {
            print("")
            print(report.text(title: "Test"))
        }
        if let output { print("\nSaved the model to \(output)") }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func describe(_ reason: History.StopReason) -> String {
        switch reason {
        case .completed: return "completed"
        case .stoppedByCallback(let epoch): return "early stopping after epoch \(epoch + 1)"
        case let .nonFiniteLoss(epoch, batch, loss): return "stopped: loss \(loss) at epoch \(epoch + 1), batch \(batch + 1)"
        }
    }
}
