/// The operation an optimizer's `minimize(_:)` returns: running it in a ``Session``
/// computes ∂loss/∂θ for each of ``variables`` by backpropagation and updates each θ in
/// place with the optimizer's rule (one step). Its value is the loss before the update.
///
/// The update rules are the core optimizers' (``SGD``, ``Adam``, …), so the graph and
/// ``Sequential`` share one implementation of each; the optimizer state (step count,
/// moments) lives in the step node and persists from run to run.
public final class TrainingStep: Node {
    /// The scalar node minimized.
    public var loss: Node { inputs[0] }
    /// The variables updated, in slot order.
    public let variables: [Variable]
    /// The update rule and its state.
    public private(set) var optimizer: any Optimizer

    /// A step minimizing `loss` with `optimizer` over `variables` (default: every variable
    /// the loss depends on, in topological order).
    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)`` for invalid
    ///   optimizer settings; ``GraphError/cycle(node:)`` if the loss's graph has a cycle.
    public init(minimizing loss: Node, optimizer: any Optimizer, variables: [Variable]? = nil, name: String? = nil) throws {
        try optimizer.validate()
        if loss is TrainingStep {
            throw GraphError.invalidInput(node: loss.name, reason: "a training step cannot be minimized")
        }
        self.variables = try variables ?? ExecutionPlan(targets: [loss]).nodes.compactMap { $0 as? Variable }
        self.optimizer = optimizer
        super.init(name: name, defaultName: "minimize", inputs: [loss])
    }

    /// θᵢ ← update(θᵢ, ∂loss/∂θᵢ), one optimizer step.
    func apply(_ gradients: [Matrix]) {
        optimizer.beginStep()
        for (slot, variable) in variables.enumerated() {
            optimizer.update(&variable.value, gradient: gradients[slot], slot: slot)
        }
    }
}
