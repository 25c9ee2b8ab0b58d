import Foundation

/// The seed's operation constructors, namespaced so that `log`, `exp` and `tanh` on graph
/// nodes never shadow Foundation's for a program that imports Perceptron. Each builds one
/// ``OperationNode``; nothing is computed until ``Session/run(_:feed:)``.
///
/// ```swift
/// let p = Graph.softmax(Graph.add(Graph.matmul(X, W), b))
/// let J = Graph.negative(Graph.reduceSum(Graph.reduceSum(Graph.multiply(c, Graph.log(p)), axis: 1)))
/// ```
/// (TensorFlow 1 spells these `tf.matmul`, `tf.log`, …; the operators `+ − * /` on nodes
/// build the same nodes as ``add(_:_:name:)`` and its siblings.)
public enum Graph {
    /// The matrix product `a·b` (an m × k by k × n node gives m × n), computed by the core GEMM.
    public static func matmul(_ a: Node, _ b: Node, name: String? = nil) -> OperationNode { OperationNode(.matmul, [a, b], name: name) }

    /// `a + b`, broadcasting a 1 × n row (a bias) over the rows of a batch, or a 1 × 1 scalar.
    public static func add(_ a: Node, _ b: Node, name: String? = nil) -> OperationNode { OperationNode(.add, [a, b], name: name) }
    /// `a − b`, broadcasting as ``add(_:_:name:)``.
    public static func subtract(_ a: Node, _ b: Node, name: String? = nil) -> OperationNode { OperationNode(.subtract, [a, b], name: name) }
    /// The elementwise product `a ⊙ b`, broadcasting as ``add(_:_:name:)``.
    public static func multiply(_ a: Node, _ b: Node, name: String? = nil) -> OperationNode { OperationNode(.multiply, [a, b], name: name) }
    /// The elementwise quotient `a ⊘ b`, broadcasting as ``add(_:_:name:)``.
    public static func divide(_ a: Node, _ b: Node, name: String? = nil) -> OperationNode { OperationNode(.divide, [a, b], name: name) }
    /// `−a`.
    public static func negative(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.negative, [a], name: name) }
    /// The natural logarithm, elementwise (log 0 = −∞, as numpy).
    public static func log(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.log, [a], name: name) }
    /// eˣ, elementwise.
    public static func exp(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.exp, [a], name: name) }
    /// x², elementwise.
    public static func square(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.square, [a], name: name) }
    /// σ(x) = 1 / (1 + e⁻ˣ), elementwise, from the ``Activation`` table.
    public static func sigmoid(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.activation(.sigmoid), [a], name: name) }
    /// tanh x, elementwise, from the ``Activation`` table.
    public static func tanh(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.activation(.tanh), [a], name: name) }
    /// max(0, x), elementwise, from the ``Activation`` table.
    public static func relu(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.activation(.relu), [a], name: name) }
    /// The row-wise softmax `eˣⁱʲ / Σₖ eˣⁱᵏ`, from the ``Activation`` table.
    public static func softmax(_ a: Node, name: String? = nil) -> OperationNode { OperationNode(.activation(.softmax), [a], name: name) }
    /// Any ``Activation`` applied to `a` (a registered one too): its value and derivative
    /// come from the same code the layers use.
    public static func activation(_ f: Activation, _ a: Node, name: String? = nil) -> OperationNode {
        OperationNode(.activation(f), [a], name: name)
    }

    /// The sum over every element (1 × 1), or over one axis.
    ///
    /// ```
    /// axis nil:  Σᵢⱼ aᵢⱼ (1 × 1)    axis 0:  sⱼ = Σᵢ aᵢⱼ (1 × n)    axis 1:  sᵢ = Σⱼ aᵢⱼ (m × 1)
    /// ```
    /// - Parameter axis: nil, 0 or 1, as numpy; another value makes running the node throw
    ///   ``GraphError/invalidInput(node:reason:)``.
    public static func reduceSum(_ a: Node, axis: Int? = nil, name: String? = nil) -> OperationNode {
        let valid = ReductionAxis(numpyAxis: axis)
        return OperationNode(.reduceSum(valid ?? .all), [a], name: name, problem: axisProblem(axis, valid))
    }

    /// The mean over every element (1 × 1), or over one axis (0 → 1 × n, 1 → m × 1).
    /// - Parameter axis: nil, 0 or 1, as numpy; another value makes running the node throw
    ///   ``GraphError/invalidInput(node:reason:)``.
    public static func reduceMean(_ a: Node, axis: Int? = nil, name: String? = nil) -> OperationNode {
        let valid = ReductionAxis(numpyAxis: axis)
        return OperationNode(.reduceMean(valid ?? .all), [a], name: name, problem: axisProblem(axis, valid))
    }

    private static func axisProblem(_ axis: Int?, _ valid: ReductionAxis?) -> String? {
        valid == nil ? "axis \(axis.map(String.init) ?? "nil") is not nil, 0 or 1" : nil
    }
}

