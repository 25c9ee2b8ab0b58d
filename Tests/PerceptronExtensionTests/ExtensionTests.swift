import Foundation
import XCTest
import Perceptron

/// A layer and an optimizer from a module other than the library: each is one file plus one
/// registration line, then trains, saves and loads like the built-in ones.
final class ExtensionTests: XCTestCase {
    override func setUpWithError() throws {
        try LayerRegistry.register(Scale.Configuration.self)
        try OptimizerRegistry.register(SignSGD.Configuration.self)
    }

    func testUserLayerAndOptimizerTrainSaveAndLoad() throws {
        let x = Matrix(rows: 4, columns: 2, elements: [0, 0, 0, 1, 1, 0, 1, 1])
        let y = Matrix(rows: 4, columns: 1, elements: [0, 1, 1, 1])
        let model = try Sequential(inputSize: 2, layers: [Scale(initial: 0.5), Dense(4, activation: .tanh),
                                                          Dense(1, activation: .sigmoid)], seed: 4)
        try model.compile(loss: .binaryCrossEntropy, optimizer: SignSGD(learningRate: 0.01))
        let before = model.weights[0][0]
        let history = try model.fit(x, y, epochs: 20, batchSize: 4)
        XCTAssertLessThan(history.epochs.last!.values["loss"]!, history.epochs.first!.values["loss"]!)
        XCTAssertNotEqual(model.weights[0][0], before, "the optimizer updates the user layer's parameter")

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ExtensionTests-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ModelFile.save(model, to: url, includeOptimizerState: true)
        let file = try SafeTensors.read(from: url)
        XCTAssertEqual(file.tensors["layers.0.scale"]?.shape, [2])
        XCTAssertTrue(file.metadata["architecture"]!.contains("\"example.scale\":{\"initial\":0.5}"), file.metadata["architecture"]!)
        XCTAssertTrue(file.metadata["training"]!.contains("\"example.signSGD\""), file.metadata["training"]!)
        let loaded = try ModelFile.load(from: url)
        XCTAssertEqual(try loaded.model.predict(x), try model.predict(x))
        XCTAssertTrue(loaded.model.layers[0] is Scale)
        XCTAssertTrue(loaded.model.optimizer is SignSGD)
        XCTAssertEqual(loaded.model.optimizer.step, model.optimizer.step)
    }

    /// A name held by another type is refused; registering the same type twice is harmless.
    func testRegistrationNamesAreUnique() throws {
        XCTAssertNoThrow(try LayerRegistry.register(Scale.Configuration.self))
        struct Impostor: LayerConfiguration {
            static let registeredName = "dense"
            func makeLayer() throws -> any Layer { Dropout(0) }
            func tensorLayout(inputWidth: Int) throws -> LayerTensorLayout { .init(outputWidth: inputWidth) }
        }
        XCTAssertThrowsError(try LayerRegistry.register(Impostor.self))
        XCTAssertTrue(LayerRegistry.registeredNames.contains("example.scale"))
        XCTAssertTrue(OptimizerRegistry.registeredNames.contains("example.signSGD"))
    }
}
