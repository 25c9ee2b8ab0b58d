/// RMSProp (Hinton, 2012): divides the step by a running root-mean-square of recent
/// gradients, as PyTorch's `torch.optim.RMSprop` (not centered):
///
/// ```
/// g ← g + λ·θ
/// v ← ρ·v + (1 − ρ)·g²
/// b ← μ·b + g / (√v + ε);  θ ← θ − η·b      (μ > 0)
/// θ ← θ − η·g / (√v + ε)                    (μ = 0)
/// ```
/// Defaults: η = 0.01, ρ = 0.99, ε = 1e-8 (PyTorch; Keras uses 0.001, 0.9, 1e-7).
public struct RMSProp: Optimizer {
    /// The settings that recreate this optimizer, saved as `{"rmsProp": {…}}`.
    public struct Configuration: OptimizerConfiguration, Equatable {
        public static let registeredName = "rmsProp"
        public var learningRate: Float
        public var rho: Float
        public var epsilon: Float
        public var momentum: Float
        public var weightDecay: Float
        public func makeOptimizer() -> any Optimizer {
            RMSProp(learningRate: learningRate, rho: rho, epsilon: epsilon, momentum: momentum, weightDecay: weightDecay)
        }
    }

    public var learningRate: Float
    public var rho: Float
    public var epsilon: Float
    public var momentum: Float
    public var weightDecay: Float
    public private(set) var step = 0
    private var squares = SlotArray()
    private var buffers = SlotArray()

    public init(learningRate: Float = 0.01, rho: Float = 0.99, epsilon: Float = 1e-8, momentum: Float = 0, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.rho = rho
        self.epsilon = epsilon
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public var configuration: any OptimizerConfiguration {
        Configuration(learningRate: learningRate, rho: rho, epsilon: epsilon, momentum: momentum, weightDecay: weightDecay)
    }

    public func validate() throws {
        try Hyperparameter.learningRate(learningRate)
        try Hyperparameter.unitInterval("rho", rho)
        try Hyperparameter.positive("epsilon", epsilon)
        try Hyperparameter.unitInterval("momentum", momentum)
        try Hyperparameter.nonNegative("weightDecay", weightDecay)
    }

    public var state: OptimizerState {
        get { OptimizerState(step: step, slots: ["square": squares.matrices, "momentum": buffers.matrices]) }
        set {
            step = newValue.step
            squares.matrices = newValue.slots["square"] ?? []
            buffers.matrices = newValue.slots["momentum"] ?? []
        }
    }

    public mutating func beginStep() { step += 1 }

    public mutating func update(_ parameter: inout Matrix, gradient: Matrix, slot: Int) {
        let (lr, rho, eps, mu, wd) = (learningRate, rho, epsilon, momentum, weightDecay)
        squares.prepare(slot, like: parameter)
        if mu > 0 { buffers.prepare(slot, like: parameter) } else { buffers.prepare(slot, like: Matrix(rows: 0, columns: 0)) }
        parameter.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                squares.matrices[slot].withUnsafeMutableBufferPointer { v in
                    buffers.matrices[slot].withUnsafeMutableBufferPointer { b in
                        for i in 0..<p.count {
                            let gi = g[i] + wd * p[i]
                            v[i] = rho * v[i] + (1 - rho) * gi * gi
                            let scaled = gi / (v[i].squareRoot() + eps)
                            if mu > 0 {
                                b[i] = mu * b[i] + scaled
                                p[i] -= lr * b[i]
                            } else {
                                p[i] -= lr * scaled
                            }
                        }
                    }
                }
            }
        }
    }
}
