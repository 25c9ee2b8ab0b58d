import CPerceptronKernels
import Foundation
import XCTest
import Perceptron
import PerceptronTestSupport

/// One step of each optimizer by the hand formula, on θ = [1, −2], g = [0.5, 0.25]
/// (arithmetic in the comments), plus schedules and clipping.
final class OptimizerTests: XCTestCase {
    let theta = Matrix(row: [1, -2])
    let g = Matrix(row: [0.5, 0.25])

    func step(_ optimizer: inout some Optimizer, times: Int = 1) -> Matrix {
        var p = theta
        for _ in 0..<times {
            optimizer.beginStep()
            optimizer.update(&p, gradient: g, slot: 0)
        }
        return p
    }

    func testSGD() {
        var sgd = SGD(learningRate: 0.1)
        XCTAssertEqual(step(&sgd).elements, [0.95, -2.025])  // θ − 0.1·g
        var momentum = SGD(learningRate: 0.1, momentum: 0.9)
        // b₁ = g, b₂ = 0.9g + g = 1.9g: θ − 0.1·(1 + 1.9)·g = [0.855, −2.0725]
        assertClose(step(&momentum, times: 2), Matrix(row: [0.855, -2.0725]), tolerance: 1e-6)
        var nesterov = SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
        // step 1 uses g + 0.9·g = 1.9g → θ − 0.19·g = [0.905, −2.0475]
        assertClose(step(&nesterov), Matrix(row: [0.905, -2.0475]), tolerance: 1e-6)
        var decay = SGD(learningRate: 0.1, weightDecay: 0.1)
        // g + 0.1θ = [0.6, 0.05] → [0.94, −2.005]
        assertClose(step(&decay), Matrix(row: [0.94, -2.005]), tolerance: 1e-6)
    }

    func testAdaGradAndRMSProp() {
        var adagrad = AdaGrad(learningRate: 0.1)
        // s = g², step = 0.1·g/|g| = 0.1 per element (ε negligible)
        assertClose(step(&adagrad), Matrix(row: [0.9, -2.1]), tolerance: 1e-6)
        var rmsprop = RMSProp(learningRate: 0.01, rho: 0.99)
        // v = 0.01·g², step = 0.01·g/(0.1·|g|) = 0.1 per element
        assertClose(step(&rmsprop), Matrix(row: [0.9, -2.1]), tolerance: 1e-5)
    }

    func testAdamFirstStepIsLearningRateTimesSign() {
        // m̂ = g, v̂ = g² after bias correction, so the first step is η·g/|g| (seed 001's Adam).
        var adam = Adam(learningRate: 0.01)
        assertClose(step(&adam), Matrix(row: [0.99, -2.01]), tolerance: 1e-6)
        var adamW = AdamW(learningRate: 0.01, weightDecay: 0.1)
        // θ·(1 − 0.001) then the same step: [0.999 − 0.01, −1.998 − 0.01]
        assertClose(step(&adamW), Matrix(row: [0.989, -2.008]), tolerance: 1e-6)
    }

    /// Adam's kernel flushes denormals to zero inside its update (each costs an Intel core a
    /// microcode assist) and leaves the caller's floating-point mode as it was. With
    /// g = 10⁻²⁰, (1 − β₂)·g² ≈ 10⁻⁴³ is below fp32's normal range (2⁻¹²⁶ ≈ 1.2·10⁻³⁸):
    /// flushed, v stays exactly 0 (unflushed it would be that denormal); m = (1 − β₁)·g is
    /// normal and kept.
    func testAdamFlushesDenormalsAndRestoresTheFloatingPointMode() {
        var theta: [Float] = [1], g: [Float] = [1e-20], m: [Float] = [0], v: [Float] = [0]
        var h = pk_adam_params(beta1: 0.9, beta2: 0.999, epsilon: 1e-7, step_size: 0.01, inv_root_bc2: 1,
                               coupled_decay: 0, shrink: 1)
        pk_adam_update(1, &theta, g, &m, &v, nil, &h)
        XCTAssertEqual(v[0], 0, "v holds a denormal: the update did not run flush-to-zero")
        XCTAssertEqual(m[0], 0.1 * 1e-20, accuracy: 1e-27)
        // The caller's mode is back: a product below 2⁻¹²⁶ is still a denormal, not zero.
        let tiny = [Float(1e-30)]
        let product = tiny[0] * Float(1e-10)
        XCTAssertTrue(product.isSubnormal, "denormal results are flushed after Adam: the MXCSR was not restored")
    }