// MARK: - Operators

public func + (lhs: Node, rhs: Node) -> OperationNode { Graph.add(lhs, rhs) }
public func - (lhs: Node, rhs: Node) -> OperationNode { Graph.subtract(lhs, rhs) }
/// Elementwise product (not matmul, as numpy's `*`).
public func * (lhs: Node, rhs: Node) -> OperationNode { Graph.multiply(lhs, rhs) }
public func / (lhs: Node, rhs: Node) -> OperationNode { Graph.divide(lhs, rhs) }
public prefix func - (x: Node) -> OperationNode { Graph.negative(x) }

// Scalars on either side become 1 × 1 constants, broadcast over the other operand.
public func + (lhs: Node, rhs: Float) -> OperationNode { Graph.add(lhs, Constant(rhs)) }
public func + (lhs: Float, rhs: Node) -> OperationNode { Graph.add(Constant(lhs), rhs) }
public func - (lhs: Node, rhs: Float) -> OperationNode { Graph.subtract(lhs, Constant(rhs)) }
public func - (lhs: Float, rhs: Node) -> OperationNode { Graph.subtract(Constant(lhs), rhs) }
public func * (lhs: Node, rhs: Float) -> OperationNode { Graph.multiply(lhs, Constant(rhs)) }
public func * (lhs: Float, rhs: Node) -> OperationNode { Graph.multiply(Constant(lhs), rhs) }
public func / (lhs: Node, rhs: Float) -> OperationNode { Graph.divide(lhs, Constant(rhs)) }
public func / (lhs: Float, rhs: Node) -> OperationNode { Graph.divide(Constant(lhs), rhs) }

// MARK: - Former names

// The free functions that did not collide with Foundation keep compiling, deprecated.
// `log`, `exp` and `tanh` on nodes are gone from the module level: any declaration of them
// there would go on shadowing Foundation's for every importer (use Graph.log, …).
@available(*, deprecated, renamed: "Graph.matmul")
public func matmul(_ a: Node, _ b: Node, name: String? = nil) -> OperationNode { Graph.matmul(a, b, name: name) }
@available(*, deprecated, renamed: "Graph.add")
public func add(_ a: Node, _ b: Node, name: String? = nil) -> OperationNode { Graph.add(a, b, name: name) }
@available(*, deprecated, renamed: "Graph.subtract")
public func subtract(_ a: Node, _ b: Node, name: String? = nil) -> OperationNode { Graph.subtract(a, b, name: name) }
@available(*, deprecated, renamed: "Graph.multiply")
public func multiply(_ a: Node, _ b: Node, name: String? = nil) -> OperationNode { Graph.multiply(a, b, name: name) }
@available(*, deprecated, renamed: "Graph.divide")
public func divide(_ a: Node, _ b: Node, name: String? = nil) -> OperationNode { Graph.divide(a, b, name: name) }
@available(*, deprecated, renamed: "Graph.negative")
public func negative(_ a: Node, name: String? = nil) -> OperationNode { Graph.negative(a, name: name) }
@available(*, deprecated, renamed: "Graph.square")
public func square(_ a: Node, name: String? = nil) -> OperationNode { Graph.square(a, name: name) }
@available(*, deprecated, renamed: "Graph.sigmoid")
public func sigmoid(_ a: Node, name: String? = nil) -> OperationNode { Graph.sigmoid(a, name: name) }
@available(*, deprecated, renamed: "Graph.relu")
public func relu(_ a: Node, name: String? = nil) -> OperationNode { Graph.relu(a, name: name) }
@available(*, deprecated, renamed: "Graph.softmax")
public func softmax(_ a: Node, name: String? = nil) -> OperationNode { Graph.softmax(a, name: name) }
@available(*, deprecated, renamed: "Graph.activation")
public func activation(_ f: Activation, _ a: Node, name: String? = nil) -> OperationNode { Graph.activation(f, a, name: name) }
@available(*, deprecated, renamed: "Graph.reduceSum")
public func reduceSum(_ a: Node, axis: Int? = nil, name: String? = nil) -> OperationNode { Graph.reduceSum(a, axis: axis, name: name) }
@available(*, deprecated, renamed: "Graph.reduceMean")
public func reduceMean(_ a: Node, axis: Int? = nil, name: String? = nil) -> OperationNode { Graph.reduceMean(a, axis: axis, name: name) }
