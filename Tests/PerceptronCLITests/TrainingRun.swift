import Foundation
import Perceptron
@testable import PerceptronCLI

/// A `perceptron train` run in-process, through the same steps as ``Train/run()``
/// (load, split, prepare, plan, build, fit, test) but without printing.
struct TrainingRun {
    var command: Train
    var prepared: PreparedData
    var plan: FitPlan
    var network: Network
    var result: FitResult
    var report: TestReport?

    init(_ arguments: [String]) throws {
        guard let command = try PerceptronCommand.parseAsRoot(["train"] + arguments) as? Train else {
            throw CLIError("not a train command: \(arguments)")
        }
        self.command = command
        let isTitanicDefault = command.data.csv == nil && (command.data.dataset ?? "titanic").lowercased() == "titanic"
        let source = try DataSource.load(command.data, seed: command.common.seed)
        let fold = try source.split(testFraction: command.testSplit, seed: command.common.seed)
        prepared = try source.prepare(train: fold?.train, test: fold?.test)
        plan = FitPlan(command.network, sourceName: source.name, trainingRows: prepared.train.x.rows, seedNetwork: isTitanicDefault)
        network = try Network.make(command.network, data: prepared, seed: command.common.seed, plan: plan)
        result = try Fitting.run(network, data: prepared, options: command.network, plan: plan)
        if let test = prepared.test {
            report = try TestReport.evaluate(network.model, x: test.x, y: test.y, task: prepared.task,
                                             classNames: prepared.classNames, preprocessor: prepared.preprocessor)
        }
    }
}
