import ArgumentParser
import Foundation
import Perceptron
import PerceptronData
import XCTest
@testable import PerceptronCLI

/// --l1, --l2, --dropout, --class-weight, --lr-schedule, --clip-norm, --validation-data, and
/// the validation split that leaves no row.
final class TrainingControlsTests: XCTestCase {
    func testEachFlagIsInTheHelpWithItsDefault() {
        let help = PerceptronCommand.helpMessage(for: Train.self)
        for (flag, fallback) in [("--l1", "default: 0"), ("--l2", "default: 0"), ("--dropout", "default: 0"),
                                 ("--class-weight", "Default: none"), ("--lr-schedule", "Default: constant"),
                                 ("--clip-norm", "Default: no clipping"), ("--validation-data", "Default: none")] {
            guard let range = help.range(of: flag) else { XCTFail("help lacks \(flag)"); continue }
            let after = help[range.upperBound...].prefix(700)
            XCTAssertTrue(after.contains(fallback), "\(flag): \(after)")
        }
    }

    func testInvalidValuesAreRefused() {
        for (arguments, text) in [(["--l2", "-1"], "--l2"), (["--dropout", "1"], "--dropout"), (["--clip-norm", "0"], "--clip-norm"),
                                  (["--class-weight", "0:x"], "--class-weight"), (["--lr-schedule", "step:0:0.5"], "--lr-schedule"),
                                  (["--lr-schedule", "linear"], "--lr-schedule"), (["--lr-schedule", "plateau:3:2"], "--lr-schedule")] {
            XCTAssertThrowsError(try PerceptronCommand.parseAsRoot(["train"] + arguments)) { error in
                XCTAssertTrue(PerceptronCommand.message(for: error).contains(text), "\(arguments)")
            }
        }
    }

    func testTheModelGetsRegularizationClippingAndSchedule() throws {
        let run = try TrainingRun(["--dataset", "blobs", "--epochs", "12", "--l1", "0.001", "--l2", "0.01", "--clip-norm", "1",
                                   "--lr-schedule", "step:5:0.5", "--lr", "0.04"])
        let model = run.network.model
        for layer in model.layers {
            XCTAssertEqual((layer as? Dense)?.kernelRegularizer, Regularizer(l1: 0.001, l2: 0.01))
        }
        XCTAssertEqual(model.gradientClipping, .byNorm(1))
        XCTAssertEqual(model.learningRateSchedule, .step(every: 5, factor: 0.5))
        // The schedule's rates as logged per epoch: 0.04 for epochs 1–5, 0.02 for 6–10, 0.01 after.
        XCTAssertEqual(run.result.history["lr"], [Float](repeating: 0.04, count: 5) + [Float](repeating: 0.02, count: 5) + [0.01, 0.01])

        let cosine = try TrainingRun(["--dataset", "blobs", "--epochs", "10", "--lr-schedule", "cosine"])
        XCTAssertEqual(cosine.network.model.learningRateSchedule, .cosine(epochs: 10, minimum: 0))
    }

    func testPlateauScheduleLowersTheRate() throws {
        // Seed 001's Titanic network: at lr 0.02 with batches of 100 the training loss
        // bounces from epoch to epoch, so a patience of 2 epochs must cut the rate.
        let run = try TrainingRun(["--epochs", "40", "--lr-schedule", "plateau:2:0.5"])
        let rates = run.result.history["lr"]
        XCTAssertEqual(rates.first, 0.02)
        XCTAssertLessThan(try XCTUnwrap(rates.last), 0.02)
        // Each cut halves the rate.
        for (a, b) in zip(rates, rates.dropFirst()) where b != a { XCTAssertEqual(b, a * 0.5, accuracy: a * 1e-6) }
    }

