import CPerceptronKernels
import Foundation

/// Adam (Kingma & Ba, 2015), with the AMSGrad variant (Reddi et al., 2018) as a flag,
/// as PyTorch's `torch.optim.Adam`:
///
/// ```
/// g ← g + λ·θ                                   (L2 weightDecay λ, coupled)
/// m ← β₁·m + (1 − β₁)·g        v ← β₂·v + (1 − β₂)·g²
/// AMSGrad: v̄ ← max(v̄, v), and v̄ replaces v below (the max is over the raw v, before
///          bias correction, as PyTorch's code does)
/// θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
/// This is seed 001's `Adam.step`, with m̂ = m/(1 − β₁ᵗ) and v̂ = v/(1 − β₂ᵗ) folded in.
/// Defaults: η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8 (PyTorch and seed 001; Keras's ε is 1e-7).
public struct Adam: Optimizer {
    /// The settings that recreate this optimizer, saved as `{"adam": {…}}`.
    public struct Configuration: OptimizerConfiguration, Equatable {
        public static let registeredName = "adam"
        public var learningRate: Float
        public var beta1: Float
        public var beta2: Float
        public var epsilon: Float
        public var weightDecay: Float
        public var amsgrad: Bool
        public func makeOptimizer() -> any Optimizer {
            Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, amsgrad: amsgrad)
        }
    }

    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    public var amsgrad: Bool
    public private(set) var step = 0
    /// Whether weight decay is decoupled from the gradient (AdamW).
    var decoupledWeightDecay = false
    private var firstMoments = SlotArray()
    private var secondMoments = SlotArray()
    private var secondMomentsMax = SlotArray()

    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, amsgrad: Bool = false) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
    }

    public var configuration: any OptimizerConfiguration {
        Configuration(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, amsgrad: amsgrad)
    }

    public func validate() throws {
        try Hyperparameter.learningRate(learningRate)
        try Hyperparameter.unitInterval("beta1", beta1)
        try Hyperparameter.unitInterval("beta2", beta2)
        try Hyperparameter.positive("epsilon", epsilon)
        try Hyperparameter.nonNegative("weightDecay", weightDecay)
    }

    public var state: OptimizerState {
        get {
            var slots = ["m": firstMoments.matrices, "v": secondMoments.matrices]
            if amsgrad { slots["vMax"] = secondMomentsMax.matrices }
            return OptimizerState(step: step, slots: slots)
        }
        set {
            step = newValue.step
            firstMoments.matrices = newValue.slots["m"] ?? []
            secondMoments.matrices = newValue.slots["v"] ?? []
            secondMomentsMax.matrices = newValue.slots["vMax"] ?? []
        }
    }

    public mutating func beginStep() { step += 1 }

    public mutating func update(_ parameter: inout Matrix, gradient: Matrix, slot: Int) {
        let t = Double(max(step, 1))
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        let stepSize = Float(Double(learningRate) / (1 - Foundation.pow(Double(b1), t)))
        let inverseRootCorrection2 = Float(1 / (1 - Foundation.pow(Double(b2), t)).squareRoot())
        var hyper = pk_adam_params(
            beta1: b1, beta2: b2, epsilon: eps, step_size: stepSize, inv_root_bc2: inverseRootCorrection2,
            coupled_decay: decoupledWeightDecay ? 0 : weightDecay, shrink: decoupledWeightDecay ? 1 - learningRate * weightDecay : 1)
        firstMoments.prepare(slot, like: parameter)
        secondMoments.prepare(slot, like: parameter)
        secondMomentsMax.prepare(slot, like: amsgrad ? parameter : Matrix(rows: 0, columns: 0))
        let ams = amsgrad
        precondition(gradient.count == parameter.count, "Adam: gradient has \(gradient.count) elements, parameter \(parameter.count)")
        // The per-element formula above, vectorized in C (PerceptronVectorKernels.h).
        parameter.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                firstMoments.matrices[slot].withUnsafeMutableBufferPointer { m in
                    secondMoments.matrices[slot].withUnsafeMutableBufferPointer { v in
                        secondMomentsMax.matrices[slot].withUnsafeMutableBufferPointer { vMax in
                            if let pp = p.baseAddress, let gp = g.baseAddress, let mp = m.baseAddress, let vp = v.baseAddress {
                                ParallelKernels.adam(p.count, pp, gp, mp, vp, ams ? vMax.baseAddress : nil, &hyper)
                            }
                        }
                    }
                }
            }
        }
    }
}
