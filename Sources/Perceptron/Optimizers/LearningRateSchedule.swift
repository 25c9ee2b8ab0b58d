import Foundation

/// A learning rate that changes with the epoch (0-based), from the base rate η₀ the
/// optimizer was given. Applied at the start of each epoch, as PyTorch's epoch schedulers.
///
/// ```
/// constant                     η = η₀
/// step(every: s, factor: γ)    η = η₀·γ^⌊epoch/s⌋                        (StepLR)
/// exponential(factor: γ)       η = η₀·γ^epoch                            (ExponentialLR)
/// cosine(epochs: T, minimum)   η = ηmin + ½(η₀ − ηmin)(1 + cos(π·min(epoch, T)/T))  (CosineAnnealingLR)
/// ```
/// Reduce-on-plateau depends on the monitored loss, so it is a callback: ``ReduceLearningRateOnPlateau``.
public enum LearningRateSchedule: Codable, Sendable, Equatable {
    case constant
    case step(every: Int, factor: Float)
    case exponential(factor: Float)
    case cosine(epochs: Int, minimum: Float)

    /// η for `epoch`, from base rate `base`.
    public func learningRate(base: Float, epoch: Int) -> Float {
        switch self {
        case .constant: return base
        case let .step(every, factor): return base * Foundation.pow(factor, Float(epoch / every))
        case let .exponential(factor): return base * Foundation.pow(factor, Float(epoch))
        case let .cosine(epochs, minimum):
            let progress = Double(min(epoch, epochs)) / Double(epochs)
            return minimum + 0.5 * (base - minimum) * Float(1 + Foundation.cos(Double.pi * progress))
        }
    }

    func validate() throws {
        switch self {
        case .constant: break
        case let .step(every, factor):
            guard every >= 1 else {
                throw PerceptronError.invalidHyperparameter(name: "step schedule 'every'", value: "\(every)", expected: "an integer ≥ 1")
            }
            try Hyperparameter.positive("step schedule factor", factor)
        case let .exponential(factor): try Hyperparameter.positive("exponential schedule factor", factor)
        case let .cosine(epochs, minimum):
            guard epochs >= 1 else {
                throw PerceptronError.invalidHyperparameter(name: "cosine schedule epochs", value: "\(epochs)", expected: "an integer ≥ 1")
            }
            try Hyperparameter.nonNegative("cosine schedule minimum", minimum)
        }
    }
}
