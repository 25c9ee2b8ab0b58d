import Foundation

// The seed's operation constructors as Swift free functions and operators. Each builds
// one ``Operation`` node; nothing is computed until ``Session/run(_:feed:)``.

/// The matrix product `a·b` (an m × k by k × n node gives m × n), computed by the core GEMM.
public func matmul(_ a: Node, _ b: Node, name: String? = nil) -> Operation { Operation(.matmul, [a, b], name: name) }

/// `a + b`, broadcasting a 1 × n row (a bias) over the rows of a batch, or a 1 × 1 scalar.
public func add(_ a: Node, _ b: Node, name: String? = nil) -> Operation { Operation(.add, [a, b], name: name) }
/// `a − b`, broadcasting as ``add(_:_:name:)``.
public func subtract(_ a: Node, _ b: Node, name: String? = nil) -> Operation { Operation(.subtract, [a, b], name: name) }
/// The elementwise product `a ⊙ b`, broadcasting as ``add(_:_:name:)``.
public func multiply(_ a: Node, _ b: Node, name: String? = nil) -> Operation { Operation(.multiply, [a, b], name: name) }
/// The elementwise quotient `a ⊘ b`, broadcasting as ``add(_:_:name:)``.
public func divide(_ a: Node, _ b: Node, name: String? = nil) -> Operation { Operation(.divide, [a, b], name: name) }
/// `−a`.
public func negative(_ a: Node, name: String? = nil) -> Operation { Operation(.negative, [a], name: name) }
/// The natural logarithm, elementwise (log 0 = −∞, as numpy).
public func log(_ a: Node, name: String? = nil) -> Operation { Operation(.log, [a], name: name) }
/// eˣ, elementwise.
public func exp(_ a: Node, name: String? = nil) -> Operation { Operation(.exp, [a], name: name) }
/// x², elementwise.
public func square(_ a: Node, name: String? = nil) -> Operation { Operation(.square, [a], name: name) }
/// σ(x) = 1 / (1 + e⁻ˣ), elementwise, from the ``Activation`` table.
public func sigmoid(_ a: Node, name: String? = nil) -> Operation { Operation(.activation(.sigmoid), [a], name: name) }
/// tanh x, elementwise, from the ``Activation`` table.
public func tanh(_ a: Node, name: String? = nil) -> Operation { Operation(.activation(.tanh), [a], name: name) }
/// max(0, x), elementwise, from the ``Activation`` table.
public func relu(_ a: Node, name: String? = nil) -> Operation { Operation(.activation(.relu), [a], name: name) }
/// The row-wise softmax `eˣⁱʲ / Σₖ eˣⁱᵏ`, from the ``Activation`` table.
public func softmax(_ a: Node, name: String? = nil) -> Operation { Operation(.activation(.softmax), [a], name: name) }
/// Any ``Activation`` applied to `a`: its value and derivative come from that one table.
public func activation(_ f: Activation, _ a: Node, name: String? = nil) -> Operation {
    Operation(.activation(f), [a], name: name)
}

/// The sum over every element (1 × 1), or over one axis.
///
/// ```
/// axis nil:  Σᵢⱼ aᵢⱼ (1 × 1)    axis 0:  sⱼ = Σᵢ aᵢⱼ (1 × n)    axis 1:  sᵢ = Σⱼ aᵢⱼ (m × 1)
/// ```
/// - Parameter axis: nil, 0 or 1, as numpy; any other value is a programming error.
public func reduceSum(_ a: Node, axis: Int? = nil, name: String? = nil) -> Operation {
    guard let axis = ReductionAxis(numpyAxis: axis) else { preconditionFailure("reduceSum axis must be nil, 0 or 1, got \(axis!)") }
    return Operation(.reduceSum(axis), [a], name: name)
}

/// The mean over every element (1 × 1), or over one axis (0 → 1 × n, 1 → m × 1).
public func reduceMean(_ a: Node, axis: Int? = nil, name: String? = nil) -> Operation {
    guard let axis = ReductionAxis(numpyAxis: axis) else { preconditionFailure("reduceMean axis must be nil, 0 or 1, got \(axis!)") }
    return Operation(.reduceMean(axis), [a], name: name)
}

// MARK: - Operators

public func + (lhs: Node, rhs: Node) -> Operation { add(lhs, rhs) }
public func - (lhs: Node, rhs: Node) -> Operation { subtract(lhs, rhs) }
/// Elementwise product (not matmul, as numpy's `*`).
public func * (lhs: Node, rhs: Node) -> Operation { multiply(lhs, rhs) }
public func / (lhs: Node, rhs: Node) -> Operation { divide(lhs, rhs) }
public prefix func - (x: Node) -> Operation { negative(x) }

// Scalars on either side become 1 × 1 constants, broadcast over the other operand.
public func + (lhs: Node, rhs: Float) -> Operation { add(lhs, Constant(rhs)) }
public func + (lhs: Float, rhs: Node) -> Operation { add(Constant(lhs), rhs) }
public func - (lhs: Node, rhs: Float) -> Operation { subtract(lhs, Constant(rhs)) }
public func - (lhs: Float, rhs: Node) -> Operation { subtract(Constant(lhs), rhs) }
public func * (lhs: Node, rhs: Float) -> Operation { multiply(lhs, Constant(rhs)) }
public func * (lhs: Float, rhs: Node) -> Operation { multiply(Constant(lhs), rhs) }
public func / (lhs: Node, rhs: Float) -> Operation { divide(lhs, Constant(rhs)) }
public func / (lhs: Float, rhs: Node) -> Operation { divide(Constant(lhs), rhs) }
