import Foundation

/// A node of a computational graph (seed 004, after TensorFlow 1): a ``Placeholder``
/// fed at run time, a ``Variable`` holding trainable values, a ``Constant``, an
/// ``OperationNode`` over other nodes, or a ``TrainingStep`` made by an optimizer.
///
/// Nodes are classes compared by identity: the same node used twice is one vertex of the
/// graph (its value and gradient are computed once per run), and identity orders the
/// topological sort. A node's inputs are fixed when it is created, so a graph built
/// through the public API is acyclic by construction; ``Session`` still checks for
/// cycles when it sorts the graph, and throws ``GraphError/cycle(node:)`` if it finds one.
///
/// Values are ``Matrix`` values (rows are samples). Scalars are 1 × 1 matrices.
public class Node: Hashable, CustomStringConvertible {
    /// The name used in error messages: the one given, or "<kind>_<n>".
    public let name: String
    /// The nodes this one consumes, in order.
    public internal(set) var inputs: [Node]

    init(name: String?, defaultName: String, inputs: [Node]) {
        self.name = name ?? NodeNames.shared.next(defaultName)
        self.inputs = inputs
    }

    public static func == (lhs: Node, rhs: Node) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
    public var description: String { "\(type(of: self))(\(name))" }
}

/// An input fed at run time through the feed dictionary of ``Session/run(_:feed:)``:
///
/// ```swift
/// let X = Placeholder(name: "X")
/// try session.run(p, feed: [X: x])
/// ```
public final class Placeholder: Node {
    public init(name: String? = nil) {
        super.init(name: name, defaultName: "placeholder", inputs: [])
    }
}

/// A trainable value. Optimizer steps update ``value`` in place; it may also be read or
/// set directly (e.g. to load weights).
public final class Variable: Node {
    /// The current value.
    public var value: Matrix

    public init(_ value: Matrix, name: String? = nil) {
        self.value = value
        super.init(name: name, defaultName: "variable", inputs: [])
    }
}

/// A fixed value.
public final class Constant: Node {
    public let value: Matrix

    public init(_ value: Matrix, name: String? = nil) {
        self.value = value
        super.init(name: name, defaultName: "constant", inputs: [])
    }

    /// A 1 × 1 constant, broadcast by the elementwise operations.
    public convenience init(_ scalar: Float, name: String? = nil) {
        self.init(Matrix(rows: 1, columns: 1, repeating: scalar), name: name)
    }
}

/// Default names: the first node of a kind is "<kind>_1", then "<kind>_2", … across the process.
final class NodeNames: @unchecked Sendable {
    static let shared = NodeNames()
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    func next(_ kind: String) -> String {
        lock.lock()
        defer { lock.unlock() }
        let n = counts[kind, default: 0] + 1
        counts[kind] = n
        return "\(kind)_\(n)"
    }
}
