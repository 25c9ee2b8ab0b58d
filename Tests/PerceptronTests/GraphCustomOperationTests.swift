import XCTest
import Perceptron

/// An operation defined outside the module: Y = A³, ∂A = 3·A²⊙G. It is one type and one
/// builder, and the session runs and differentiates it with no other change.
struct Cube: GraphOperation {
    var stem: String { "cube" }
    var arity: Int { 1 }

    func forward(_ operands: [Matrix], into out: inout Matrix) throws {
        let a = operands[0]
        out = Matrix(rows: a.rows, columns: a.columns, elements: a.elements.map { $0 * $0 * $0 })
    }

    func backward(slot: Int, gradient: Matrix, operands: [Matrix], value: Matrix,
                  into target: inout Matrix, scratch: inout Matrix) {
        let a = operands[0].elements, g = gradient.elements
        var t = target.elements
        for k in t.indices { t[k] += 3 * a[k] * a[k] * g[k] }
        target = Matrix(rows: target.rows, columns: target.columns, elements: t)
    }
}

func cube(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(Cube(), [a], name: name) }

final class GraphCustomOperationTests: XCTestCase {
    // Its gradient is checked by finite differences beside the built-in operations'
    // (GraphGradientTests.testCustomOperation: one line).

    func testDefaultNameAndArity() throws {
        let a = Variable(Matrix([[2]]))
        XCTAssertTrue(cube(a).name.hasPrefix("cube"))
        XCTAssertThrowsError(try Session().run(OperationNode(Cube(), [a, a], name: "c"))) { error in
            XCTAssertEqual(error as? GraphError, .invalidInput(node: "c", reason: "cube takes 1 inputs, got 2"))
        }
        XCTAssertEqual(try Session().run(cube(a)), Matrix([[8]]))
    }
}
