import XCTest
import Perceptron
import PerceptronTestSupport

/// Backpropagation through a whole network against central finite differences, for every
/// parameter of a 3-layer network with L1 and L2 penalties on.
final class NetworkGradientTests: XCTestCase {
    /// Tolerance 3e-3 of each gradient's largest entry: the loss is a float32 sum over a
    /// 3-layer network (relative roundoff ≈ 1e-7 on a loss of order 1, over 2h = 2e-3 gives
    /// ≈ 1e-4 absolute), plus truncation h²·L‴/6 ≲ 1e-6. The seeds give inputs and weights
    /// with no leaky-ReLU pre-activation or L1-penalized weight within h of its kink at 0,
    /// where a finite difference would straddle the kink.
    func checkNetwork(hidden: Activation, output: Activation, loss: Loss, targets: Matrix, seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let x = Matrix(rows: 5, columns: 3, elements: (0..<15).map { _ in Float(generator.nextNormal()) })
        let model = try Sequential(inputSize: 3, layers: [
            Dense(4, activation: hidden, kernelRegularizer: Regularizer(l1: 0.01, l2: 0.02)),
            Dense(4, activation: .leakyReLU, kernelInitializer: .heNormal, biasInitializer: .constant(0.1),
                  kernelRegularizer: Regularizer(l1: 0.005)),
            Dense(targets.columns == 1 && loss.usesClassIndices ? 3 : targets.columns, activation: output,
                  kernelRegularizer: Regularizer(l2: 0.03)),
        ], seed: seed)
        try model.compile(loss: loss)
        let (_, gradients) = try model.lossAndGradients(x, targets)
        let h: Float = 1e-3
        var checked = 0
        for layer in 0..<3 {
            for parameter in 0..<2 {
                let numeric = try numericalGradient(of: { probe in
                    var w = model.weights
                    let saved = w
                    w[layer][parameter] = probe
                    try model.setWeights(w)
                    defer { try? model.setWeights(saved) }
                    return try model.lossAndGradients(x, targets).loss
                }, at: model.weights[layer][parameter], step: h)
                assertClose(gradients[layer][parameter], numeric, tolerance: 3e-3, "layer \(layer) parameter \(parameter) (\(hidden), \(loss))")
                checked += numeric.count
            }
        }
        XCTAssertEqual(checked, model.parameterCount)
    }

    func testThreeLayerNetworkWithRegularization() throws {
        try checkNetwork(hidden: .tanh, output: .softmax, loss: .categoricalCrossEntropy,
                         targets: Matrix([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]]), seed: 3)
        try checkNetwork(hidden: .sigmoid, output: .softmax, loss: .sparseCategoricalCrossEntropy,
                         targets: Matrix(column: [0, 2, 1, 1, 0]), seed: 4)
        try checkNetwork(hidden: .elu, output: .sigmoid, loss: .binaryCrossEntropy,
                         targets: Matrix([[1, 0], [0, 0], [1, 1], [0, 1], [1, 0]]), seed: 5)
        try checkNetwork(hidden: .gelu, output: .linear, loss: .meanSquaredError,
                         targets: Matrix([[0.5, -1], [0.2, 0.3], [1.5, 0.1], [-0.4, 0.8], [0, 1]]), seed: 6)
        try checkNetwork(hidden: .softplus, output: .tanh, loss: .huber,
                         targets: Matrix([[0.5, -1], [0.2, 0.3], [1.5, 0.1], [-0.4, 0.8], [0, 1]]), seed: 7)
    }
}
