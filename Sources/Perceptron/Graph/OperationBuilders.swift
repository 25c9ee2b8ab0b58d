import Foundation

// The seed's operation constructors as Swift free functions and operators. Each builds
// one ``OperationNode`` node; nothing is computed until ``Session/run(_:feed:)``.

/// The matrix product `a·b` (an m × k by k × n node gives m × n), computed by the core GEMM.
public func matmul(_ a: Node, _ b: Node, name: String? = nil) -> OperationNode { OperationNode(.matmul, [a, b], name: name) }

/// `a + b`, broadcasting a 1 × n row (a bias) over the rows of a batch, or a 1 × 1 scalar.
public func add(_ a: Node, _ b: Node, name: String? = nil) -> OperationNode { OperationNode(.add, [a, b], name: name) }
/// `a − b`, broadcasting as ``add(_:_:name:)``.
public func subtract(_ a: Node, _ b: Node, name: String? = nil) -> OperationNode { OperationNode(.subtract, [a, b], name: name) }
/// The elementwise product `a ⊙ b`, broadcasting as ``add(_:_:name:)``.
public func multiply(_ a: Node, _ b: Node, name: String? = nil) -> OperationNode { OperationNode(.multiply, [a, b], name: name) }
/// The elementwise quotient `a ⊘ b`, broadcasting as ``add(_:_:name:)``.
public func divide(_ a: Node, _ b: Node, name: String? = nil) -> OperationNode { OperationNode(.divide, [a, b], name: name) }
/// `−a`.
public func negative(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.negative, [a], name: name) }
/// The natural logarithm, elementwise (log 0 = −∞, as numpy).
public func log(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.log, [a], name: name) }
/// eˣ, elementwise.
public func exp(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.exp, [a], name: name) }
/// x², elementwise.
public func square(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.square, [a], name: name) }
/// σ(x) = 1 / (1 + e⁻ˣ), elementwise, from the ``Activation`` table.
public func sigmoid(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.activation(.sigmoid), [a], name: name) }
/// tanh x, elementwise, from the ``Activation`` table.
public func tanh(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.activation(.tanh), [a], name: name) }
/// max(0, x), elementwise, from the ``Activation`` table.
public func relu(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.activation(.relu), [a], name: name) }
/// The row-wise softmax `eˣⁱʲ / Σₖ eˣⁱᵏ`, from the ``Activation`` table.
public func softmax(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.activation(.softmax), [a], name: name) }
/// Any ``Activation`` applied to `a`: its value and derivative come from that one table.
public func activation(_ f: Activation, _ a: Node, name: String? = nil) -> OperationNode {
    OperationNode(.activation(f), [a], name: name)
}

/// The sum over every element (1 × 1), or over one axis.
///
/// ```
/// axis nil:  Σᵢⱼ aᵢⱼ (1 × 1)    axis 0:  sⱼ = Σᵢ aᵢⱼ (1 × n)    axis 1:  sᵢ = Σⱼ aᵢⱼ (m × 1)
/// ```
/// - Parameter axis: nil, 0 or 1, as numpy; another value makes running the node throw
///   ``GraphError/invalidInput(node:reason:)``.
public func reduceSum(_ a: Node, axis: Int? = nil, name: String? = nil) -> OperationNode {
    let valid = ReductionAxis(numpyAxis: axis)
    return OperationNode(.reduceSum(valid ?? .all), [a], name: name, problem: axisProblem(axis, valid))
}

/// The mean over every element (1 × 1), or over one axis (0 → 1 × n, 1 → m × 1).
/// - Parameter axis: nil, 0 or 1, as numpy; another value makes running the node throw
///   ``GraphError/invalidInput(node:reason:)``.
public func reduceMean(_ a: Node, axis: Int? = nil, name: String? = nil) -> OperationNode {
    let valid = ReductionAxis(numpyAxis: axis)
    return OperationNode(.reduceMean(valid ?? .all), [a], name: name, problem: axisProblem(axis, valid))
}

private func axisProblem(_ axis: Int?, _ valid: ReductionAxis?) -> String? {
    valid == nil ? "axis \(axis.map(String.init) ?? "nil") is not nil, 0 or 1" : nil
}

// MARK: - Operators

public func + (lhs: Node, rhs: Node) -> OperationNode { add(lhs, rhs) }
public func - (lhs: Node, rhs: Node) -> OperationNode { subtract(lhs, rhs) }
/// Elementwise product (not matmul, as numpy's `*`).
public func * (lhs: Node, rhs: Node) -> OperationNode { multiply(lhs, rhs) }
public func / (lhs: Node, rhs: Node) -> OperationNode { divide(lhs, rhs) }
public prefix func - (x: Node) -> OperationNode { negative(x) }

// Scalars on either side become 1 × 1 constants, broadcast over the other operand.
public func + (lhs: Node, rhs: Float) -> OperationNode { add(lhs, Constant(rhs)) }
public func + (lhs: Float, rhs: Node) -> OperationNode { add(Constant(lhs), rhs) }
public func - (lhs: Node, rhs: Float) -> OperationNode { subtract(lhs, Constant(rhs)) }
public func - (lhs: Float, rhs: Node) -> OperationNode { subtract(Constant(lhs), rhs) }
public func * (lhs: Node, rhs: Float) -> OperationNode { multiply(lhs, Constant(rhs)) }
public func * (lhs: Float, rhs: Node) -> OperationNode { multiply(Constant(lhs), rhs) }
public func / (lhs: Node, rhs: Float) -> OperationNode { divide(lhs, Constant(rhs)) }
public func / (lhs: Float, rhs: Node) -> OperationNode { divide(Constant(lhs), rhs) }
