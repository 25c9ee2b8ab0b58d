import XCTest
import Perceptron
import PerceptronTestSupport

/// Every graph operation's backpropagated gradient against central finite differences.
///
/// The graph computes in Float32, so the differences use h = 1e-2: the rounding error of
/// (f(x+h) − f(x−h)) / 2h is about ε_f32·|f|/h ≈ 1e-7·10/1e-2 = 1e-4, and the truncation
/// error h²·f‴/6 is about 2e-5 for these smooth functions, so a tolerance of 1e-2 relative
/// to the largest gradient entry leaves a wide margin while still catching a wrong
/// formula (wrong terms are off by O(1)). Each loss is L = Σ (op(x) ⊙ R) with a fixed
/// random R, so every output element carries a different weight.
final class GraphGradientTests: XCTestCase {
    static let step: Float = 1e-2
    static let tolerance: Float = 1e-2

    func randomMatrix(_ rows: Int, _ columns: Int, in range: ClosedRange<Float> = -1...1, seed: UInt64) -> Matrix {
        var g = SeededGenerator(seed: seed)
        return Matrix(rows: rows, columns: columns,
                      elements: (0..<(rows * columns)).map { _ in range.lowerBound + (range.upperBound - range.lowerBound) * g.nextUnitFloat() })
    }

    /// Checks ∂L/∂vᵢ for L = Σ build(v) ⊙ R against finite differences, for each variable.
    func checkGradients(_ values: [Matrix], file: StaticString = #filePath, line: UInt = #line,
                        _ build: ([Variable]) -> Node) throws {
        let variables = values.enumerated().map { Variable($1, name: "v\($0)") }
        let output = build(variables)
        let session = Session()
        let shape = try session.run(output)
        let weights = Constant(randomMatrix(shape.rows, shape.columns, seed: 99), name: "R")
        let loss = Graph.reduceSum(output * weights, name: "L")
        let analytic = try session.gradients(of: loss, withRespectTo: variables)
        for (k, variable) in variables.enumerated() {
            let original = variable.value
            let numeric = try numericalGradient(of: { probe in
                variable.value = probe
                return try session.run(loss)[0, 0]
            }, at: original, step: Self.step)
            variable.value = original
            assertClose(analytic[k], numeric, tolerance: Self.tolerance, "∂L/∂v\(k)", file: file, line: line)
        }
    }

    func testMatmul() throws {
        try checkGradients([randomMatrix(3, 4, seed: 1), randomMatrix(4, 2, seed: 2)]) { v in Graph.matmul(v[0], v[1]) }
    }

    func testAddSameShapeAndBroadcasts() throws {
        try checkGradients([randomMatrix(3, 2, seed: 1), randomMatrix(3, 2, seed: 2)]) { v in v[0] + v[1] }
        try checkGradients([randomMatrix(3, 2, seed: 1), randomMatrix(1, 2, seed: 2)]) { v in Graph.add(v[0], v[1]) }  // bias row
        try checkGradients([randomMatrix(3, 1, seed: 1), randomMatrix(3, 4, seed: 2)]) { v in v[0] + v[1] }      // column
        try checkGradients([randomMatrix(1, 1, seed: 1), randomMatrix(2, 3, seed: 2)]) { v in v[0] + v[1] }      // scalar
    }

    func testSubtract() throws {
        try checkGradients([randomMatrix(3, 2, seed: 3), randomMatrix(1, 2, seed: 4)]) { v in v[0] - v[1] }
        try checkGradients([randomMatrix(1, 2, seed: 3), randomMatrix(3, 2, seed: 4)]) { v in Graph.subtract(v[0], v[1]) }
    }

    func testMultiply() throws {
        try checkGradients([randomMatrix(3, 2, seed: 5), randomMatrix(3, 2, seed: 6)]) { v in v[0] * v[1] }
        try checkGradients([randomMatrix(3, 2, seed: 5), randomMatrix(1, 2, seed: 6)]) { v in Graph.multiply(v[0], v[1]) }
    }

    func testDivide() throws {
        try checkGradients([randomMatrix(3, 2, seed: 7), randomMatrix(3, 2, in: 0.5...1.5, seed: 8)]) { v in v[0] / v[1] }
        try checkGradients([randomMatrix(3, 2, seed: 7), randomMatrix(3, 1, in: 0.5...1.5, seed: 8)]) { v in Graph.divide(v[0], v[1]) }
    }

    func testUnaryOperations() throws {
        let x = randomMatrix(3, 4, seed: 9)
        try checkGradients([x]) { v in -v[0] }
        try checkGradients([x]) { v in Graph.negative(v[0]) }
        try checkGradients([randomMatrix(3, 4, in: 0.5...2, seed: 10)]) { v in Graph.log(v[0]) }
        try checkGradients([x]) { v in Graph.exp(v[0]) }
        try checkGradients([x]) { v in Graph.square(v[0]) }
    }

