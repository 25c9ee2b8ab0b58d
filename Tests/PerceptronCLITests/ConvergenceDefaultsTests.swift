import Foundation
import Perceptron
import XCTest
@testable import PerceptronCLI

/// With no tuning flags the seeds' small problems are solved: the issue's thresholds,
/// checked as the 5-fold cross-validated mean (each fold trained with the defaults),
/// because one held-out split of these tiny sets moves a lot with the seed (Titanic's
/// 179 test rows: the folds' accuracies spread with a standard deviation of about 0.02).
final class ConvergenceDefaultsTests: XCTestCase {
    func crossValidated(_ dataset: String, metric: String) throws -> (mean: Double, reports: [TestReport]) {
        let command = try XCTUnwrap(try PerceptronCommand.parseAsRoot(["cross-validate", "--dataset", dataset, "--json"]) as? CrossValidate)
        let (_, reports) = try command.scores()
        return (Metrics.meanAndStd(reports.map { $0[metric]! }).mean, reports)
    }

    func testDefaultsReachTheIssuesThresholds() throws {
        let targets: [(String, String, Double)] = [
            ("blobs", "accuracy", 0.95), ("linear", "r2", 0.95), ("iris", "accuracy", 0.93),
            ("moons", "accuracy", 0.95), ("circles", "accuracy", 0.95), ("titanic", "accuracy", 0.80),
            // The generated XOR is 500 points uniform in [−1, 1]², labelled by the signs: a
            // test point a hair from an axis is on the wrong side of any boundary learned
            // from 400 points, so its folds score 0.97–1.0; the seeds' XOR, the 4 corners,
            // is checked for 1.0 below.
            ("xor", "accuracy", 0.97),
        ]
        for (dataset, metric, threshold) in targets {
            let (mean, reports) = try crossValidated(dataset, metric: metric)
            XCTAssertGreaterThanOrEqual(mean, threshold, "\(dataset): \(metric) per fold \(reports.map { $0[metric]! })")
        }
    }

    func testTheFourPointXORIsLearnedExactly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("xor.csv")
        try "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n".write(to: file, atomically: true, encoding: .utf8)
        let run = try TrainingRun(["--csv", file.path, "--target", "y", "--test-split", "0"])
        XCTAssertTrue(run.result.reason.hasPrefix("converged"), run.result.reason)
        XCTAssertEqual(try run.network.model.predictClasses(run.prepared.train.x), [0, 1, 1, 0])
    }

    func testWithoutEpochsTrainingStopsWhenTheLossSettles() throws {
        let run = try TrainingRun(["--dataset", "linear"])
        XCTAssertTrue(run.plan.untilConverged)
        XCTAssertEqual(run.plan.epochs, 200)
        XCTAssertEqual(run.plan.batchSize, 40)  // min(200, n) with n = 40 training rows
        XCTAssertEqual(run.plan.hiddenUnits, 100)
        XCTAssertLessThan(run.result.history.epochs.count, 200)
        XCTAssertTrue(run.result.reason.hasPrefix("converged"), run.result.reason)

        let fixed = try TrainingRun(["--dataset", "linear", "--epochs", "7"])
        XCTAssertFalse(fixed.plan.untilConverged)
        XCTAssertEqual(fixed.result.history.epochs.count, 7)
        XCTAssertEqual(fixed.result.reason, "completed")
    }

    func testConvergenceRuleIsScikitLearns() {
        // tol 1e-4, 10 epochs of patience: the 11th epoch in a row without an improvement of
        // at least tol stops training (scikit-learn's `_no_improvement_count > n_iter_no_change`).
        let stop = ConvergenceStop()
        let model = try! Sequential(inputSize: 1, layers: [Dense(1)], seed: 1)
        stop.trainingWillBegin(model: model, plan: TrainingPlan(epochs: 100, batchesPerEpoch: 1, trainingSamples: 1,
                                                                 validationSamples: 0, batchSize: 1))
        var losses: [Float] = [1.0, 0.5]
        losses += (1...11).map { 0.5 - Float($0) * 0.00005 }  // improving, but by less than tol
        for (epoch, loss) in losses.enumerated() {
            stop.epochDidEnd(EpochLogs(epoch: epoch, values: ["loss": loss], elapsed: 0), model: model)
            XCTAssertEqual(model.stopTraining, epoch == 12, "epoch \(epoch)")
        }
        XCTAssertEqual(stop.stoppedEpoch, 12)
    }

    func testSeedNetworkKeepsSeed001sSettings() throws {
        let train = try XCTUnwrap(try PerceptronCommand.parseAsRoot(["train"]) as? Train)
        let plan = FitPlan(train.network, sourceName: "titanic", trainingRows: 712, seedNetwork: true)
        XCTAssertEqual(plan.batchSize, 100)
        XCTAssertEqual(plan.learningRate, 0.02)
        XCTAssertEqual(plan.hiddenUnits, 15)
        let mnist = FitPlan(train.network, sourceName: "mnist", trainingRows: 60000, seedNetwork: false)
        XCTAssertEqual(mnist.epochs, 10)
        XCTAssertFalse(mnist.untilConverged)
        XCTAssertNil(mnist.learningRate)
    }
}
