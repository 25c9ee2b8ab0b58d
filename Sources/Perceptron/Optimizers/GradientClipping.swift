import CPerceptronKernels

/// Gradient clipping, applied to all of a step's gradients before the optimizer: the
/// first ``GradientTransform`` of a step when the model is compiled with one.
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

extension GradientClipping: GradientTransform {
    /// Clips in place; `.nonFinite` when the global Σ g² is not finite (a NaN or ±Inf
    /// gradient), so clipping by value never turns a NaN into a finite update.
    public func transform(_ gradients: inout ModelGradients) -> GradientTransformOutcome {
        let squares = gradients.sumOfSquares()
        guard squares.isFinite else { return .nonFinite }
        switch self {
        case .byNorm(let maximum):
            let globalNorm = squares.squareRoot()
            guard globalNorm > Double(maximum) else { return .proceed }
            gradients.scale(by: Float(Double(maximum) / (globalNorm + 1e-6)))
        case .byValue(let c):
            gradients.forEach { _, _, g in
                g.withUnsafeMutableBufferPointer { p in for j in p.indices { p[j] = Swift.min(Swift.max(p[j], -c), c) } }
            }
        }
        return .proceed
    }

    public var detectsNonFiniteGradients: Bool { true }
}

/// Σ g² over a matrix, accumulated in Double so that large but finite gradients (up to
/// Float's maximum) do not overflow the sum.
func sumOfSquares(_ m: Matrix) -> Double {
    m.withUnsafeBufferPointer { p in pk_sum_squares(p.count, p.baseAddress) }
}
