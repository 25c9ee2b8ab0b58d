import Foundation
import Perceptron

/// An activation defined outside the library: Swish (Ramachandran et al., 2017), also
/// called SiLU,
///
/// ```
/// f(z) = z·σ(z)        f′(z) = σ(z) + a·(1 − σ(z)),  a = f(z)
/// ```
/// Its value and derivative are all a user writes (the buffer loops come from
/// `ElementwiseActivation`), plus `ActivationRegistry.register(Swish())` to save and load it.
struct Swish: ElementwiseActivation {
    var name: String { "example.swish" }

    func value(_ z: Float) -> Float { z * Activation.logistic(z) }

    func derivative(z: Float, a: Float) -> Float {
        let s = Activation.logistic(z)
        return s + a * (1 - s)
    }
}

extension Activation {
    /// The spelling `Dense(8, activation: .swish)`.
    static let swish = Activation(Swish())
}
