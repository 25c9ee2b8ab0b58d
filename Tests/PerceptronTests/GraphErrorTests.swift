import XCTest
@testable import Perceptron

/// The graph's thrown errors name the node at fault.
final class GraphErrorTests: XCTestCase {
    func testUnfedPlaceholder() {
        let X = Placeholder(name: "X")
        let W = Variable(Matrix(rows: 2, columns: 2, repeating: 1))
        XCTAssertThrowsError(try Session().run(Graph.matmul(X, W))) { error in
            XCTAssertEqual(error as? GraphError, .unfedPlaceholder(node: "X"))
        }
    }

    func testMatmulInnerDimensionMismatch() {
        let a = Constant(Matrix(rows: 2, columns: 3))
        let b = Constant(Matrix(rows: 2, columns: 3))
        XCTAssertThrowsError(try Session().run(Graph.reduceSum(Graph.matmul(a, b, name: "logits")))) { error in
            guard case .shapeMismatch(let node, let operation, let shapes)? = error as? GraphError else {
                return XCTFail("expected shapeMismatch, got \(error)")
            }
            XCTAssertEqual(node, "logits")
            XCTAssertEqual(operation, "matmul")
            XCTAssertTrue(shapes.contains("2×3 and 2×3"), shapes)
        }
    }

    func testAddThatCannotBroadcast() {
        let X = Placeholder(name: "X")
        let b = Variable(Matrix(rows: 1, columns: 3))
        let sum = X + b
        XCTAssertTrue(sum.name.hasPrefix("add_"), sum.name)
        XCTAssertThrowsError(try Session().run(sum, feed: [X: Matrix(rows: 4, columns: 2)])) { error in
            guard case .shapeMismatch(let node, _, let shapes)? = error as? GraphError else {
                return XCTFail("expected shapeMismatch, got \(error)")
            }
            XCTAssertEqual(node, sum.name)
            XCTAssertTrue(shapes.contains("4×2 and 1×3"), shapes)
            XCTAssertTrue("\(error)".contains(sum.name))
        }
    }

    func testDefaultNames() {
        let a = Constant(1)
        XCTAssertTrue(Graph.matmul(a, a).name.hasPrefix("matmul_"))
        XCTAssertTrue(Graph.reduceSum(a).name.hasPrefix("reduce_sum_"))
        XCTAssertTrue(Graph.softmax(a).name.hasPrefix("softmax_"))
        XCTAssertTrue(Placeholder().name.hasPrefix("placeholder_"))
        let first = Graph.exp(a), second = Graph.exp(a)
        XCTAssertNotEqual(first.name, second.name)
    }

    /// Inputs are fixed at creation, so the public API cannot form a cycle; the sort
    /// still detects one (formed here through the module's internal setter).
    func testCycleIsDetected() {
        let a = Variable(Matrix([[1]]), name: "a")
        let b = Graph.negative(a, name: "b")
        let c = Graph.exp(b, name: "c")
        b.inputs = [c]
        XCTAssertThrowsError(try Session().run(c)) { error in
            guard case .cycle(let node)? = error as? GraphError else { return XCTFail("expected cycle, got \(error)") }
            XCTAssertTrue(["b", "c"].contains(node), node)
        }
        b.inputs = [a]   // break the cycle so the nodes can be freed
    }

    func testGradientOfNonScalarThrows() {
        let w = Variable(Matrix(rows: 2, columns: 2), name: "w")
        let y = Graph.square(w, name: "y")
        XCTAssertThrowsError(try Session().gradients(of: y, withRespectTo: [w])) { error in
            XCTAssertEqual(error as? GraphError, .notScalar(node: "y", rows: 2, columns: 2))
        }
        XCTAssertThrowsError(try GradientDescentOptimizer(learningRate: 0.1).minimize(y).run()) { _ in }
    }

    func testTrainingStepIsNotAnOperand() throws {
        let w = Variable(Matrix([[1]]), name: "w")
        let step = try GradientDescentOptimizer(learningRate: 0.1).minimize(Graph.square(w), name: "step")
        let misuse = step + w
        XCTAssertThrowsError(try Session().run(misuse)) { error in
            guard case .invalidInput(let node, let reason)? = error as? GraphError else { return XCTFail("\(error)") }
            XCTAssertEqual(node, misuse.name)
            XCTAssertTrue(reason.contains("step"))
        }
    }

    /// The builders do not throw (as in the seed); a mistake made while building surfaces when the node runs.
    func testInvalidAxisAndArityThrowWhenRun() {
        let a = Constant(Matrix([[1, 2]]))
        XCTAssertThrowsError(try Session().run(Graph.reduceSum(a, axis: 2, name: "s"))) { error in
            XCTAssertEqual(error as? GraphError, .invalidInput(node: "s", reason: "axis 2 is not nil, 0 or 1"))
        }
        XCTAssertThrowsError(try Session().run(Graph.reduceMean(a, axis: -1)))
        XCTAssertThrowsError(try Session().run(OperationNode(.matmul, [a], name: "m"))) { error in
            XCTAssertEqual(error as? GraphError, .invalidInput(node: "m", reason: "matmul takes 2 inputs, got 1"))
        }
    }

    func testInvalidLearningRateThrows() {
        let w = Variable(Matrix([[1]]))
        XCTAssertThrowsError(try GradientDescentOptimizer(learningRate: 0).minimize(Graph.square(w))) { error in
            guard case .invalidHyperparameter(let name, _, _)? = error as? PerceptronError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "learningRate")
        }
        XCTAssertThrowsError(try AdamOptimizer(learningRate: 0.1, beta1: 1).minimize(Graph.square(w)))
    }
}

private extension TrainingStep {
    /// Runs the step in a fresh session (for tests of the error path).
    func run() throws { try Session().run(self) }
}