    func testClassWeights() throws {
        let balanced = try ClassWeightSpec.parse("balanced").weights(classNames: ["a", "b"], labels: [0, 0, 0, 1])
        XCTAssertEqual(balanced[0]!, 4.0 / 6.0, accuracy: 1e-6)  // n / (k · count) = 4 / (2 · 3)
        XCTAssertEqual(balanced[1]!, 2, accuracy: 1e-6)          // 4 / (2 · 1)
        XCTAssertEqual(try ClassWeightSpec.parse("1:3").weights(classNames: ["a", "b"], labels: []), [0: 1, 1: 3])
        XCTAssertEqual(try ClassWeightSpec.parse("b:2.5").weights(classNames: ["a", "b"], labels: []), [0: 1, 1: 2.5])
        XCTAssertThrowsError(try ClassWeightSpec.parse("c:2").weights(classNames: ["a", "b"], labels: []))

        // Weighting the survivors 5:1 moves the Titanic network's predictions towards them.
        let plain = try TrainingRun(["--epochs", "20"])
        let weighted = try TrainingRun(["--epochs", "20", "--class-weight", "0:1,1:5"])
        func predictedSurvivors(_ run: TrainingRun) throws -> Int {
            try Metrics.classIndices(from: run.network.model.predict(run.prepared.test!.x)).filter { $0 == 1 }.count
        }
        XCTAssertGreaterThan(try predictedSurvivors(weighted), try predictedSurvivors(plain))
        XCTAssertThrowsError(try TrainingRun(["--dataset", "linear", "--class-weight", "balanced"]))
    }

    func testValidationData() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("validation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("titanic-head.csv")
        let titanic = try Datasets.table("titanic").selectingRows(Array(0..<60))
        var text = titanic.columnNames.map(Predict.field).joined(separator: ",") + "\n"
        for r in 0..<titanic.rowCount { text += titanic.row(r).map(Predict.field).joined(separator: ",") + "\n" }
        try text.write(to: file, atomically: true, encoding: .utf8)

        let run = try TrainingRun(["--epochs", "3", "--validation-data", file.path])
        XCTAssertEqual(run.result.history["val_loss"].count, 3)
        XCTAssertEqual(run.result.history["val_accuracy"].count, 3)
        XCTAssertThrowsError(try TrainingRun(["--epochs", "3", "--validation-data", folder.appendingPathComponent("missing.csv").path]))
    }

    func testValidationSplitThatHoldsOutNoRowIsAnError() {
        // blobs: 80 training rows; 1% of them rounds down to 0.
        XCTAssertThrowsError(try TrainingRun(["--dataset", "blobs", "--validation-split", "0.01", "--early-stopping", "3"])) { error in
            XCTAssertTrue("\(error)".contains("holds out no row"), "\(error)")
        }
    }

    func testRegressionLogsAreInTheTargetsUnits() throws {
        let run = try TrainingRun(["--dataset", "linear", "--epochs", "5"])
        let units = TargetUnits(data: run.prepared, loss: run.network.loss)
        // σ is the training targets' population standard deviation (the standardization's scale).
        let y = run.prepared.preprocessor!.inverseTransformTarget(run.prepared.train.y).elements.map(Double.init)
        let mean = y.reduce(0, +) / Double(y.count)
        let sigma = (y.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(y.count)).squareRoot()
        XCTAssertEqual(units.scale, sigma, accuracy: sigma * 1e-4)  // Float round trip of the targets
        let raw = try XCTUnwrap(run.result.history.epochs.last?.values)
        XCTAssertEqual(Double(run.result.final["mse"]!), Double(raw["mse"]!) * sigma * sigma, accuracy: Double(raw["mse"]!) * sigma * sigma * 1e-3)
        XCTAssertEqual(Double(run.result.final["mae"]!), Double(raw["mae"]!) * sigma, accuracy: Double(raw["mae"]!) * sigma * 1e-3)
        XCTAssertEqual(Double(run.result.final["loss"]!), Double(raw["loss"]!) * sigma * sigma, accuracy: Double(raw["loss"]!) * sigma * sigma * 1e-3)
    }
}
