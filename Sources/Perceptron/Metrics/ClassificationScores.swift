import Foundation

/// How per-class scores are combined into one number (scikit-learn's `average`).
public enum Average: Sendable, Equatable {
    /// The score of one class (scikit-learn's `average="binary"`, `pos_label`).
    case binary(positiveClass: Int)
    /// Unweighted mean over classes.
    case macro
    /// Mean over classes weighted by support (the number of true samples of each).
    case weighted
    /// From the summed counts of all classes; for single-label data precision, recall
    /// and F1 all equal the accuracy.
    case micro
}

/// Precision, recall, F1 and support per class, with their averages, from a
/// ``ConfusionMatrix``.
///
/// ```
/// precision = TP / (TP + FP)      recall = TP / (TP + FN)
/// F1 = 2·TP / (2·TP + FP + FN)  (= 2·P·R / (P + R))
/// accuracy = Σ TPᵢ / n
/// ```
/// A ratio whose denominator is 0 is 0, as scikit-learn's default `zero_division="warn"`
/// returns (after its warning).
public struct ClassificationScores: Sendable, Equatable {
    /// The underlying counts.
    public var confusion: ConfusionMatrix
    /// Per-class precision.
    public var precision: [Double]
    /// Per-class recall.
    public var recall: [Double]
    /// Per-class F1.
    public var f1: [Double]
    /// Per-class number of true samples.
    public var support: [Int]

    public init(_ confusion: ConfusionMatrix) {
        self.confusion = confusion
        let k = confusion.classCount
        precision = (0..<k).map { c in ratio(confusion.truePositives(c), confusion.truePositives(c) + confusion.falsePositives(c)) }
        recall = (0..<k).map { c in ratio(confusion.truePositives(c), confusion.support(c)) }
        f1 = (0..<k).map { c in
            ratio(2 * confusion.truePositives(c),
                  2 * confusion.truePositives(c) + confusion.falsePositives(c) + confusion.falseNegatives(c))
        }
        support = (0..<k).map(confusion.support)
    }

    /// Scores for `actual` against `predicted` class indices; see ``ConfusionMatrix/init(actual:predicted:classCount:)``.
    public init(actual: [Int], predicted: [Int], classCount: Int? = nil) throws {
        self.init(try ConfusionMatrix(actual: actual, predicted: predicted, classCount: classCount))
    }

    /// Fraction of correct predictions.
    public var accuracy: Double {
        ratio((0..<confusion.classCount).reduce(0) { $0 + confusion.truePositives($1) }, confusion.total)
    }

    /// Averaged precision.
    public func precision(_ average: Average) -> Double { combine(precision, average) }
    /// Averaged recall.
    public func recall(_ average: Average) -> Double { combine(recall, average) }
    /// Averaged F1.
    public func f1(_ average: Average) -> Double { combine(f1, average) }

    private func combine(_ values: [Double], _ average: Average) -> Double {
        switch average {
        case .binary(let c):
            precondition(c >= 0 && c < values.count, "Positive class \(c) out of range")
            return values[c]
        case .macro:
            return values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        case .weighted:
            let total = support.reduce(0, +)
            guard total > 0 else { return 0 }
            return zip(values, support).reduce(0) { $0 + $1.0 * Double($1.1) } / Double(total)
        case .micro:
            return accuracy
        }
    }
}

/// `numerator / denominator`, or 0 when the denominator is 0.
@inline(__always) func ratio(_ numerator: Int, _ denominator: Int) -> Double {
    denominator == 0 ? 0 : Double(numerator) / Double(denominator)
}
