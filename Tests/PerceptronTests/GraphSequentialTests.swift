import XCTest
import Perceptron
import PerceptronTestSupport

/// The graph and the layer API compute the same gradients for the same network.
final class GraphSequentialTests: XCTestCase {
    func testSameGradientsAsSequential() throws {
        let (n, d, h, k) = (7, 4, 5, 3)
        var rng = SeededGenerator(seed: 2024)
        let x = Matrix(rows: n, columns: d, elements: (0..<(n * d)).map { _ in Float(rng.nextNormal()) })
        var y = Matrix(rows: n, columns: k)
        for i in 0..<n { y[i, Int(rng.next() % UInt64(k))] = 1 }

        let model = try Sequential(inputSize: d, layers: [Dense(h, activation: .tanh), Dense(k, activation: .softmax)], seed: 7)
        try model.compile(loss: .categoricalCrossEntropy, optimizer: SGD(learningRate: 0.1))
        let weights = model.weights
        try model.setWeights(weights)
        let (sequentialLoss, sequentialGradients) = try model.lossAndGradients(x, y)

        // J = −(1/n)·Σᵢⱼ yᵢⱼ·log softmax(tanh(X·W₁ + b₁)·W₂ + b₂)ᵢⱼ, with the model's weights.
        let X = Placeholder(name: "X"), Y = Placeholder(name: "Y")
        let W1 = Variable(weights[0][0], name: "W1"), b1 = Variable(weights[0][1], name: "b1")
        let W2 = Variable(weights[1][0], name: "W2"), b2 = Variable(weights[1][1], name: "b2")
        let p = Graph.softmax(Graph.matmul(Graph.tanh(Graph.matmul(X, W1) + b1), W2) + b2)
        let J = -Graph.reduceSum(Y * Graph.log(p)) / Float(n)
        let session = Session()
        let feed = [X: x, Y: y]
        let graphLoss = try session.run(J, feed: feed)[0, 0]
        let graphGradients = try session.gradients(of: J, withRespectTo: [W1, b1, W2, b2], feed: feed)

        assertClose(graphLoss, sequentialLoss, relative: 1e-5)
        let expected = sequentialGradients.flatMap { $0 }
        for (name, (got, want)) in zip(["W1", "b1", "W2", "b2"], zip(graphGradients, expected)) {
            assertClose(got, want, tolerance: 1e-5, "∂J/∂\(name)")
        }
    }

    /// One graph Adam step matches the core `Adam` applied to the same gradient.
    func testAdamStepMatchesCoreAdam() throws {
        let start = Matrix([[0.5, -1], [2, 0.25]])
        let w = Variable(start, name: "w")
        let loss = Graph.reduceSum(Graph.square(w - 1))
        let step = try AdamOptimizer(learningRate: 0.1).minimize(loss)
        let session = Session()
        let gradient = try session.gradients(of: loss, withRespectTo: [w])[0]
        try session.run(step)
        try session.run(step)
        var core = Adam(learningRate: 0.1)
        var expected = start
        for _ in 0..<2 {
            core.beginStep()
            core.update(&expected, gradient: expected.map { 2 * ($0 - 1) }, slot: 0)
        }
        XCTAssertEqual(gradient, start.map { 2 * ($0 - 1) })
        assertClose(w.value, expected, tolerance: 1e-6)
        XCTAssertEqual(step.optimizer.step, 2)
    }

    /// Gradient descent on (w − 1)² moves w by exactly η·2(w − 1) per step, and the step's value is the loss before it.
    func testGradientDescentStep() throws {
        let w = Variable(Matrix([[3]]), name: "w")
        let loss = Graph.square(w - 1)
        let step = try GradientDescentOptimizer(learningRate: 0.25).minimize(loss)
        let session = Session()
        XCTAssertEqual(try session.run(step), Matrix([[4]]))
        XCTAssertEqual(w.value, Matrix([[2]]))      // 3 − 0.25·2·(3 − 1)
        XCTAssertEqual(try session.run(w), Matrix([[2]]))
    }
}
