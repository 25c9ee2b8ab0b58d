import Foundation

/// AdaGrad (Duchi et al., 2011): a per-parameter step that shrinks with the sum of past
/// squared gradients, as PyTorch's `torch.optim.Adagrad` (no learning-rate decay):
///
/// ```
/// g ← g + λ·θ
/// s ← s + g²            (s starts at initialAccumulator)
/// θ ← θ − η·g / (√s + ε)
/// ```
/// Defaults: η = 0.01, ε = 1e-10, initialAccumulator = 0 (PyTorch; Keras uses 0.001 and 0.1).
public struct AdaGrad: Optimizer {
    /// The settings that recreate this optimizer, saved as `{"adaGrad": {…}}`.
    public struct Configuration: OptimizerConfiguration, Equatable {
        public static let registeredName = "adaGrad"
        public var learningRate: Float
        public var epsilon: Float
        public var initialAccumulator: Float
        public var weightDecay: Float
        public func makeOptimizer() -> any Optimizer {
            AdaGrad(learningRate: learningRate, epsilon: epsilon, initialAccumulator: initialAccumulator, weightDecay: weightDecay)
        }
    }

    public var learningRate: Float
    public var epsilon: Float
    public var initialAccumulator: Float
    public var weightDecay: Float
    public private(set) var step = 0
    private var sums = SlotArray()

    public init(learningRate: Float = 0.01, epsilon: Float = 1e-10, initialAccumulator: Float = 0, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.epsilon = epsilon
        self.initialAccumulator = initialAccumulator
        self.weightDecay = weightDecay
    }

    public var configuration: any OptimizerConfiguration {
        Configuration(learningRate: learningRate, epsilon: epsilon, initialAccumulator: initialAccumulator, weightDecay: weightDecay)
    }

    public func validate() throws {
        try Hyperparameter.learningRate(learningRate)
        try Hyperparameter.positive("epsilon", epsilon)
        try Hyperparameter.nonNegative("initialAccumulator", initialAccumulator)
        try Hyperparameter.nonNegative("weightDecay", weightDecay)
    }

    public var state: OptimizerState {
        get { OptimizerState(step: step, slots: ["sum": sums.matrices]) }
        set { step = newValue.step; sums.matrices = newValue.slots["sum"] ?? [] }
    }

    public mutating func beginStep() { step += 1 }

    public mutating func update(_ parameter: inout Matrix, gradient: Matrix, slot: Int) {
        let (lr, eps, wd) = (learningRate, epsilon, weightDecay)
        sums.prepare(slot, like: parameter, initial: initialAccumulator)
        parameter.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                sums.matrices[slot].withUnsafeMutableBufferPointer { s in
                    for i in 0..<p.count {
                        let gi = g[i] + wd * p[i]
                        s[i] += gi * gi
                        p[i] -= lr * gi / (s[i].squareRoot() + eps)
                    }
                }
            }
        }
    }
}
