/// Plain gradient descent on a graph, as seed 004's `GradientDescentOptimizer`:
///
/// ```
/// θ ← θ − η·∂J/∂θ
/// ```
/// The update is the core ``SGD`` (without momentum), applied by the returned ``TrainingStep``.
public struct GradientDescentOptimizer: Sendable {
    /// η.
    public var learningRate: Float

    public init(learningRate: Float) { self.learningRate = learningRate }

    /// An operation that takes one gradient-descent step on `loss` each time a ``Session`` runs it.
    /// - Parameter variables: the variables to train; default: every variable `loss` depends on.
    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)`` unless η is finite and > 0.
    public func minimize(_ loss: Node, variables: [Variable]? = nil, name: String? = nil) throws -> TrainingStep {
        try TrainingStep(minimizing: loss, optimizer: SGD(learningRate: learningRate), variables: variables, name: name)
    }
}
