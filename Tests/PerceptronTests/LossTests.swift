import XCTest
import Perceptron
import PerceptronTestSupport

final class LossTests: XCTestCase {
    let probabilities = Matrix([[0.7, 0.2, 0.1], [0.15, 0.25, 0.6], [0.3, 0.4, 0.3], [0.05, 0.9, 0.05]])
    let oneHot = Matrix([[1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]])
    let labels = Matrix(column: [0, 2, 1, 0])
    let values = Matrix([[0.3, -1.5, 2.2], [1.1, 0.4, -0.3], [-2.4, 0.8, 0.05], [0.6, 1.7, -0.9]])
    let binary = Matrix([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0]])

    /// Each loss's gradient against central differences of its value.
    ///
    /// Tolerance 2e-3 of the gradient's scale: the loss is float32 (roundoff ≈ 6e-8 relative
    /// on values of order 1, over 2h = 2e-3 gives ≈ 6e-5), and the truncation error
    /// h²·L‴/6 is below 1e-5 for these inputs at h = 1e-3 (they stay away from MAE's and
    /// Huber's kinks and from probabilities near 0).
    func testGradientsMatchFiniteDifferences() {
        let weights: [Float] = [1, 0.5, 2, 1.5]
        for loss in Loss.allCases {
            let (input, target): (Matrix, Matrix)
            switch loss {
            case .categoricalCrossEntropy: (input, target) = (probabilities, oneHot)
            case .sparseCategoricalCrossEntropy: (input, target) = (probabilities, labels)
            case .binaryCrossEntropy: (input, target) = (probabilities, binary)
            case .binaryCrossEntropyFromLogits: (input, target) = (values, binary)
            default: (input, target) = (values, values.map { $0 * 0.5 + 0.25 })
            }
            for w in [nil, weights] {
                let analytic = loss.gradient(predictions: input, targets: target, sampleWeights: w)
                let numeric = numericalGradient(of: { loss.value(predictions: $0, targets: target, sampleWeights: w) },
                                                at: input, step: 1e-3)
                assertClose(analytic, numeric, tolerance: 2e-3, "\(loss) weights \(w != nil)")
            }
        }
    }

    /// The fused forms (from logits) agree with the plain forms on probabilities, and the
    /// fused gradient ŷ − y agrees with the chain rule through the activation.
    func testFusedFormsAgreeWithComposition() {
        let logits = values
        for loss in Loss.allCases {
            guard let activation = loss.fusedActivation else { continue }
            let target = loss == .sparseCategoricalCrossEntropy ? Matrix(column: [0, 2, 1, 0])
                : loss == .categoricalCrossEntropy ? oneHot : binary
            let p = activation.apply(logits)
            assertClose(loss.fusedValue(logits: logits, targets: target), loss.value(predictions: p, targets: target),
                        relative: 1e-5, "\(loss) value")
            var fused = Matrix(rows: 0, columns: 0)
            loss.fusedGradient(output: p, targets: target, into: &fused)
            var chained = Matrix(rows: 0, columns: 0)
            activation.backward(outputGradient: loss.gradient(predictions: p, targets: target), input: logits, output: p, into: &chained)
            assertClose(fused, chained, tolerance: 1e-4, "\(loss) gradient")
        }
    }

    /// No log(0): certain-but-wrong predictions give a large finite loss, not Inf or NaN.
    func testNoLogOfZero() {
        let p = Matrix([[1, 0, 0]])
        let y = Matrix([[0, 1, 0]])
        let value = Loss.categoricalCrossEntropy.value(predictions: p, targets: y)
        XCTAssertTrue(value.isFinite)
        XCTAssertEqual(value, -log(Loss.probabilityEpsilon), accuracy: 1e-3)
        XCTAssertTrue(Loss.categoricalCrossEntropy.gradient(predictions: p, targets: y).isFinite)
        XCTAssertTrue(Loss.binaryCrossEntropy.value(predictions: Matrix([[0]]), targets: Matrix([[1]])).isFinite)
        // From logits, even huge logits stay exact and finite.
        let huge = Matrix([[1e4, -1e4, 0]])
        XCTAssertEqual(Loss.categoricalCrossEntropy.fusedValue(logits: huge, targets: y), 2e4, accuracy: 1)
        XCTAssertEqual(Loss.binaryCrossEntropyFromLogits.value(predictions: Matrix([[1e4]]), targets: Matrix([[0]])), 1e4, accuracy: 1)
    }

    /// Hand-worked values.
    func testKnownValues() {
        // MSE of residuals (1, −2) over 2 elements = (1 + 4)/2.
        XCTAssertEqual(Loss.meanSquaredError.value(predictions: Matrix([[1, 0]]), targets: Matrix([[0, 2]])), 2.5)
        // Huber δ=1 of residuals 0.5 and 3: (0.125 + 2.5)/2.
        XCTAssertEqual(Loss.huber.value(predictions: Matrix([[0.5, 3]]), targets: Matrix([[0, 0]])), 1.3125)
        // Sparse CCE: −log 0.6.
        XCTAssertEqual(Loss.sparseCategoricalCrossEntropy.value(predictions: Matrix([[0.1, 0.3, 0.6]]), targets: Matrix([[2]])),
                       -log(0.6), accuracy: 1e-6)
    }

    func testTargetValidation() {
        XCTAssertThrowsError(try Loss.sparseCategoricalCrossEntropy.validate(targets: Matrix(column: [0, 3]), outputSize: 3)) {
            XCTAssertEqual($0 as? PerceptronError, .labelOutOfRange(row: 1, label: 3, classCount: 3))
        }
        XCTAssertThrowsError(try Loss.sparseCategoricalCrossEntropy.validate(targets: Matrix(column: [0.5]), outputSize: 3))
        XCTAssertThrowsError(try Loss.categoricalCrossEntropy.validate(targets: Matrix([[0, 1]]), outputSize: 3))
        XCTAssertThrowsError(try Loss.binaryCrossEntropy.validate(targets: Matrix([[2]]), outputSize: 1))
        XCTAssertThrowsError(try Loss.meanSquaredError.validate(targets: Matrix([[1, .nan]]), outputSize: 2)) { error in
            guard case let .nonFiniteValue(what, row, column, _)? = error as? PerceptronError else { return XCTFail("\(error)") }
            XCTAssertEqual(what, "y"); XCTAssertEqual(row, 0); XCTAssertEqual(column, 1)
        }
    }
}
