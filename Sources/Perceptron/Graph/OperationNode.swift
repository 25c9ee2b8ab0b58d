/// A node computed from its ``Node/inputs`` by a ``GraphOperation``. Build operations with the free
/// functions (``matmul(_:_:)-(Node,Node)``, ``sigmoid(_:name:)``, ``reduceSum(_:axis:name:)``, …) and the
/// operators `+ − * /` and prefix `−`.
///
/// (Named `OperationNode`, not `Operation`, so as not to clash with Foundation's `Operation`.)
public final class OperationNode: Node {
    /// What the node computes, and how its gradient flows back.
    public let operation: any GraphOperation
    /// A mistake found while building the node (e.g. a reduction axis other than nil, 0
    /// or 1), reported by ``Session`` as ``GraphError/invalidInput(node:reason:)``: the
    /// builder functions do not throw, as in the seed.
    let buildProblem: String?

    /// - Parameter inputs: as many as `operation` takes (``GraphOperation/arity``); a wrong
    ///   count is reported when the node is run.
    public convenience init(_ operation: some GraphOperation, _ inputs: [Node], name: String? = nil) {
        let problem = inputs.count == operation.arity ? nil
            : "\(operation.stem) takes \(operation.arity) inputs, got \(inputs.count)"
        self.init(operation, inputs, name: name, problem: problem)
    }

    init(_ operation: some GraphOperation, _ inputs: [Node], name: String?, problem: String?) {
        self.operation = operation
        self.buildProblem = problem
        super.init(name: name, defaultName: operation.stem, inputs: inputs)
    }
}
