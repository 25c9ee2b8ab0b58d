/// An L1/L2 penalty on a layer's weight matrix (not its bias), added to the loss
/// (Keras's convention, coefficients not halved):
///
/// ```
/// R(W) = l1·Σ|Wᵢⱼ| + l2·Σ Wᵢⱼ²        ∂R/∂W = l1·sign(W) + 2·l2·W
/// ```
/// sign(0) = 0, as in PyTorch's subgradient.
public struct Regularizer: Codable, Sendable, Equatable {
    public var l1: Float
    public var l2: Float

    /// A penalty with these coefficients (checked when the layer is built).
    public init(l1: Float = 0, l2: Float = 0) {
        self.l1 = l1
        self.l2 = l2
    }

    /// An L1 penalty.
    public static func l1(_ c: Float) -> Regularizer { Regularizer(l1: c) }
    /// An L2 penalty.
    public static func l2(_ c: Float) -> Regularizer { Regularizer(l2: c) }

    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)`` for a
    ///   negative or non-finite coefficient.
    public func validate(layer: String) throws {
        for (name, value) in [("l1", l1), ("l2", l2)] where !(value >= 0 && value.isFinite) {
            throw PerceptronError.invalidHyperparameter(name: "\(layer) \(name)", value: "\(value)", expected: "a finite number ≥ 0")
        }
    }

    /// R(W).
    public func penalty(_ w: Matrix) -> Float {
        if l1 == 0 && l2 == 0 { return 0 }
        return w.withUnsafeBufferPointer { p in
            var a: Double = 0, s: Double = 0
            for x in p { a += Double(Swift.abs(x)); s += Double(x * x) }
            return Float(Double(l1) * a + Double(l2) * s)
        }
    }

    /// Adds ∂R/∂W to `gradient` in place.
    public func addGradient(of w: Matrix, to gradient: inout Matrix) {
        if l1 == 0 && l2 == 0 { return }
        let (a, b) = (l1, 2 * l2)
        w.withUnsafeBufferPointer { wp in
            gradient.withUnsafeMutableBufferPointer { g in
                for i in 0..<wp.count {
                    let x = wp[i]
                    g[i] += a * (x > 0 ? 1 : (x < 0 ? -1 : 0)) + b * x
                }
            }
        }
    }
}
