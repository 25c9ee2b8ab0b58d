import XCTest
@testable import Perceptron

/// Dense packs W once for inference and repacks it whenever W changes: predictions after
/// each kind of weight change equal the training-mode forward pass (which packs W on every
/// call) bit for bit, so a stale packed copy would show.
final class DenseInferencePackingTests: XCTestCase {
    private func batch(rows: Int, columns: Int) -> Matrix {
        Matrix(rows: rows, columns: columns, elements: (0..<(rows * columns)).map { Float(($0 * 37) % 101) / 50 - 1 })
    }

    /// The model's outputs computed layer by layer in training mode (no packed copy).
    private func unpackedOutputs(_ model: Sequential, _ x: Matrix) -> Matrix {
        var layers = model.layers
        var generator = SeededGenerator(seed: 0)
        for i in layers.indices {
            layers[i].forward(i == 0 ? x : layers[i - 1].output, training: true, generator: &generator)
        }
        return layers[layers.count - 1].output
    }

    func testPredictionsFollowEveryWeightChange() throws {
        let x = batch(rows: 40, columns: 30)
        let y = Matrix(column: (0..<40).map { Float($0 % 3) })
        let model = try Sequential(inputSize: 30, layers: [Dense(70, activation: .relu), Dense(3, activation: .softmax)], seed: 2)
        try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: Adam(learningRate: 0.05))
        let first = try model.predict(x)
        XCTAssertEqual(first, unpackedOutputs(model, x))
        XCTAssertEqual(try model.predict(x), first, "a second prediction reuses the packing")

        try model.fit(x, y, epochs: 1, batchSize: 8)  // optimizer updates
        let trained = try model.predict(x)
        XCTAssertNotEqual(trained, first)
        XCTAssertEqual(trained, unpackedOutputs(model, x))

        var parameters = model.layers[0].parameters  // parameters set directly
        parameters[0].withUnsafeMutableBufferPointer { w in for i in w.indices { w[i] *= -0.5 } }
        model.layers[0].parameters = parameters
        XCTAssertEqual(try model.predict(x), unpackedOutputs(model, x))
    }

    /// A predictor made earlier shares the layers' packing cache with the model; both go on
    /// predicting from their own weights as the model trains.
    func testPredictorAndTrainedModelKeepTheirOwnWeights() throws {
        let x = batch(rows: 12, columns: 9)
        let model = try Sequential(inputSize: 9, layers: [Dense(20, activation: .tanh), Dense(2, activation: .softmax)], seed: 4)
        try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: SGD(learningRate: 0.5))
        let predictor = model.predictor()
        let before = try predictor.outputs(x)
        try model.fit(x, Matrix(column: (0..<12).map { Float($0 % 2) }), epochs: 2, batchSize: 4)
        let after = try model.predict(x)
        XCTAssertNotEqual(after, before)
        XCTAssertEqual(try predictor.outputs(x), before)
        XCTAssertEqual(try model.predict(x), after)
        XCTAssertEqual(after, unpackedOutputs(model, x))
    }
}
