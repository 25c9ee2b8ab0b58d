import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData
@testable import PerceptronCLI

/// A diverged run exits 1 and leaves the existing model file as it was; a model that
/// predicts NaN is never written, and `evaluate`/`predict` refuse one made elsewhere.
/// (Before: `--lr 1e30` stopped with a NaN loss, replaced a good model with weights near
/// 1e30 that predict NaN for every row, and exited 0; `evaluate` then printed null metrics.)
final class DivergenceTests: TemporaryFolderTestCase {
    func testADivergedRunExitsNonzeroAndKeepsTheOldModel() throws {
        let good = try perceptron("train", "--dataset", "iris", "--epochs", "2", "-o", "iris.safetensors")
        XCTAssertEqual(good.status, 0, good.stderr)
        let before = try Data(contentsOf: folder.appendingPathComponent("iris.safetensors"))
        let diverged = try perceptron("train", "--dataset", "iris", "--epochs", "5", "--lr", "1e30", "-o", "iris.safetensors")
        XCTAssertEqual(diverged.status, 1, diverged.stderr)
        XCTAssertTrue(diverged.stderr.contains("training diverged"), diverged.stderr)
        XCTAssertTrue(diverged.stderr.contains("iris.safetensors was not written"), diverged.stderr)
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("iris.safetensors")), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["iris.safetensors"])
        // Without -o the run still fails: its reported metrics would be meaningless.
        XCTAssertEqual(try perceptron("train", "--dataset", "iris", "--epochs", "5", "--lr", "1e30").status, 1)
    }

    /// An iris-shaped model whose weights are finite but so large that it predicts NaN.
    func hugeWeightModel() throws -> (Sequential, Preprocessor) {
        let table = try Datasets.table("iris")
        let pre = try Preprocessor.fit(table, options: .init(target: "target", task: .classification))
        let model = try Sequential(inputSize: pre.featureCount, layers: [Dense(8, activation: .relu), Dense(3, activation: .softmax)], seed: 1)
        try model.compile(loss: .sparseCategoricalCrossEntropy)
        try model.setWeights(model.weights.map { layer in
            layer.map { Matrix(rows: $0.rows, columns: $0.columns, repeating: 1e30) }
        })
        return (model, pre)
    }

    func testAModelThatPredictsNaNIsNotWritten() throws {
        let (model, pre) = try hugeWeightModel()
        let (x, _) = try pre.transform(try Datasets.table("iris"))
        XCTAssertNotNil(try model.predict(x).firstNonFinite(), "the premise: this model predicts NaN")
        XCTAssertThrowsError(try TrainedModelCheck.check(History(), model: model, trainingRows: x, output: "m.safetensors")) {
            XCTAssertTrue("\($0)".contains("predicts NaN for training row "), "\($0)")
            XCTAssertTrue("\($0)".contains("; m.safetensors was not written"), "\($0)")
        }
        var diverged = History()
        diverged.stopReason = .nonFiniteLoss(epoch: 0, batch: 3, loss: .nan)
        XCTAssertThrowsError(try TrainedModelCheck.check(diverged, model: model, trainingRows: x, output: nil)) {
            XCTAssertTrue("\($0)".contains("training diverged: the loss was NaN at epoch 1, batch 4"), "\($0)")
        }
    }

    func testEvaluateAndPredictRefuseAModelThatPredictsNaN() throws {
        let (model, pre) = try hugeWeightModel()
        try ModelFile.save(model, preprocessor: pre, training: .init(seed: 1, info: ["data": "iris", "task": "classification"]),
                           to: folder.appendingPathComponent("bad.safetensors"))
        try "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm),target\n7.7,3.8,6.7,2.2,2\n"
            .write(to: folder.appendingPathComponent("labelled.csv"), atomically: false, encoding: .utf8)
        let evaluate = try perceptron("evaluate", "bad.safetensors", "--csv", "labelled.csv")
        XCTAssertEqual(evaluate.status, 1, evaluate.stdout + evaluate.stderr)
        XCTAssertTrue(evaluate.stderr.contains("the model predicts NaN for row 1"), evaluate.stderr)
        try "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n7.7,3.8,6.7,2.2\n"
            .write(to: folder.appendingPathComponent("rows.csv"), atomically: false, encoding: .utf8)
        let predict = try perceptron("predict", "bad.safetensors", "--csv", "rows.csv", "-o", "out.csv")
        XCTAssertEqual(predict.status, 1, predict.stderr)
        XCTAssertTrue(predict.stderr.contains("rows.csv line 2"), predict.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.csv")))
    }

    func testTheLibraryRefusesToSaveNonFiniteWeights() throws {
        let model = try Sequential(inputSize: 2, layers: [Dense(1)], seed: 1)
        model.layers[0].parameters = [Matrix(rows: 2, columns: 1, elements: [1, .nan]), Matrix(rows: 1, columns: 1)]
        let url = folder.appendingPathComponent("nan.safetensors")
        XCTAssertThrowsError(try ModelFile.save(model, to: url)) {
            XCTAssertEqual($0 as? ModelFileError, .nonFiniteWeight(file: url.path, tensor: "layers.0.weight"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }
}
