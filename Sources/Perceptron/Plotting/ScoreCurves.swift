import Foundation

/// The threshold curves of a binary scorer: ROC and precision–recall, one point per
/// distinct score (tied samples move together), as scikit-learn's `roc_curve` and
/// `precision_recall_curve` without dropping collinear points.
///
/// ```
/// for each threshold t (distinct scores, high to low):
///   TPR = TP(t)/P    FPR = FP(t)/N    precision = TP(t)/(TP(t) + FP(t))    recall = TPR
/// average precision AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ
/// ```
/// The ROC curve starts at (0, 0); its trapezoid area is ``Metrics/rocAUC(actual:scores:)``.
public struct ScoreCurves: Sendable {
    /// (false positive rate, true positive rate), from (0, 0) to (1, 1).
    public let roc: [(fpr: Double, tpr: Double)]
    /// (recall, precision), by decreasing threshold.
    public let precisionRecall: [(recall: Double, precision: Double)]
    /// The area under ``roc``.
    public let rocAUC: Double
    /// Average precision (the step-wise area under the precision–recall curve).
    public let averagePrecision: Double
    /// The share of positives (a constant classifier's precision).
    public let positiveRate: Double

    /// - Parameters:
    ///   - positives: whether each sample is of the positive class.
    ///   - scores: higher means more likely positive.
    /// - Throws: ``PerceptronError`` for different lengths, NaN scores, or only one class
    ///   present (the curves are undefined).
    public init(positives: [Bool], scores: [Double]) throws {
        let labels = positives.map { $0 ? 1 : 0 }
        rocAUC = try Metrics.rocAUC(actual: labels, scores: scores)
        let p = labels.reduce(0, +), n = labels.count - p
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var roc: [(Double, Double)] = [(0, 0)]
        var pr: [(Double, Double)] = []
        var tp = 0, fp = 0, i = 0
        var ap = 0.0, previousRecall = 0.0
        while i < order.count {
            let threshold = scores[order[i]]
            while i < order.count && scores[order[i]] == threshold {
                if labels[order[i]] == 1 { tp += 1 } else { fp += 1 }
                i += 1
            }
            let recall = Double(tp) / Double(p), precision = Double(tp) / Double(tp + fp)
            roc.append((Double(fp) / Double(n), recall))
            pr.append((recall, precision))
            ap += (recall - previousRecall) * precision
            previousRecall = recall
        }
        self.roc = roc
        self.precisionRecall = pr
        self.averagePrecision = ap
        self.positiveRate = Double(p) / Double(labels.count)
    }

    /// One curve per class of a classifier's probabilities: class 1 for a binary n × 1 or
    /// n × 2 output, else each class against the rest. A class absent from `actual` (or the
    /// only one present) has no curve, and is left out.
    /// - Returns: (class index, curves) pairs.
    public static func perClass(actual: [Int], probabilities: Matrix) throws -> [(classIndex: Int, curves: ScoreCurves)] {
        try Metrics.checkPairs(actual.count, probabilities.rows, what: "labels and probability rows")
        if probabilities.columns <= 2 {
            let column = probabilities.columns - 1
            let scores = (0..<probabilities.rows).map { Double(probabilities[$0, column]) }
            return [(1, try ScoreCurves(positives: actual.map { $0 == 1 }, scores: scores))]
        }
        var out: [(Int, ScoreCurves)] = []
        for c in 0..<probabilities.columns {
            let positives = actual.map { $0 == c }
            guard positives.contains(true), positives.contains(false) else { continue }
            let scores = (0..<probabilities.rows).map { Double(probabilities[$0, c]) }
            out.append((c, try ScoreCurves(positives: positives, scores: scores)))
        }
        return out
    }
}