    func testActivations() throws {
        let x = randomMatrix(4, 3, in: -2...2, seed: 11)
        try checkGradients([x]) { v in Graph.sigmoid(v[0]) }
        try checkGradients([x]) { v in Graph.tanh(v[0]) }
        try checkGradients([x]) { v in Graph.softmax(v[0]) }
        try checkGradients([x]) { v in Graph.activation(.elu, v[0]) }
        // ReLU: keep every input at least 0.1 from the kink at 0, further than h.
        let away = x.map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }
        try checkGradients([away]) { v in Graph.relu(v[0]) }
    }

    func testReductions() throws {
        let x = randomMatrix(3, 4, seed: 12)
        for axis in [nil, 0, 1] as [Int?] {
            try checkGradients([x]) { v in Graph.reduceSum(v[0], axis: axis) }
            try checkGradients([x]) { v in Graph.reduceMean(v[0], axis: axis) }
        }
        let session = Session()
        let c = Constant(Matrix([[1, 2, 3], [4, 5, 6]]))
        XCTAssertEqual(try session.run(Graph.reduceSum(c)), Matrix([[21]]))
        XCTAssertEqual(try session.run(Graph.reduceSum(c, axis: 0)), Matrix([[5, 7, 9]]))
        XCTAssertEqual(try session.run(Graph.reduceSum(c, axis: 1)), Matrix([[6], [15]]))
        XCTAssertEqual(try session.run(Graph.reduceMean(c)), Matrix([[3.5]]))
        XCTAssertEqual(try session.run(Graph.reduceMean(c, axis: 0)), Matrix([[2.5, 3.5, 4.5]]))
        XCTAssertEqual(try session.run(Graph.reduceMean(c, axis: 1)), Matrix([[2], [5]]))
    }

    func testScalarOperators() throws {
        try checkGradients([randomMatrix(2, 3, in: 0.5...1.5, seed: 13)]) { v in 2 * v[0] + 1 - v[0] / 4 + 3 / v[0] - (1 - v[0]) * 0.5 }
    }

    /// x ⊙ x: the node is used twice by one consumer, so its gradient is the sum 2x ⊙ R.
    func testNodeUsedTwice() throws {
        let x = Variable(Matrix([[1, -2], [3, 0.5]]), name: "x")
        let loss = Graph.reduceSum(x * x)
        let gradient = try Session().gradients(of: loss, withRespectTo: [x])[0]
        XCTAssertEqual(gradient, Matrix([[2, -4], [6, 1]]))
        try checkGradients([randomMatrix(2, 3, seed: 14)]) { v in v[0] * v[0] }
        // Fan-out through two different consumers: y = exp(x) feeds both a product and a sum.
        try checkGradients([randomMatrix(2, 3, seed: 15)]) { v in
            let y = Graph.exp(v[0])
            return y * v[0] + Graph.square(y)
        }
    }

    /// An operation defined outside the module (GraphCustomOperationTests.swift).
    func testCustomOperation() throws {
        try checkGradients([randomMatrix(3, 2, seed: 31)]) { v in cube(v[0]) }
    }

    /// One weight matrix W in two layers: ∂L/∂W gets both layers' contributions.
    func testVariableSharedByTwoLayers() throws {
        let x = Constant(randomMatrix(5, 3, seed: 16))
        try checkGradients([randomMatrix(3, 3, seed: 17), randomMatrix(1, 3, seed: 18)]) { v in
            let h1 = Graph.tanh(Graph.matmul(x, v[0]) + v[1])
            return Graph.sigmoid(Graph.matmul(h1, v[0]) + v[1])
        }
    }

    /// A variable the loss does not depend on gets a zero gradient of its own shape.
    func testUnrelatedVariableGetsZeros() throws {
        let a = Variable(Matrix([[1, 2]]))
        let unused = Variable(Matrix(rows: 3, columns: 2, repeating: 5))
        let gradients = try Session().gradients(of: Graph.reduceSum(Graph.square(a)), withRespectTo: [a, unused])
        XCTAssertEqual(gradients[0], Matrix([[2, 4]]))
        XCTAssertEqual(gradients[1], Matrix(rows: 3, columns: 2))
    }

    /// `run([a, b])` evaluates several nodes from one pass and returns them in order.
    func testRunSeveralNodes() throws {
        let X = Placeholder(name: "X")
        let y = X * 2
        let z = Graph.reduceSum(y)
        let values = try Session().run([z, y, X], feed: [X: Matrix([[1, 2]])])
        XCTAssertEqual(values, [Matrix([[6]]), Matrix([[2, 4]]), Matrix([[1, 2]])])
    }
}
