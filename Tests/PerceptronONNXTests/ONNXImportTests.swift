import Foundation
import Perceptron
@testable import PerceptronONNX
import XCTest

/// Import of the committed PyTorch and tf2onnx-style fixtures (made by
/// Fixtures/make_fixtures.py), compared with onnxruntime's outputs saved beside them.
final class ONNXImportTests: XCTestCase {
    struct Expected: Decodable {
        var input_shape: [Int]
        var input: [Double]
        var output_shape: [Int]
        var output: [Double]
    }

    func fixture(_ name: String) throws -> URL {
        let root = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return root.appendingPathComponent(name)
    }

    func expected(_ name: String) throws -> Expected {
        let all = try JSONDecoder().decode([String: Expected].self, from: Data(contentsOf: fixture("expected.json")))
        return try XCTUnwrap(all[name])
    }

    /// Imports a fixture and compares Perceptron's prediction with onnxruntime's. Tolerance
    /// 1e-5 (absolute; outputs are probabilities in [0, 1]): both compute in float32 from
    /// the same weights and differ only in summation order and exp/tanh rounding, a few ulps.
    func checkFixture(_ name: String, layers: Int, task: TaskKind, file: StaticString = #filePath, line: UInt = #line) throws {
        let imported = try ONNXImport.read(from: fixture(name))
        XCTAssertEqual(imported.model.layers.count, layers, file: file, line: line)
        XCTAssertEqual(imported.task, task, file: file, line: line)
        let case_ = try expected(name)
        let n = case_.input_shape[0]
        let x = Matrix(rows: n, columns: case_.input.count / n, elements: case_.input.map { Float($0) })
        let y = try imported.model.predict(x)
        XCTAssertEqual([y.rows, y.columns], case_.output_shape, file: file, line: line)
        let worst = zip(y.elements, case_.output).map { abs(Double($0) - $1) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(worst, 1e-5, "\(name): max |Δ| vs onnxruntime", file: file, line: line)
    }

    func testPyTorchSequentialReluTanhSoftmax() throws {
        try checkFixture("torch_mlp.onnx", layers: 3, task: .classification)
    }

    func testPyTorchFlattenLeakyEluSoftplusNoBiasSigmoid() throws {
        try checkFixture("torch_mixed.onnx", layers: 4, task: .classification)
        let model = try ONNXImport.read(from: fixture("torch_mixed.onnx")).model
        XCTAssertEqual(model.inputSize, 6, "Flatten of [N, 2, 3]")
        XCTAssertEqual(model.layers.map { ($0 as? Dense)?.activation }, [.leakyReLU, .elu, .softplus, .sigmoid])
    }

    func testPyTorchDynamoExporterOpset20Gelu() throws {
        try checkFixture("torch_dynamo_gelu.onnx", layers: 2, task: .classification)
        let model = try ONNXImport.read(from: fixture("torch_dynamo_gelu.onnx")).model
        XCTAssertEqual(model.layers.map { ($0 as? Dense)?.activation }, [.gelu, .softmax])
    }

    func testPyTorchBatchNormAndLayerNorm() throws {
        try checkFixture("torch_norm.onnx", layers: 5, task: .classification)
        let model = try ONNXImport.read(from: fixture("torch_norm.onnx")).model
        let batch = try XCTUnwrap(model.layers[1] as? BatchNormalization)
        XCTAssertEqual(batch.epsilon, 1e-5, "PyTorch's default ε, kept")
        XCTAssertNotEqual(batch.movingMean.elements, Array(repeating: 0, count: 6), "the running mean is read into the buffer")
        XCTAssertTrue(model.layers[3] is LayerNormalization)
    }

    func testKerasStyleMatMulAddWithIdentityAndTransposedInitializers() throws {
        try checkFixture("keras_style.onnx", layers: 2, task: .classification)
    }

    func testImportedModelTrainsFurtherAndSavesAsAModelFile() throws {
        let imported = try ONNXImport.read(from: fixture("torch_mlp.onnx"))
        let model = imported.model
        var generator = SeededGenerator(seed: 5)
        let x = Matrix(rows: 64, columns: 4, elements: (0..<256).map { _ in Float.random(in: -1...1, using: &generator) })
        // Labels the network can learn: the sign pattern of two inputs.
        let y = Matrix(rows: 64, columns: 1, elements: (0..<64).map { r in
            Float((x[r, 0] > 0 ? 1 : 0) + (x[r, 1] > 0 ? 1 : 0))
        })
        let before = try XCTUnwrap(model.evaluate(x, y)["loss"])
        // Compiled by the importer: sparse categorical cross-entropy and Adam (lr 0.001).
        try model.fit(x, y, epochs: 150, batchSize: 16)
        let after = try XCTUnwrap(model.evaluate(x, y)["loss"])
        XCTAssertLessThan(after, before * 0.7, "training the imported model lowers its loss")

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-import-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ModelFile.save(model, to: url)
        let loaded = try ModelFile.load(from: url)
        XCTAssertEqual(try loaded.model.predict(x).elements, try model.predict(x).elements)
    }
}
