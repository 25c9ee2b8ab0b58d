import Foundation

/// Evaluation metrics, checked against scikit-learn 1.5.2 on fixed inputs
/// (Tests/PerceptronTests/Fixtures/metrics/make_metrics.py).
///
/// Classification metrics take class indices; ``classIndices(from:)`` turns model
/// outputs (probabilities) into them. All throw ``PerceptronError`` for inputs of
/// different lengths, empty inputs or labels out of range.
public enum Metrics {
    /// Fraction of correct predictions: `#{actualᵢ = predictedᵢ} / n`.
    public static func accuracy(actual: [Int], predicted: [Int]) throws -> Double {
        try checkPairs(actual.count, predicted.count)
        return Double(zip(actual, predicted).filter { $0 == $1 }.count) / Double(actual.count)
    }

    /// The confusion matrix (rows actual, columns predicted).
    public static func confusionMatrix(actual: [Int], predicted: [Int], classCount: Int? = nil) throws -> ConfusionMatrix {
        try ConfusionMatrix(actual: actual, predicted: predicted, classCount: classCount)
    }

    /// Precision `TP / (TP + FP)`, averaged as asked (0 where undefined).
    public static func precision(actual: [Int], predicted: [Int], average: Average = .macro,
                                 classCount: Int? = nil) throws -> Double {
        try ClassificationScores(actual: actual, predicted: predicted, classCount: classCount).precision(average)
    }

    /// Recall `TP / (TP + FN)`, averaged as asked (0 where undefined).
    public static func recall(actual: [Int], predicted: [Int], average: Average = .macro,
                              classCount: Int? = nil) throws -> Double {
        try ClassificationScores(actual: actual, predicted: predicted, classCount: classCount).recall(average)
    }

    /// F1 `2·TP / (2·TP + FP + FN)`, averaged as asked (0 where undefined).
    public static func f1(actual: [Int], predicted: [Int], average: Average = .macro,
                          classCount: Int? = nil) throws -> Double {
        try ClassificationScores(actual: actual, predicted: predicted, classCount: classCount).f1(average)
    }

    /// scikit-learn's `classification_report` text; see ``ClassificationScores/report(classNames:digits:)``.
    public static func classificationReport(actual: [Int], predicted: [Int], classNames: [String]? = nil,
                                            digits: Int = 2) throws -> String {
        try ClassificationScores(actual: actual, predicted: predicted, classCount: classNames?.count)
            .report(classNames: classNames, digits: digits)
    }

    /// Class indices from model outputs: the arg-max of each row (first on ties), or,
    /// for an n × 1 matrix of positive-class probabilities, 1 when p ≥ `threshold`.
    public static func classIndices(from outputs: Matrix, threshold: Float = 0.5) -> [Int] {
        let k = outputs.columns
        return outputs.withUnsafeBufferPointer { p in
            (0..<outputs.rows).map { i in
                if k == 1 { return p[i] >= threshold ? 1 : 0 }
                var best = 0
                for j in 1..<max(k, 1) where p[i * k + j] > p[i * k + best] { best = j }
                return best
            }
        }
    }

    /// Mean and population standard deviation (numpy's default, ddof = 0), as reported
    /// for cross-validation folds: `mean ± std`.
    public static func meanAndStd(_ values: [Double]) -> (mean: Double, std: Double) {
        guard !values.isEmpty else { return (0, 0) }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance.squareRoot())
    }

    static func checkPairs(_ actual: Int, _ predicted: Int, what: String = "actual and predicted") throws {
        guard actual == predicted else {
            throw PerceptronError.shapeMismatch(what: what, expected: "\(actual) values", got: "\(predicted)")
        }
        guard actual > 0 else { throw PerceptronError.emptyData(what: what) }
    }
}