    /// AMSGrad's max matters once gradients shrink: with the max over v, the denominator
    /// cannot fall, so the step is smaller than Adam's.
    func testAMSGradKeepsTheLargestSecondMoment() {
        var adam = Adam(learningRate: 0.1, beta2: 0.9)
        var ams = Adam(learningRate: 0.1, beta2: 0.9, amsgrad: true)
        var pa = theta, pm = theta
        for (t, scale) in [Float(1), 0.01, 0.01].enumerated() {
            let gradient = g * scale
            adam.beginStep(); adam.update(&pa, gradient: gradient, slot: 0)
            ams.beginStep(); ams.update(&pm, gradient: gradient, slot: 0)
            if t == 0 { XCTAssertEqual(pa, pm) }
        }
        XCTAssertLessThan(abs(pm[0, 0] - pa[0, 0]) , 0.1)
        XCTAssertGreaterThan(pm[0, 0], pa[0, 0])  // AMSGrad moved less
        XCTAssertNotNil(ams.state.slots["vMax"])
    }

    func testStateRoundTripResumesIdentically() {
        var a = Adam(learningRate: 0.01)
        var p = theta
        for _ in 0..<3 { a.beginStep(); a.update(&p, gradient: g, slot: 0) }
        var b = Adam(learningRate: 0.01)
        b.state = a.state
        var pa = p, pb = p
        a.beginStep(); a.update(&pa, gradient: g, slot: 0)
        b.beginStep(); b.update(&pb, gradient: g, slot: 0)
        XCTAssertEqual(pa, pb)
        XCTAssertEqual(b.step, 4)
        // Configuration round-trips through JSON.
        let data = try! JSONEncoder().encode(AnyOptimizerConfiguration(a.configuration))
        XCTAssertEqual(try! JSONDecoder().decode(AnyOptimizerConfiguration.self, from: data), AnyOptimizerConfiguration(a.configuration))
    }

    func testLearningRateSchedules() {
        XCTAssertEqual(LearningRateSchedule.step(every: 2, factor: 0.5).learningRate(base: 1, epoch: 5), 0.25)
        XCTAssertEqual(LearningRateSchedule.exponential(factor: 0.9).learningRate(base: 1, epoch: 2), 0.81, accuracy: 1e-6)
        let cosine = LearningRateSchedule.cosine(epochs: 10, minimum: 0.1)
        XCTAssertEqual(cosine.learningRate(base: 1, epoch: 0), 1)
        XCTAssertEqual(cosine.learningRate(base: 1, epoch: 5), 0.55, accuracy: 1e-6)
        XCTAssertEqual(cosine.learningRate(base: 1, epoch: 10), 0.1, accuracy: 1e-6)
    }

    func testScheduleIsAppliedPerEpochInFit() throws {
        let model = try Sequential(inputSize: 1, layers: [Dense(1)], seed: 1)
        try model.compile(loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1), learningRateSchedule: .step(every: 1, factor: 0.5))
        let history = try model.fit(Matrix(column: [1, 2]), Matrix(column: [1, 2]), epochs: 3, batchSize: 2)
        XCTAssertEqual(history["lr"], [0.1, 0.05, 0.025])
    }

    /// Clipping by global norm: with gradient norm ‖g‖ > c, the update equals SGD with g·c/‖g‖.
    func testGradientClipping() throws {
        let x = Matrix([[3, 4]]), y = Matrix([[0]])
        func trainedWeights(_ clipping: GradientClipping?) throws -> (Matrix, [[Matrix]]) {
            let model = try Sequential(inputSize: 2, layers: [Dense(1, useBias: false, kernelInitializer: .constant(1))], seed: 1)
            try model.compile(loss: .meanSquaredError, optimizer: SGD(learningRate: 0.01), gradientClipping: clipping)
            let gradients = try model.lossAndGradients(x, y).gradients
            try model.trainOnBatch(x, y)
            return (model.weights[0][0], gradients)
        }
        // ŷ = 7, ∂L/∂W = 2·7·[3, 4] = [42, 56], ‖g‖ = 70.
        let (free, gradients) = try trainedWeights(nil)
        assertClose(gradients[0][0], Matrix(column: [42, 56]), tolerance: 1e-6)
        assertClose(free, Matrix(column: [1 - 0.42, 1 - 0.56]), tolerance: 1e-6)
        let (byNorm, _) = try trainedWeights(.byNorm(7))   // g → [4.2, 5.6]
        assertClose(byNorm, Matrix(column: [1 - 0.042, 1 - 0.056]), tolerance: 1e-5)
        let (byValue, _) = try trainedWeights(.byValue(50))  // g → [42, 50]
        assertClose(byValue, Matrix(column: [1 - 0.42, 1 - 0.5]), tolerance: 1e-6)
    }
}
