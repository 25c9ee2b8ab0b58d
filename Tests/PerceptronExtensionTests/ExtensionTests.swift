import Foundation
import XCTest
import Perceptron

/// A layer, an optimizer and an activation from a module other than the library: each is one
/// file plus one registration line, then trains, saves and loads like the built-in ones.
final class ExtensionTests: XCTestCase {
    override func setUpWithError() throws {
        try LayerRegistry.register(Scale.Configuration.self)
        try OptimizerRegistry.register(SignSGD.Configuration.self)
        try ActivationRegistry.register(Swish())
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

    func testUserActivationTrainsSavesAndLoads() throws {
        let x = Matrix(rows: 4, columns: 2, elements: [0, 0, 0, 1, 1, 0, 1, 1])
        let y = Matrix(rows: 4, columns: 1, elements: [0, 1, 1, 0])
        let model = try Sequential(inputSize: 2, layers: [Dense(8, activation: .swish), Dense(1, activation: .sigmoid)], seed: 3)
        try model.compile(loss: .binaryCrossEntropy, optimizer: Adam(learningRate: 0.05))
        let history = try model.fit(x, y, epochs: 300, batchSize: 4)
        // XOR is learned through the user's activation: the loss falls by more than half.
        XCTAssertLessThan(history.epochs.last!.values["loss"]!, 0.5 * history.epochs.first!.values["loss"]!)

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ExtensionTests-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ModelFile.save(model, to: url)
        let file = try SafeTensors.read(from: url)
        XCTAssertTrue(file.metadata["architecture"]!.contains("\"activation\":\"example.swish\""), file.metadata["architecture"]!)
        let loaded = try ModelFile.load(from: url)
        XCTAssertEqual((loaded.model.layers[0] as? Dense)?.activation, .swish)
        XCTAssertEqual(try loaded.model.predict(x), try model.predict(x))
        XCTAssertEqual(Activation(rawValue: "example.swish"), .swish)
    }

    /// The derivative the user wrote agrees with central differences of the value, through
    /// the library's buffer loops (`apply` and `backward`). Tolerance 1e-3: Float32 central
    /// differences with h = 1e-2 on a function whose third derivative is below 1.
    func testUserActivationDerivativeMatchesFiniteDifferences() {
        let z = Matrix(rows: 2, columns: 4, elements: [-4, -1.5, -0.3, 0, 0.2, 1, 2.5, 6])
        let a = Activation.swish.apply(z)
        var dz = Matrix(rows: 0, columns: 0)
        Activation.swish.backward(outputGradient: Matrix(rows: 2, columns: 4, elements: Array(repeating: 1, count: 8)),
                                  input: z, output: a, into: &dz)
        let h: Float = 1e-2
        for i in 0..<z.count {
            let numeric = (Swish().value(z.elements[i] + h) - Swish().value(z.elements[i] - h)) / (2 * h)
            XCTAssertEqual(dz.elements[i], numeric, accuracy: 1e-3, "z = \(z.elements[i])")
        }
    }

    /// A model with an activation nobody registered cannot be saved (it could not be loaded).
    func testUnregisteredActivationIsNotSaved() throws {
        struct Unregistered: ElementwiseActivation {
            var name: String { "example.unregistered" }
            func value(_ z: Float) -> Float { z }
            func derivative(z: Float, a: Float) -> Float { 1 }
        }
        let model = try Sequential(inputSize: 2, layers: [Dense(1, activation: Activation(Unregistered()))], seed: 1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ExtensionTests-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertThrowsError(try ModelFile.save(model, to: url)) { error in
            XCTAssertTrue("\(error)".contains("example.unregistered"), "\(error)")
            XCTAssertTrue(error is PerceptronError, "\(type(of: error))")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
        struct Impostor: ElementwiseActivation {
            var name: String { "relu" }
            func value(_ z: Float) -> Float { z }
            func derivative(z: Float, a: Float) -> Float { 1 }
        }
        XCTAssertThrowsError(try ActivationRegistry.register(Impostor()), "a built-in name is not taken over")
        XCTAssertNoThrow(try ActivationRegistry.register(Swish()), "registering the same type twice is harmless")
    }
}
