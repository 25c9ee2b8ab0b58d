import XCTest
@testable import Perceptron

/// Unit-wise (structured) pruning: the units of smallest weight norm go, and the narrower
/// network computes what the masked wide one does.
final class UnitPruningTests: XCTestCase {
    func rows(_ n: Int, columns: Int, seed: UInt64) -> Matrix {
        var generator = SeededGenerator(seed: seed)
        return Matrix(rows: n, columns: columns, elements: (0..<(columns * n)).map { _ in Float.random(in: -1...1, using: &generator) })
    }

    /// 6 → 10 (ReLU) → 8 (ReLU) → 3 (softmax), random weights.
    func makeModel() throws -> Sequential {
        let model = try Sequential(inputSize: 6, layers: [Dense(10, activation: .relu), Dense(8, activation: .relu),
                                                           Dense(3, activation: .softmax)], seed: 5)
        try model.compile(loss: .sparseCategoricalCrossEntropy)
        return model
    }

    func testNarrowedModelPredictsWhatTheMaskedWideOneDoes() throws {
        let model = try makeModel()
        let x = rows(300, columns: 6, seed: 2)
        let wide = try model.predict(x)
        let (narrowed, selection, report) = try UnitPruning.narrowed(model, fraction: 0.5)
        XCTAssertEqual(narrowed.layers.map(\.outputSize), [5, 4, 3])
        XCTAssertEqual(selection[0]?.count, 5)
        XCTAssertEqual(selection[1]?.count, 4)
        XCTAssertEqual(report.removedUnits, 9)
        XCTAssertEqual(narrowed.parameterCount, 6 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3)
        // The masked wide model: the removed units' outgoing weights set to zero in the original.
        let masked = model
        var weights = model.weights
        for (l, removed) in selection {
            let m = l + 1  // the next Dense layer (nothing between them here)
            for u in removed { for k in 0..<weights[m][0].columns { weights[m][0][u, k] = 0 } }
        }
        try masked.setWeights(weights)
        // The removed units add exactly 0 (ReLU(0)·0) and the products add the remaining terms in
        // the same order, so the outputs are the same bits.
        XCTAssertEqual(try narrowed.predict(x), try masked.predict(x))
        XCTAssertNotEqual(try masked.predict(x), wide, "masking half the units changes the outputs")
        XCTAssertEqual(narrowed.loss, .sparseCategoricalCrossEntropy, "compiled like the original, so it can be fine-tuned")
    }

    func testTheUnitsOfSmallestNormProductGo() throws {
        let model = try makeModel()
        var w0 = model.weights[0][0], w1 = model.weights[1][0]
        // Unit 7 of layer 0: large inputs but tiny outputs (small product); unit 2: large both ways.
        for r in 0..<6 { w0[r, 7] = 5; w0[r, 2] = 5 }
        for k in 0..<8 { w1[7, k] = 1e-4; w1[2, k] = 5 }
        try model.setWeights([[w0, model.weights[0][1]], [w1, model.weights[1][1]], model.weights[2]])
        let (_, selection, report) = try UnitPruning.narrowed(model, fraction: 0.1)
        XCTAssertEqual(selection[0], [7])
        XCTAssertNil(selection[1], "⌊0.1·8⌋ = 0 units of layer 1")
        XCTAssertTrue(report.skipped.isEmpty)
        let scores = UnitPruning.unitScores(weights: model.weights, from: 0, to: 1, useBias: true)
        XCTAssertEqual(scores.indices.min { scores[$0] < scores[$1] }, 7)
        XCTAssertEqual(scores.indices.max { scores[$0] < scores[$1] }, 2)
        // Each layer keeps at least one unit, however high the fraction.
        XCTAssertEqual(try UnitPruning.narrowed(model, fraction: 0.99).model.layers.map(\.outputSize), [1, 1, 3])
    }

    func testBadFractionsAndModelsWithoutHiddenUnitsAreTypedErrors() throws {
        let model = try makeModel()
        for fraction in [-0.1, 1, 1.5, .nan] {
            XCTAssertThrowsError(try UnitPruning.narrowed(model, fraction: fraction)) {
                guard case PerceptronError.invalidHyperparameter = $0 else { return XCTFail("\(fraction): \($0)") }
            }
        }
        let single = try Sequential(inputSize: 4, layers: [Dense(3, activation: .softmax)], seed: 1)
        XCTAssertThrowsError(try UnitPruning.prune(model, fraction: 0.5, fineTuneOn: rows(4, columns: 6, seed: 1),
                                                   Matrix(column: [0, 1, 2, 0]), epochs: -1)) {
            guard case PerceptronError.invalidHyperparameter = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try UnitPruning.narrowed(single, fraction: 0.5)) {
            guard case PerceptronError.incompatible = $0 else { return XCTFail("\($0)") }
        }
        // A hidden softmax layer's units are not independent: skipped, with the reason.
        let softmaxHidden = try Sequential(inputSize: 4, layers: [Dense(6, activation: .relu), Dense(5, activation: .softmax),
                                                                   Dense(2, activation: .softmax)], seed: 1)
        let (narrowed, _, report) = try UnitPruning.narrowed(softmaxHidden, fraction: 0.5)
        XCTAssertEqual(narrowed.layers.map(\.outputSize), [3, 5, 2])
        XCTAssertEqual(report.skipped.map(\.layer), [1])
    }

    func testFineTuningTheNarrowedModelLowersItsLoss() throws {
        // Labels from a fixed rule, so there is something to learn back after pruning.
        let x = rows(400, columns: 6, seed: 3)
        let y = Matrix(column: (0..<x.rows).map { r in Float(x[r, 0] + x[r, 1] > 0 ? (x[r, 2] > 0 ? 2 : 1) : 0) })
        let model = try makeModel()
        try model.fit(x, y, epochs: 30, batchSize: 40)
        let pruned = try UnitPruning.prune(model, fraction: 0.5, fineTuneOn: x, y, epochs: 20, batchSize: 40)
        XCTAssertEqual(pruned.model.layers.map(\.outputSize), [5, 4, 3])
        let losses = try XCTUnwrap(pruned.history)["loss"]
        XCTAssertLessThan(try XCTUnwrap(losses.last), try XCTUnwrap(losses.first))
    }
}
