/// The nodes a run needs, in topological order (every node after its inputs), with one
/// value buffer and one gradient buffer per node. A ``Session`` keeps a plan per set of
/// targets and reuses its buffers from run to run, so a training step allocates little.
final class ExecutionPlan {
    /// The nodes, inputs before consumers.
    let nodes: [Node]
    /// Position of each node in ``nodes``.
    let position: [ObjectIdentifier: Int]
    /// For each node, the positions of its inputs.
    let inputPositions: [[Int]]
    /// Forward values, valid during a run.
    var values: [Matrix]
    /// Accumulated ∂loss/∂node, valid where ``hasGradient`` is set.
    var gradients: [Matrix]
    var hasGradient: [Bool]
    /// Whether a node lies on a path from a node we differentiate with respect to.
    var needsGradient: [Bool]
    /// Workspace for contributions that cannot be accumulated in place.
    var scratch = Matrix.emptyBuffer

    /// Sorts the ancestors of `targets` (depth first, iterative so deep graphs do not
    /// overflow the stack).
    /// - Throws: ``GraphError/cycle(node:)`` naming a node on the cycle, or
    ///   ``GraphError/invalidInput(node:reason:)`` when a training step is some node's input.
    init(targets: [Node]) throws {
        enum Mark { case open, done }
        var marks: [ObjectIdentifier: Mark] = [:]
        var order: [Node] = []
        for target in targets where marks[ObjectIdentifier(target)] == nil {
            var stack: [(node: Node, next: Int)] = [(target, 0)]
            marks[ObjectIdentifier(target)] = .open
            while !stack.isEmpty {
                let (node, next) = stack[stack.count - 1]
                if next < node.inputs.count {
                    stack[stack.count - 1].next += 1
                    let input = node.inputs[next]
                    if input is TrainingStep {
                        throw GraphError.invalidInput(node: node.name, reason: "'\(input.name)' is a training step, which has no value to consume")
                    }
                    switch marks[ObjectIdentifier(input)] {
                    case .open?: throw GraphError.cycle(node: input.name)
                    case .done?: continue
                    case nil:
                        marks[ObjectIdentifier(input)] = .open
                        stack.append((input, 0))
                    }
                } else {
                    marks[ObjectIdentifier(node)] = .done
                    order.append(node)
                    stack.removeLast()
                }
            }
        }
        var position: [ObjectIdentifier: Int] = [:]
        for (i, node) in order.enumerated() { position[ObjectIdentifier(node)] = i }
        self.nodes = order
        self.position = position
        self.inputPositions = order.map { node in node.inputs.map { position[ObjectIdentifier($0)]! } }
        self.values = Array(repeating: .emptyBuffer, count: order.count)
        self.gradients = Array(repeating: .emptyBuffer, count: order.count)
        self.hasGradient = Array(repeating: false, count: order.count)
        self.needsGradient = Array(repeating: false, count: order.count)
    }

    /// Position of `node`, which must be in the plan.
    func index(of node: Node) -> Int { position[ObjectIdentifier(node)]! }

    /// Evaluates every node once, in order.
    /// - Throws: ``GraphError/unfedPlaceholder(node:)``, ``GraphError/shapeMismatch(node:operation:shapes:)``,
    ///   or ``GraphError/invalidInput(node:reason:)`` for a node built with a mistake.
    func forward(feed: [Placeholder: Matrix]) throws {
        for i in nodes.indices {
            switch nodes[i] {
            case let p as Placeholder:
                guard let value = feed[p] else { throw GraphError.unfedPlaceholder(node: p.name) }
                values[i] = value
            case let v as Variable:
                values[i] = v.value
            case let c as Constant:
                values[i] = c.value
            case let op as OperationNode:
                if let problem = op.buildProblem { throw GraphError.invalidInput(node: op.name, reason: problem) }
                let operands = inputPositions[i].map { values[$0] }
                var out = takeValue(i)
                do {
                    try op.operation.forward(operands, into: &out)
                } catch let problem as GraphOperationShapeError {
                    throw GraphError.shapeMismatch(node: op.name, operation: op.operation.stem, shapes: problem.shapes)
                }
                values[i] = out
            case is TrainingStep:
                values[i] = values[inputPositions[i][0]]
            default:
                preconditionFailure("Unknown node type \(type(of: nodes[i]))")
            }
        }
    }

    /// Drops the plan's references to fed and variable values, so that an optimizer can
    /// update a variable in place without copying it, and the feed is not kept alive.
    func releaseLeafValues() {
        for i in nodes.indices where nodes[i].inputs.isEmpty { values[i] = .emptyBuffer }
    }

    /// The buffer of node `i`, moved out of the array so it is uniquely referenced.
    func takeValue(_ i: Int) -> Matrix {
        let buffer = values[i]
        values[i] = .emptyBuffer
        return buffer
    }

    func takeGradient(_ i: Int) -> Matrix {
        let buffer = gradients[i]
        gradients[i] = .emptyBuffer
        return buffer
    }
}

extension Matrix {
    /// A 0 × 0 placeholder for a buffer not yet sized.
    static let emptyBuffer = Matrix(rows: 0, columns: 0)
}
