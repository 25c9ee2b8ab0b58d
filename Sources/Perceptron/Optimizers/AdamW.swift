/// AdamW (Loshchilov & Hutter, 2019): Adam with weight decay decoupled from the
/// gradient, as PyTorch's `torch.optim.AdamW`:
///
/// ```
/// θ ← θ·(1 − η·λ)
/// then Adam's step on g (no λ·θ added to g)
/// ```
/// Defaults: η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8, λ = 0.01 (PyTorch; Keras's λ is 0.004).
/// Like PyTorch with one parameter group, the decay applies to biases too.
public struct AdamW: Optimizer {
    /// The settings that recreate this optimizer, saved as `{"adamW": {…}}`.
    public struct Configuration: OptimizerConfiguration, Equatable {
        public static let registeredName = "adamW"
        public var learningRate: Float
        public var beta1: Float
        public var beta2: Float
        public var epsilon: Float
        public var weightDecay: Float
        public var amsgrad: Bool
        public func makeOptimizer() -> any Optimizer {
            AdamW(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, amsgrad: amsgrad)
        }
    }

    private var adam: Adam

    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0.01, amsgrad: Bool = false) {
        adam = Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                    weightDecay: weightDecay, amsgrad: amsgrad)
        adam.decoupledWeightDecay = true
    }

    public var learningRate: Float {
        get { adam.learningRate }
        set { adam.learningRate = newValue }
    }
    public var weightDecay: Float { adam.weightDecay }
    public var step: Int { adam.step }
    public var configuration: any OptimizerConfiguration {
        Configuration(learningRate: adam.learningRate, beta1: adam.beta1, beta2: adam.beta2, epsilon: adam.epsilon, weightDecay: adam.weightDecay, amsgrad: adam.amsgrad)
    }
    public var state: OptimizerState {
        get { adam.state }
        set { adam.state = newValue }
    }
    public func validate() throws { try adam.validate() }
    public mutating func beginStep() { adam.beginStep() }
    public mutating func update(_ parameter: inout Matrix, gradient: Matrix, slot: Int) {
        adam.update(&parameter, gradient: gradient, slot: slot)
    }
}
