import XCTest
@testable import Perceptron

/// Neuron pruning: dead and disconnected hidden units are removed, and the narrower network
/// computes what the original did.
final class NeuronPruningTests: XCTestCase {
    /// Rows with x in [-1, 1]³.
    func rows(_ n: Int, seed: UInt64) -> Matrix {
        var generator = SeededGenerator(seed: seed)
        return Matrix(rows: n, columns: 3, elements: (0..<(3 * n)).map { _ in Float.random(in: -1...1, using: &generator) })
    }

    /// 3 → 5 (ReLU) → 4 (ReLU) → 2 (softmax). Unit 1 of layer 0 never activates on inputs in
    /// [-1, 1]³ (bias −10, weights 0.5); unit 3 of layer 0 has every outgoing weight zero;
    /// unit 2 of layer 1 has no inputs left and a negative bias (dead for any input).
    func makeModel() throws -> Sequential {
        let model = try Sequential(inputSize: 3, layers: [Dense(5, activation: .relu), Dense(4, activation: .relu),
                                                           Dense(2, activation: .softmax)], seed: 8)
        var w0 = model.weights[0][0], b0 = model.weights[0][1]
        for r in 0..<3 { w0[r, 1] = 0.5 }
        b0[0, 1] = -10
        var w1 = model.weights[1][0], b1 = model.weights[1][1]
        for k in 0..<4 { w1[3, k] = 0 }
        for r in 0..<5 { w1[r, 2] = 0 }
        b1[0, 2] = -1
        b1[0, 0] = 0.1
        try model.setWeights([[w0, b0], [w1, b1], model.weights[2]])
        try model.compile(loss: .sparseCategoricalCrossEntropy)
        return model
    }

    func testDeadAndDisconnectedUnitsAreRemovedAndOutputsAreIdentical() throws {
        let model = try makeModel()
        let x = rows(200, seed: 1)
        let before = try model.predict(x)
        let (narrowed, report) = try NeuronPruning.narrowed(model, data: x)
        XCTAssertEqual(narrowed.layers.map(\.outputSize), [3, 3, 2])
        XCTAssertEqual(report.narrowed, [
            .init(layer: 0, unitsBefore: 5, unitsAfter: 3, outgoingPruned: 1, constant: 1),
            .init(layer: 1, unitsBefore: 4, unitsAfter: 3, outgoingPruned: 0, constant: 1),
        ])
        XCTAssertEqual(report.removedUnits, 3)
        XCTAssertEqual(narrowed.parameterCount, 3 * 3 + 3 + 3 * 3 + 3 + 3 * 2 + 2)
        // The removed units contributed exactly 0 (ReLU of a negative, or times a zero weight),
        // and the matrix products add the remaining terms in the same order: bit-identical.
        XCTAssertEqual(try narrowed.predict(x), before)
        // Units dead only on the data are removed on the data's word; units with no inputs or no
        // outputs are removable for any input, here also on rows never seen.
        XCTAssertEqual(try narrowed.predict(rows(50, seed: 2)), try model.predict(rows(50, seed: 2)))
        XCTAssertEqual(narrowed.loss, .sparseCategoricalCrossEntropy)
    }

    func testWithoutDataOnlyUnitsRemovableForAnyInputGo() throws {
        let model = try makeModel()
        let (narrowed, report) = try NeuronPruning.narrowed(model)
        // Unit 1 of layer 0 (dead on [-1, 1]³ only) stays.
        XCTAssertEqual(narrowed.layers.map(\.outputSize), [4, 3, 2])
        XCTAssertEqual(report.removedUnits, 2)
        let x = rows(100, seed: 3)
        XCTAssertEqual(try narrowed.predict(x), try model.predict(x))
    }

    func testAConstantUnitBeforeBatchNormalizationIsFoldedIntoTheNextBias() throws {
        let model = try Sequential(inputSize: 3, layers: [Dense(4, activation: .relu), BatchNormalization(), Dense(2)], seed: 9)
        var w0 = model.weights[0][0], b0 = model.weights[0][1]
        for r in 0..<3 { w0[r, 2] = 0.1 }
        b0[0, 2] = -5  // dead on the data: ReLU 0, which BatchNormalization maps to a constant ≠ 0
        try model.setWeights([[w0, b0], [Matrix([[1.5, 0.5, 2, 1]]), Matrix([[0.1, -0.2, 0.3, 0]])], model.weights[2]])
        try model.setBuffers([[], [Matrix([[0.2, 0.1, 0.4, -0.3]]), Matrix([[1, 2, 0.5, 1.5]])], []])
        let x = rows(120, seed: 4)
        let (narrowed, report) = try NeuronPruning.narrowed(model, data: x)
        XCTAssertEqual(narrowed.layers.map(\.outputSize), [3, 3, 2])
        XCTAssertEqual(report.narrowed.first?.constant, 1)
        XCTAssertEqual(narrowed.weights[1][0], Matrix([[1.5, 0.5, 1]]))
        XCTAssertEqual(narrowed.buffers[1][1], Matrix([[1, 2, 1.5]]))
        // c·W₂[2, ·] moved into b₂: the sum is rounded in another order, so equal within a few ulps
        // of outputs of magnitude ~1 (1e-5 absolute).
        let (a, b) = (try model.predict(x), try narrowed.predict(x))
        for (p, q) in zip(a.elements, b.elements) { XCTAssertEqual(p, q, accuracy: 1e-5) }
    }

    func testLayerNormalizationBetweenIsReportedAndLeftWhole() throws {
        let model = try Sequential(inputSize: 3, layers: [Dense(4, activation: .relu), LayerNormalization(), Dense(2)], seed: 9)
        var w0 = model.weights[0][0]
        for r in 0..<3 { w0[r, 1] = 0 }
        try model.setWeights([[w0, model.weights[0][1]], model.weights[1], model.weights[2]])
        let (narrowed, report) = try NeuronPruning.narrowed(model, data: rows(10, seed: 5))
        XCTAssertEqual(narrowed.layers.map(\.outputSize), [4, 4, 2])
        XCTAssertEqual(report.skipped.map(\.layer), [0])
        XCTAssertTrue(report.skipped[0].reason.contains("LayerNormalization"), report.skipped[0].reason)
    }

    func testDataOfTheWrongWidthThrows() throws {
        XCTAssertThrowsError(try NeuronPruning.narrowed(try makeModel(), data: Matrix(rows: 2, columns: 4)))
        XCTAssertThrowsError(try NeuronPruning.narrowed(try makeModel(), data: Matrix(rows: 0, columns: 3)))
    }
}
