import ArgumentParser
import Foundation
import Perceptron

/// The library's training controls as flags: regularization, class weights, learning-rate
/// schedules, gradient clipping and validation rows (part of every training command).
struct TrainingControls: ParsableArguments {
    @Option(name: .long, help: "L1 penalty l1·Σ|W| on every Dense layer's kernel (Keras' kernel_regularizer).")
    var l1: Float = 0

    @Option(name: .long, help: "L2 penalty l2·ΣW² on every Dense layer's kernel (Keras' kernel_regularizer; scikit-learn's alpha is 2·l2·n).")
    var l2: Float = 0

    @Option(name: .long, help: ArgumentHelp("A Dropout layer of this rate after every hidden layer (0: none).", valueName: "rate"))
    var dropout: Float = 0

    @Option(name: .long, help: ArgumentHelp("Weights on each class's share of the loss: balanced (n / (k·count)), or CLASS:WEIGHT pairs such as 0:1,1:3 (a class name or index; classes not named weigh 1). Default: none.",
                                            valueName: "balanced|c:w,…"))
    var classWeight: String?

    @Option(name: .long, help: ArgumentHelp("How the learning rate changes: step:EVERY:FACTOR, exponential:RATE, cosine[:MIN] (over the epochs) or plateau:PATIENCE:FACTOR (on val_loss, else loss). Default: constant.",
                                            valueName: "schedule"))
    var lrSchedule: String?

    @Option(name: .long, help: ArgumentHelp("Rescale the gradients when their global L2 norm exceeds this. Default: no clipping.", valueName: "norm"))
    var clipNorm: Float?

    @Option(name: .long, help: ArgumentHelp("A CSV file of validation rows (same columns as the training data) for the val_ metrics and early stopping; replaces --validation-split. Default: none.",
                                            valueName: "file"))
    var validationData: String?

    func validate() throws {
        for (name, value) in [("--l1", l1), ("--l2", l2)] where !(value >= 0 && value.isFinite) {
            throw ValidationError("\(name) must be a finite number ≥ 0, got \(value).")
        }
        if !(dropout >= 0 && dropout < 1) { throw ValidationError("--dropout must be in [0, 1), got \(dropout).") }
        if let clipNorm, !(clipNorm > 0 && clipNorm.isFinite) {
            throw ValidationError("--clip-norm must be a positive number, got \(clipNorm).")
        }
        if let classWeight { _ = try ClassWeightSpec.parse(classWeight) }
        if let lrSchedule { _ = try ScheduleSpec.parse(lrSchedule) }
    }

    /// The kernel regularizer, or nil when both penalties are 0.
    var regularizer: Regularizer? { l1 == 0 && l2 == 0 ? nil : Regularizer(l1: l1, l2: l2) }
    var clipping: GradientClipping? { clipNorm.map { .byNorm($0) } }
    var schedule: ScheduleSpec? { lrSchedule.flatMap { try? ScheduleSpec.parse($0) } }
    var classWeights: ClassWeightSpec? { classWeight.flatMap { try? ClassWeightSpec.parse($0) } }
}

/// `--class-weight`: `balanced` (scikit-learn's n / (k · count(c))) or explicit pairs.
enum ClassWeightSpec: Equatable {
    case balanced
    case explicit([(String, Float)])

    static func == (a: ClassWeightSpec, b: ClassWeightSpec) -> Bool {
        switch (a, b) {
        case (.balanced, .balanced): return true
        case let (.explicit(x), .explicit(y)): return x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        default: return false
        }
    }

    static func parse(_ text: String) throws -> ClassWeightSpec {
        if text.lowercased() == "balanced" { return .balanced }
        let pairs = try text.split(separator: ",").map { part -> (String, Float) in
            let pieces = part.split(separator: ":")
            guard pieces.count == 2, let w = Float(pieces[1].trimmingCharacters(in: .whitespaces)), w >= 0, w.isFinite else {
                throw ValidationError("--class-weight takes balanced or CLASS:WEIGHT pairs such as 0:1,1:3 (weights ≥ 0), got \"\(text)\".")
            }
            return (pieces[0].trimmingCharacters(in: .whitespaces), w)
        }
        guard !pairs.isEmpty else { throw ValidationError("--class-weight needs balanced or CLASS:WEIGHT pairs, got \"\(text)\".") }
        return .explicit(pairs)
    }

