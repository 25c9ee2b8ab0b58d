/// Adam (Kingma & Ba, 2015) on a graph, with the core ``Adam``'s formulas and defaults:
///
/// ```
/// m ← β₁·m + (1 − β₁)·g        v ← β₂·v + (1 − β₂)·g²
/// θ ← θ − η·m̂ / (√v̂ + ε),   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
/// ```
/// The moments live in the ``TrainingStep`` that ``minimize(_:variables:name:)`` returns.
public struct AdamOptimizer: Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float

    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// An operation that takes one Adam step on `loss` each time a ``Session`` runs it.
    /// - Parameter variables: the variables to train; default: every variable `loss` depends on.
    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)`` for an invalid setting.
    public func minimize(_ loss: Node, variables: [Variable]? = nil, name: String? = nil) throws -> TrainingStep {
        let rule = Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
        return try TrainingStep(minimizing: loss, optimizer: rule, variables: variables, name: name)
    }
}
