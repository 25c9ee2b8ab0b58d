import XCTest
import Perceptron
import PerceptronTestSupport

final class ActivationTests: XCTestCase {
    /// Inputs away from the kinks of ReLU and leaky ReLU (at 0), so finite differences are valid.
    let z = Matrix([[-2.1, -0.7, 0.3, 1.6], [0.9, -1.3, 2.4, -0.2], [-0.45, 0.55, -3.0, 1.1]])

    /// Each activation's backward pass against central differences of Σ g ⊙ f(z).
    ///
    /// Tolerance 2e-3 relative to the gradient's largest entry: f is evaluated in float32
    /// (roundoff ≈ 6e-8 on values of order 1, divided by 2h = 2e-2 gives ≈ 1e-5), and the
    /// central difference's truncation error h²·f‴/6 ≈ 2e-5 for |f‴| ≲ 1 at h = 1e-2.
    func testBackwardMatchesFiniteDifferences() throws {
        let g = Matrix([[0.3, -1.2, 0.7, 0.1], [-0.5, 0.9, 0.2, -0.8], [1.1, -0.4, 0.6, 0.25]])
        for activation in Activation.allCases {
            let a = activation.apply(z)
            var analytic = Matrix(rows: 0, columns: 0)
            activation.backward(outputGradient: g, input: z, output: a, into: &analytic)
            let numeric = numericalGradient(of: { (g * activation.apply($0)).sum() }, at: z, step: 1e-2)
            assertClose(analytic, numeric, tolerance: 2e-3, "activation \(activation)")
        }
    }

    func testStableForLargeInputs() {
        let extreme = Matrix([[-1e4, -100, 0, 100, 1e4], [1e4, 1e4, -1e4, 0, 5]])
        for activation in Activation.allCases {
            let a = activation.apply(extreme)
            XCTAssertTrue(a.isFinite, "\(activation) overflowed: \(a)")
            var d = Matrix(rows: 0, columns: 0)
            activation.backward(outputGradient: Matrix(rows: 2, columns: 5, repeating: 1), input: extreme, output: a, into: &d)
            XCTAssertTrue(d.isFinite, "\(activation)′ overflowed: \(d)")
        }
        XCTAssertEqual(Activation.sigmoid.value(-1e4), 0)
        XCTAssertEqual(Activation.sigmoid.value(1e4), 1)
        XCTAssertEqual(Activation.softplus.value(1e4), 1e4)
        XCTAssertEqual(Activation.softplus.value(-1e4), 0)
        let p = Activation.softmax.apply(Matrix([[1e4, 0, -1e4]]))
        XCTAssertEqual(p.elements, [1, 0, 0])
    }

    func testKnownValues() {
        XCTAssertEqual(Activation.relu.value(-2), 0)
        XCTAssertEqual(Activation.leakyReLU.value(-2), -0.02, accuracy: 1e-7)
        XCTAssertEqual(Activation.elu.value(-1), Float(exp(-1.0) - 1), accuracy: 1e-6)
        // GELU(1) = Φ(1) = 0.8413447 (exact erf form).
        XCTAssertEqual(Activation.gelu.value(1), 0.841_344_7, accuracy: 1e-6)
        XCTAssertEqual(Activation.tanh.value(0.5), Float(tanh(0.5)), accuracy: 1e-7)
        let p = Activation.softmax.apply(Matrix([[1, 2, 3]]))
        XCTAssertEqual(p.elements.reduce(0, +), 1, accuracy: 1e-6)
        XCTAssertEqual(p[0, 2], 0.665_240_9, accuracy: 1e-6)
    }
}
