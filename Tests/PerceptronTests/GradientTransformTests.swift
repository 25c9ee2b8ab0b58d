import XCTest
import Perceptron

/// The step's gradient-transform stage: clipping first, then the model's transforms in
/// order; a user-defined accumulation holds updates back and averages.
final class GradientTransformTests: XCTestCase {
    /// Averages the gradients of two consecutive batches and updates once per pair.
    struct AccumulateTwo: GradientTransform {
        var held: [Matrix] = []
        mutating func transform(_ gradients: inout ModelGradients) -> GradientTransformOutcome {
            if held.isEmpty {
                gradients.forEach { _, _, g in held.append(g) }
                return .skipUpdate
            }
            gradients.forEach { slot, _, g in
                for i in 0..<g.rows { for j in 0..<g.columns { g[i, j] = (g[i, j] + held[slot][i, j]) / 2 } }
            }
            held = []
            return .proceed
        }
    }

    /// Records the global gradient norm it sees.
    final class NormProbe: GradientTransform {
        var norms: [Double] = []
        func transform(_ gradients: inout ModelGradients) -> GradientTransformOutcome {
            norms.append(gradients.sumOfSquares().squareRoot())
            return .proceed
        }
    }

    func data() -> (Matrix, Matrix) {
        var g = SeededGenerator(seed: 8)
        let x = Matrix(rows: 16, columns: 3, elements: (0..<48).map { _ in Float(g.nextNormal()) })
        let y = Matrix(column: (0..<16).map { i in x[i, 0] - 0.5 * x[i, 2] > 0 ? 1 : 0 })
        return (x, y)
    }

    func model() throws -> Sequential {
        let m = try Sequential(inputSize: 3, layers: [Dense(4, activation: .tanh), Dense(1, activation: .sigmoid)], seed: 2)
        try m.compile(loss: .binaryCrossEntropy, optimizer: SGD(learningRate: 0.5))
        return m
    }

    /// Two half batches averaged give the gradient of the whole batch (the loss is a mean),
    /// so SGD with accumulation over 2 × 4 rows follows SGD on 8 rows. Tolerance 1e-6:
    /// only the summation order of the mean differs (two means of 4 vs one of 8, float32).
    func testAccumulationMatchesTheDoubleBatch() throws {
        let (x, y) = data()
        let accumulated = try model()
        accumulated.gradientTransforms = [AccumulateTwo()]
        try accumulated.fit(x, y, epochs: 3, batchSize: 4, shuffle: false)
        let whole = try model()
        try whole.fit(x, y, epochs: 3, batchSize: 8, shuffle: false)
        XCTAssertEqual(accumulated.optimizer.step, whole.optimizer.step)
        for (a, b) in zip(accumulated.weights.joined(), whole.weights.joined()) {
            for i in 0..<a.count { XCTAssertEqual(a.elements[i], b.elements[i], accuracy: 1e-6) }
        }
    }

    /// Clipping runs first: a later transform sees gradients whose norm is at most the clip.
    func testClippingIsTheFirstTransform() throws {
        let (x, y) = data()
        let m = try Sequential(inputSize: 3, layers: [Dense(4, activation: .tanh), Dense(1, activation: .sigmoid)], seed: 2)
        try m.compile(loss: .binaryCrossEntropy, optimizer: SGD(learningRate: 0.5), gradientClipping: .byNorm(0.01))
        let probe = NormProbe()
        m.gradientTransforms = [probe]
        try m.fit(x, y, epochs: 2, batchSize: 4)
        XCTAssertEqual(probe.norms.count, 8)
        // ‖g‖ ≤ c, with the 1e-6 guard of the scale c / (‖g‖ + 1e-6) and float rounding.
        for norm in probe.norms { XCTAssertLessThanOrEqual(norm, 0.01 * (1 + 1e-5)) }
    }

    /// A transform that finds a non-finite gradient stops training, as a NaN loss does.
    func testNonFiniteOutcomeStopsTraining() throws {
        struct Refuse: GradientTransform {
            func transform(_ gradients: inout ModelGradients) -> GradientTransformOutcome { .nonFinite }
        }
        let (x, y) = data()
        let m = try model()
        let before = m.weights
        m.gradientTransforms = [Refuse()]
        let history = try m.fit(x, y, epochs: 2, batchSize: 4)
        guard case .nonFiniteLoss(epoch: 0, batch: 0, _) = history.stopReason else { return XCTFail("\(history.stopReason)") }
        XCTAssertEqual(m.weights, before)
    }
}
