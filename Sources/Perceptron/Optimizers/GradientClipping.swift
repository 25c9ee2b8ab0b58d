import CPerceptronKernels

/// Gradient clipping, applied to all of a step's gradients before the optimizer.
///
/// ```
/// byNorm(c):   g ← g · min(1, c / ‖g‖)    ‖g‖ = √(Σ over every parameter of Σ g²)
/// byValue(c):  g ← clamp(g, −c, c)        elementwise
/// ```
/// `byNorm` uses the global norm over all parameters together, as PyTorch's
/// `clip_grad_norm_` and Keras's `global_clipnorm`.
public enum GradientClipping: Codable, Sendable, Equatable {
    case byNorm(Float)
    case byValue(Float)

    func validate() throws {
        switch self {
        case .byNorm(let c): try Hyperparameter.positive("clip norm", c)
        case .byValue(let c): try Hyperparameter.positive("clip value", c)
        }
    }
}

/// Σ g² over a matrix, accumulated in Double so that large but finite gradients (up to
/// Float's maximum) do not overflow the sum.
func sumOfSquares(_ m: Matrix) -> Double {
    m.withUnsafeBufferPointer { p in pk_sum_squares(p.count, p.baseAddress) }
}
