/// How the sparsity of gradual magnitude pruning rises during training (Zhu & Gupta 2017,
/// "To prune, or not to prune"): from sᵢ at step t₀ to s_f at step t₀ + nΔt, fast at first
/// and slowly at the end, with the masks recomputed every Δt steps:
///
/// ```
/// s_t = s_f + (sᵢ − s_f)·(1 − (t − t₀)/(nΔt))³     t₀ ≤ t ≤ t₀ + nΔt
/// s_t = sᵢ before t₀,   s_f after t₀ + nΔt
/// ```
/// t counts optimizer steps (batches). A schedule with n = 0 is one-shot pruning: s_f from
/// the start.
public struct PruningSchedule: Sendable, Equatable, Codable {
    /// sᵢ, the sparsity at t₀.
    public let initialSparsity: Double
    /// s_f, the sparsity from t₀ + nΔt on.
    public let finalSparsity: Double
    /// t₀, the first pruning step.
    public let beginStep: Int
    /// n, how many times the masks are recomputed after t₀.
    public let pruningSteps: Int
    /// Δt, the steps between two recomputations.
    public let frequency: Int

    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)`` unless
    ///   0 ≤ sᵢ ≤ s_f < 1, t₀ ≥ 0, n ≥ 0 and Δt ≥ 1.
    public init(initialSparsity: Double = 0, finalSparsity: Double, beginStep: Int = 0, pruningSteps: Int, frequency: Int = 1) throws {
        guard finalSparsity >= 0, finalSparsity < 1 else {
            throw PerceptronError.invalidHyperparameter(name: "final sparsity", value: "\(finalSparsity)", expected: "a fraction in [0, 1)")
        }
        guard initialSparsity >= 0, initialSparsity <= finalSparsity else {
            throw PerceptronError.invalidHyperparameter(name: "initial sparsity", value: "\(initialSparsity)",
                                                        expected: "a fraction in [0, \(finalSparsity)] (at most the final sparsity)")
        }
        guard beginStep >= 0 else {
            throw PerceptronError.invalidHyperparameter(name: "pruning begin step", value: "\(beginStep)", expected: "an integer ≥ 0")
        }
        guard pruningSteps >= 0 else {
            throw PerceptronError.invalidHyperparameter(name: "pruning steps", value: "\(pruningSteps)", expected: "an integer ≥ 0")
        }
        guard frequency >= 1 else {
            throw PerceptronError.invalidHyperparameter(name: "pruning frequency", value: "\(frequency)", expected: "an integer ≥ 1")
        }
        self.initialSparsity = initialSparsity
        self.finalSparsity = finalSparsity
        self.beginStep = beginStep
        self.pruningSteps = pruningSteps
        self.frequency = frequency
    }

    /// One-shot pruning to `sparsity`: s_t = `sparsity` at every step.
    public static func oneShot(_ sparsity: Double) throws -> PruningSchedule {
        try PruningSchedule(initialSparsity: sparsity, finalSparsity: sparsity, pruningSteps: 0)
    }

    /// A gradual schedule over `totalSteps` optimizer steps of fine-tuning: from 0 at step 0
    /// to `sparsity` three quarters of the way through (the last quarter trains under the
    /// final masks), the masks recomputed about 20 times: Δt = max(1, ramp / 20).
    public static func gradual(to sparsity: Double, totalSteps: Int) throws -> PruningSchedule {
        let ramp = max(1, totalSteps * 3 / 4)
        let frequency = max(1, ramp / 20)
        return try PruningSchedule(initialSparsity: 0, finalSparsity: sparsity, beginStep: 0,
                                   pruningSteps: ramp / frequency, frequency: frequency)
    }

    /// t₀ + nΔt, the step at which s_f is reached.
    public var endStep: Int { beginStep + pruningSteps * frequency }

    /// s_t.
    public func sparsity(atStep t: Int) -> Double {
        if t <= beginStep { return pruningSteps == 0 ? finalSparsity : initialSparsity }
        if t >= endStep { return finalSparsity }
        let remaining = 1 - Double(t - beginStep) / Double(pruningSteps * frequency)
        return finalSparsity + (initialSparsity - finalSparsity) * remaining * remaining * remaining
    }

    /// Whether the masks are recomputed at step t: t₀, t₀ + Δt, …, t₀ + nΔt.
    public func isPruningStep(_ t: Int) -> Bool {
        t >= beginStep && t <= endStep && (t - beginStep) % frequency == 0
    }
}