    /// A weight per class index: `labels` are the training rows' class indices.
    /// - Throws: `CLIError` for a class that is neither a name nor an index of the target.
    func weights(classNames: [String], labels: [Int]) throws -> [Int: Float] {
        switch self {
        case .balanced:
            var counts = [Int](repeating: 0, count: classNames.count)
            for label in labels where counts.indices.contains(label) { counts[label] += 1 }
            let n = Float(labels.count), k = Float(classNames.count)
            var out: [Int: Float] = [:]
            for (c, count) in counts.enumerated() where count > 0 { out[c] = n / (k * Float(count)) }
            return out
        case .explicit(let pairs):
            var out: [Int: Float] = [:]
            for c in classNames.indices { out[c] = 1 }
            for (key, weight) in pairs {
                if let index = classNames.firstIndex(of: key) {
                    out[index] = weight
                } else if let index = Int(key), classNames.indices.contains(index) {
                    out[index] = weight
                } else {
                    throw CLIError("--class-weight: \"\(key)\" is not a class of the target (classes: "
                        + classNames.enumerated().map { "\($0.offset)=\($0.element)" }.joined(separator: ", ") + ")")
                }
            }
            return out
        }
    }
}

/// `--lr-schedule`: a per-epoch schedule of the library, or reduce-on-plateau (a callback).
enum ScheduleSpec: Equatable {
    case epochs(LearningRateSchedule)
    /// cosine over the run's epochs, down to `minimum` (the epoch count is known at fit time).
    case cosine(minimum: Float)
    case plateau(patience: Int, factor: Float)

    static func parse(_ text: String) throws -> ScheduleSpec {
        let parts = text.lowercased().split(separator: ":").map(String.init)
        let usage = "--lr-schedule takes step:EVERY:FACTOR, exponential:RATE, cosine[:MIN] or plateau:PATIENCE:FACTOR, got \"\(text)\""
        func number(_ i: Int) throws -> Float {
            guard parts.count > i, let v = Float(parts[i]), v.isFinite else { throw ValidationError(usage + ".") }
            return v
        }
        func integer(_ i: Int) throws -> Int {
            guard parts.count > i, let v = Int(parts[i]) else { throw ValidationError(usage + ".") }
            return v
        }
        switch parts.first {
        case "step"?:
            guard parts.count == 3 else { throw ValidationError(usage + ".") }
            let every = try integer(1), factor = try number(2)
            guard every >= 1, factor > 0 else { throw ValidationError(usage + " (EVERY ≥ 1 epochs, FACTOR > 0).") }
            return .epochs(.step(every: every, factor: factor))
        case "exponential"?:
            guard parts.count == 2 else { throw ValidationError(usage + ".") }
            let rate = try number(1)
            guard rate > 0 else { throw ValidationError(usage + " (RATE > 0, e.g. 0.95 per epoch).") }
            return .epochs(.exponential(factor: rate))
        case "cosine"?:
            guard parts.count <= 2 else { throw ValidationError(usage + ".") }
            let minimum = parts.count == 2 ? try number(1) : 0
            guard minimum >= 0 else { throw ValidationError(usage + " (MIN ≥ 0).") }
            return .cosine(minimum: minimum)
        case "plateau"?:
            guard parts.count == 3 else { throw ValidationError(usage + ".") }
            let patience = try integer(1), factor = try number(2)
            guard patience >= 0, factor > 0, factor < 1 else { throw ValidationError(usage + " (PATIENCE ≥ 0, FACTOR in (0, 1)).") }
            return .plateau(patience: patience, factor: factor)
        default:
            throw ValidationError(usage + ".")
        }
    }

    /// The schedule `compile` takes for a run of `epochs` epochs (constant for plateau).
    func schedule(epochs: Int) -> LearningRateSchedule {
        switch self {
        case .epochs(let s): return s
        case .cosine(let minimum): return .cosine(epochs: max(epochs, 1), minimum: minimum)
        case .plateau: return .constant
        }
    }
}
