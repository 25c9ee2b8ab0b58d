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

/// Σ g² over a matrix, in Double.
func sumOfSquares(_ m: Matrix) -> Double {
    m.withUnsafeBufferPointer { p in
        var s: Float = 0, total: Double = 0
        var i = 0
        // Blocks of 1024 in Float, summed into a Double: fast and accurate enough for a norm.
        while i < p.count {
            let end = min(i + 1024, p.count)
            s = 0
            for j in i..<end { s += p[j] * p[j] }
            total += Double(s)
            i = end
        }
        return total
    }
}
