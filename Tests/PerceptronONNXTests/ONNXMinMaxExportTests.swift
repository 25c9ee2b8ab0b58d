import Foundation
import Perceptron
import PerceptronData
@testable import PerceptronONNX
import XCTest

/// Min-max scaling exported as Sub/Div. `Fixtures/titanic_minmax.safetensors` (Titanic with
/// every numeric column min-max scaled; no command-line flag chooses min-max yet) is the
/// model `.ci/onnx` exports and runs in onnxruntime on the raw rows;
/// `PERCEPTRON_WRITE_ONNX_FIXTURES=1 swift test --filter ONNXMinMaxExportTests` rewrites it.
final class ONNXMinMaxExportTests: XCTestCase {
    func fixtureURL() throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent("titanic_minmax.safetensors")
    }

    func testWriteFixtureWhenAsked() throws {
        guard ProcessInfo.processInfo.environment["PERCEPTRON_WRITE_ONNX_FIXTURES"] == "1" else {
            throw XCTSkip("set PERCEPTRON_WRITE_ONNX_FIXTURES=1 to rewrite Fixtures/titanic_minmax.safetensors")
        }
        let table = try Datasets.table("titanic")
        var options = Preprocessor.Options.titanic
        for column in ["Pclass", "Age", "SibSp", "Parch", "Fare"] { options.roles[column] = .numeric(.minMax) }
        let preprocessor = try Preprocessor.fit(table, options: options)
        let (x, y) = try preprocessor.transform(table)
        let model = try Sequential(inputSize: preprocessor.featureCount,
                                   layers: [Dense(8, activation: .relu), Dense(1, activation: .sigmoid)], seed: 31)
        try model.compile(loss: .binaryCrossEntropy, optimizer: Adam(learningRate: 0.02))
        try model.fit(x, try XCTUnwrap(y), epochs: 20, batchSize: 64)
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/titanic_minmax.safetensors")
        try ModelFile.save(model, preprocessor: preprocessor, training: .init(seed: 31, info: ["dataset": "titanic"]), to: source)
    }

    func testMinMaxColumnsBecomeSubMinDivRange() throws {
        let loaded = try ModelFile.load(from: fixtureURL())
        let preprocessor = try XCTUnwrap(loaded.preprocessor)
        let fare = try XCTUnwrap(preprocessor.columns.first { $0.name == "Fare" })
        XCTAssertEqual(fare.role, .numeric(.minMax))
        let proto = try ONNXExport.modelProto(loaded.model, preprocessor: preprocessor, task: .classification,
                                              classNames: preprocessor.classNames, options: .init())
        let initializers = Dictionary(uniqueKeysWithValues: proto.graph.initializer.map { ($0.name, $0) })
        let index = try XCTUnwrap(preprocessor.featureNames.firstIndex(of: "Fare"))
        let shift = try ONNXTensorReader.floats(XCTUnwrap(initializers["preprocessing.shift"]), file: "t")
        let scale = try ONNXTensorReader.floats(XCTUnwrap(initializers["preprocessing.scale"]), file: "t")
        // Titanic's fares run from 0 to 512.3292: x' = (x − 0) / 512.3292.
        XCTAssertEqual(shift[index], 0)
        XCTAssertEqual(scale[index], Float(512.3292), accuracy: 1e-3)
        XCTAssertEqual(scale[index], Float(fare.scale))
    }
}
