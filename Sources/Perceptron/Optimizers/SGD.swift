/// Stochastic gradient descent on minibatches, with optional momentum (heavy ball or
/// Nesterov) and L2 weight decay, as PyTorch's `torch.optim.SGD` (dampening 0):
///
/// ```
/// g ← g + λ·θ                                  (weightDecay λ)
/// b ← μ·b + g          (b = g on the first step)
/// g ← g + μ·b  if nesterov,  else  g ← b       (when μ > 0)
/// θ ← θ − η·g
/// ```
/// Keras writes momentum as `v ← μv − ηg`, which matches this when η is constant.
/// Default η = 0.01 (Keras's; PyTorch has none).
public struct SGD: Optimizer {
    /// The settings that recreate this optimizer, saved as `{"sgd": {…}}`.
    public struct Configuration: OptimizerConfiguration, Equatable {
        public static let registeredName = "sgd"
        public var learningRate: Float
        public var momentum: Float
        public var nesterov: Bool
        public var weightDecay: Float
        public func makeOptimizer() -> any Optimizer {
            SGD(learningRate: learningRate, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
        }
    }

    public var learningRate: Float
    public var momentum: Float
    public var nesterov: Bool
    public var weightDecay: Float
    public private(set) var step = 0
    private var buffers = SlotArray()

    public init(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public var configuration: any OptimizerConfiguration {
        Configuration(learningRate: learningRate, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
    }

    public func validate() throws {
        try Hyperparameter.learningRate(learningRate)
        try Hyperparameter.unitInterval("momentum", momentum)
        try Hyperparameter.nonNegative("weightDecay", weightDecay)
        if nesterov && momentum == 0 {
            throw PerceptronError.invalidHyperparameter(name: "nesterov", value: "true", expected: "momentum > 0 with Nesterov")
        }
    }

    public var state: OptimizerState {
        get { OptimizerState(step: step, slots: momentum > 0 ? ["momentum": buffers.matrices] : [:]) }
        set { step = newValue.step; buffers.matrices = newValue.slots["momentum"] ?? [] }
    }

    public mutating func beginStep() { step += 1 }

    public mutating func update(_ parameter: inout Matrix, gradient: Matrix, slot: Int) {
        let (lr, mu, wd, nesterov) = (learningRate, momentum, weightDecay, nesterov)
        if mu == 0 {
            parameter.withUnsafeMutableBufferPointer { p in
                gradient.withUnsafeBufferPointer { g in
                    for i in 0..<p.count { p[i] -= lr * (g[i] + wd * p[i]) }
                }
            }
            return
        }
        let fresh = buffers.matrices.count <= slot || buffers.matrices[slot].count != parameter.count
        buffers.prepare(slot, like: parameter)
        parameter.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                buffers.matrices[slot].withUnsafeMutableBufferPointer { b in
                    for i in 0..<p.count {
                        let gi = g[i] + wd * p[i]
                        let bi = fresh ? gi : mu * b[i] + gi
                        b[i] = bi
                        p[i] -= lr * (nesterov ? gi + mu * bi : bi)
                    }
                }
            }
        }
    }
}
