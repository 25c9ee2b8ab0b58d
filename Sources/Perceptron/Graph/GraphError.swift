/// Errors raised while building or running a computational graph. Each names the node
/// at fault (its ``Node/name``: the one given, or a default such as "matmul_3").
public enum GraphError: Error, Equatable, Sendable {
    /// A placeholder needed by the run was not in the feed dictionary.
    case unfedPlaceholder(node: String)
    /// An operation's operands have shapes it cannot combine (e.g. matmul inner
    /// dimensions, or an add that cannot broadcast).
    case shapeMismatch(node: String, operation: String, shapes: String)
    /// The node is reachable from itself, so no evaluation order exists.
    case cycle(node: String)
    /// Gradients were asked of a node whose value is not 1 × 1.
    case notScalar(node: String, rows: Int, columns: Int)
    /// A node was used where it cannot be: a training step as an operand, or an
    /// operation given the wrong number of inputs.
    case invalidInput(node: String, reason: String)
}

extension GraphError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .unfedPlaceholder(node):
            return "Placeholder '\(node)' was not fed: add it to the feed dictionary"
        case let .shapeMismatch(node, operation, shapes):
            return "Shape mismatch in '\(node)' (\(operation)): \(shapes)"
        case let .cycle(node):
            return "The graph has a cycle through '\(node)'"
        case let .notScalar(node, rows, columns):
            return "Gradients need a scalar (1×1) node, but '\(node)' is \(rows)×\(columns)"
        case let .invalidInput(node, reason):
            return "Invalid input to '\(node)': \(reason)"
        }
    }
}

import Foundation
extension GraphError: LocalizedError {
    public var errorDescription: String? { description }
}
