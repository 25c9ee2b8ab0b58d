import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

/// Model files written by earlier builds still load, and predict what they predicted then.
final class ModelFileCompatibilityTests: XCTestCase {
    func fixture(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: "Fixtures/models/\(name)", withExtension: nil) else {
            throw XCTSkip("fixture \(name) is not in the test bundle")
        }
        return url
    }

    /// Loads `name` and compares its predictions with those the writing build recorded.
    /// Same weights, same kernels: the tolerance (1e-6) only absorbs a different summation
    /// order should the GEMM's blocking change, far below any weight's last digit that matters.
    func checkPredictions(_ name: String) throws -> ModelFile.LoadedModel {
        let loaded = try ModelFile.load(from: try fixture(name + ".safetensors"))
        let data = try Data(contentsOf: try fixture(name + ".json"))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rows = try XCTUnwrap(object["x"] as? [[Double]])
        let expected = try XCTUnwrap(object["predictions"] as? [[Double]])
        let x = Matrix(rows: rows.count, columns: rows[0].count, elements: rows.flatMap { $0.map(Float.init) })
        let p = try loaded.model.predict(x)
        for i in 0..<expected.count {
            for j in 0..<expected[i].count { XCTAssertEqual(Double(p[i, j]), expected[i][j], accuracy: 1e-6, "\(name) row \(i)") }
        }
        return loaded
    }

    func testFormat1IrisLoadsWithItsTrainingState() throws {
        let loaded = try checkPredictions("format1_iris")
        XCTAssertEqual(loaded.metadata.formatVersion, 1)
        XCTAssertEqual(loaded.model.loss, .sparseCategoricalCrossEntropy)
        XCTAssertEqual(loaded.model.layers.map(\.typeName), ["Dense", "Dropout", "Dense"])
        XCTAssertEqual(loaded.model.gradientClipping, .byNorm(5))
        XCTAssertEqual(loaded.model.learningRateSchedule, .step(every: 2, factor: 0.5))
        // The rate the step schedule had reached in epoch 2 (0.01 × 0.5), as saved.
        XCTAssertEqual(loaded.model.optimizer.learningRate, 0.005)
        XCTAssertGreaterThan(loaded.model.optimizer.state.step, 0)
        XCTAssertNotNil(loaded.preprocessor)
        XCTAssertEqual(loaded.metadata.training.completedEpochs, 3)
        // It trains on from there.
        let table = try Datasets.table("iris")
        let (x, y) = try loaded.preprocessor!.transform(table)
        XCTAssertNoThrow(try loaded.model.fit(x, y!, epochs: 1, batchSize: 16))
    }

    func testFormat1SGDModelLoads() throws {
        let loaded = try checkPredictions("format1_xor_sgd")
        XCTAssertEqual(loaded.model.loss, .binaryCrossEntropy)
        XCTAssertTrue(loaded.model.optimizer is SGD)
        XCTAssertEqual((loaded.model.optimizer as? SGD)?.nesterov, true)
    }
}
