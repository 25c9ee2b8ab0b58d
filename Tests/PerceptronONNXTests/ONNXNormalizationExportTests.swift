import Foundation
import Perceptron
@testable import PerceptronONNX
import XCTest

/// BatchNormalization and LayerNormalization layers (issue 9) exported as the ONNX
/// operators of those names. `Fixtures/norm_mlp.safetensors` is the model `.ci/onnx`
/// exports and runs in onnxruntime; `PERCEPTRON_WRITE_ONNX_FIXTURES=1 swift test --filter
/// ONNXNormalizationExportTests` rewrites it.
final class ONNXNormalizationExportTests: XCTestCase {
    /// Dense(8, relu) → BatchNormalization → Dense(6, tanh) → LayerNormalization → Dense(3, softmax),
    /// trained 5 epochs on seeded random rows so the running statistics are not 0 and 1.
    static func makeModel() throws -> Sequential {
        let model = try Sequential(inputSize: 4, layers: [
            Dense(8, activation: .relu), BatchNormalization(), Dense(6, activation: .tanh), LayerNormalization(),
            Dense(3, activation: .softmax),
        ], seed: 21)
        try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: Adam(learningRate: 0.01))
        var generator = SeededGenerator(seed: 22)
        let x = Matrix(rows: 96, columns: 4, elements: (0..<384).map { _ in Float.random(in: -3...3, using: &generator) + 1 })
        let y = Matrix(rows: 96, columns: 1, elements: (0..<96).map { r in Float(x[r, 0] + x[r, 1] > 2 ? 2 : (x[r, 2] > 1 ? 1 : 0)) })
        try model.fit(x, y, epochs: 5, batchSize: 16)
        return model
    }

    func fixtureURL() throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent("norm_mlp.safetensors")
    }

    func testWriteFixtureWhenAsked() throws {
        guard ProcessInfo.processInfo.environment["PERCEPTRON_WRITE_ONNX_FIXTURES"] == "1" else {
            throw XCTSkip("set PERCEPTRON_WRITE_ONNX_FIXTURES=1 to rewrite Fixtures/norm_mlp.safetensors")
        }
        // The source tree's copy (the bundle holds a copy of the folder).
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/norm_mlp.safetensors")
        try ModelFile.save(try Self.makeModel(), training: .init(seed: 21, info: ["task": "classification"]), to: source)
    }

    func testNormalizationLayersBecomeONNXOperatorsWithTheirStatistics() throws {
        let model = try ModelFile.load(from: fixtureURL()).model
        let proto = try ONNXExport.modelProto(model, preprocessor: nil, task: .classification, classNames: ["0", "1", "2"],
                                              options: .init())
        let nodes = proto.graph.node
        XCTAssertEqual(nodes.map(\.opType).filter { $0.hasSuffix("Normalization") }, ["BatchNormalization", "LayerNormalization"])
        let initializers = Dictionary(uniqueKeysWithValues: proto.graph.initializer.map { ($0.name, $0) })
        let batch = try XCTUnwrap(model.layers[1] as? BatchNormalization)
        XCTAssertNotEqual(batch.movingMean.elements, Array(repeating: 0, count: 8), "the fixture's statistics were trained")
        for (name, value) in [("gamma", batch.gamma), ("beta", batch.beta), ("moving_mean", batch.movingMean),
                              ("moving_variance", batch.movingVariance)] {
            XCTAssertEqual(try ONNXTensorReader.floats(XCTUnwrap(initializers["layers.1.\(name)"]), file: "t"), value.elements, name)
        }
        let batchNode = try XCTUnwrap(nodes.first { $0.opType == "BatchNormalization" })
        XCTAssertEqual(batchNode.input.dropFirst(), ["layers.1.gamma", "layers.1.beta", "layers.1.moving_mean", "layers.1.moving_variance"])
        XCTAssertEqual(batchNode.attribute.first { $0.name == "epsilon" }?.f, batch.epsilon)
        let layerNode = try XCTUnwrap(nodes.first { $0.opType == "LayerNormalization" })
        XCTAssertEqual(layerNode.attribute.first { $0.name == "axis" }?.i, -1)
        let layerNorm = try XCTUnwrap(model.layers[3] as? LayerNormalization)
        XCTAssertEqual(layerNode.attribute.first { $0.name == "epsilon" }?.f, layerNorm.epsilon)
        XCTAssertEqual(try ONNXTensorReader.floats(XCTUnwrap(initializers["layers.3.gamma"]), file: "t"), layerNorm.gamma.elements)
    }

    func testNormalizationModelRoundTripsThroughONNX() throws {
        let model = try ModelFile.load(from: fixtureURL()).model
        let data = try ONNXExport.serializedModel(model, preprocessor: nil, task: .classification, classNames: ["0", "1", "2"],
                                                  options: .init(networkOnly: true))
        let imported = try ONNXImport.convert(data, file: "norm.onnx").model
        XCTAssertEqual(imported.layers.map(\.typeName), model.layers.map(\.typeName))
        XCTAssertEqual(imported.buffers, model.buffers)
        var generator = SeededGenerator(seed: 23)
        let x = Matrix(rows: 20, columns: 4, elements: (0..<80).map { _ in Float.random(in: -2...4, using: &generator) })
        XCTAssertEqual(try imported.predict(x).elements, try model.predict(x).elements)
    }
}
