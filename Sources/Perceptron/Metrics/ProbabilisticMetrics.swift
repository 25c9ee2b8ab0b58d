import Foundation

extension Metrics {
    /// Mean cross-entropy of the true class under the predicted probabilities:
    /// ```
    /// L = −(1/n) Σᵢ ln clip(p[i, yᵢ], ε, 1 − ε),   ε = 2⁻²³ ≈ 1.19e-7 (Float's machine epsilon)
    /// ```
    /// The clip is scikit-learn's `log_loss` for float32 probabilities (it uses the
    /// input dtype's epsilon), so a confident wrong prediction costs at most
    /// −ln ε ≈ 15.9 instead of ∞. Rows are not renormalized (scikit-learn only warns).
    ///
    /// - Parameters:
    ///   - actual: True class indices.
    ///   - probabilities: n × k class probabilities, or n × 1 probabilities of class 1
    ///     (binary; class 0 gets 1 − p).
    /// - Throws: ``PerceptronError`` for mismatched lengths or labels out of range.
    public static func logLoss(actual: [Int], probabilities: Matrix) throws -> Double {
        try checkPairs(actual.count, probabilities.rows, what: "labels and probability rows")
        let k = probabilities.columns
        let classes = k == 1 ? 2 : k
        let eps = Double(Float.ulpOfOne)
        var total = 0.0
        for (i, y) in actual.enumerated() {
            guard y >= 0 && y < classes else {
                throw PerceptronError.labelOutOfRange(row: i, label: Float(y), classCount: classes)
            }
            var p = Double(k == 1 ? probabilities[i, 0] : probabilities[i, y])
            if k == 1 && y == 0 { p = 1 - p }
            total -= log(min(max(p, eps), 1 - eps))
        }
        return total / Double(actual.count)
    }

    /// Area under the ROC curve for a binary task (labels 0 and 1; higher score means
    /// class 1), as scikit-learn's `roc_auc_score`.
    ///
    /// The curve has one point per distinct score (tied samples move together, so ties
    /// make a diagonal step), and the area is summed by trapezoids:
    /// ```
    /// AUC = Σ (FPRⱼ − FPRⱼ₋₁)·(TPRⱼ + TPRⱼ₋₁)/2
    /// ```
    /// which equals P(score of a positive > score of a negative) + ½·P(tie).
    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)`` when the
    ///   labels are not all 0/1 or only one class is present (AUC is undefined);
    ///   ``PerceptronError/nonFiniteValue(what:row:column:value:)`` for a NaN score.
    public static func rocAUC(actual: [Int], scores: [Double]) throws -> Double {
        try checkPairs(actual.count, scores.count, what: "labels and scores")
        for (i, y) in actual.enumerated() where y != 0 && y != 1 {
            throw PerceptronError.labelOutOfRange(row: i, label: Float(y), classCount: 2)
        }
        for (i, s) in scores.enumerated() where s.isNaN {
            throw PerceptronError.nonFiniteValue(what: "ROC scores", row: i, column: 0, value: .nan)
        }
        let positives = actual.reduce(0, +), negatives = actual.count - positives
        guard positives > 0, negatives > 0 else {
            throw PerceptronError.invalidHyperparameter(
                name: "labels", value: "only class \(positives > 0 ? 1 : 0)",
                expected: "both classes present (ROC AUC is undefined with one class)")
        }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var tp = 0, fp = 0, previousTP = 0, previousFP = 0
        var area = 0.0
        var i = 0
        while i < order.count {
            let threshold = scores[order[i]]
            while i < order.count && scores[order[i]] == threshold {
                if actual[order[i]] == 1 { tp += 1 } else { fp += 1 }
                i += 1
            }
            area += Double(fp - previousFP) * Double(tp + previousTP) / 2
            previousTP = tp
            previousFP = fp
        }
        return area / (Double(positives) * Double(negatives))
    }

    /// ``rocAUC(actual:scores:)`` from an n × 1 (probability of class 1) or n × 2 (the
    /// second column is used) output matrix.
    public static func rocAUC(actual: [Int], probabilities: Matrix) throws -> Double {
        guard probabilities.columns == 1 || probabilities.columns == 2 else {
            throw PerceptronError.shapeMismatch(what: "ROC AUC probabilities", expected: "n×1 or n×2",
                                                got: "\(probabilities.rows)×\(probabilities.columns)")
        }
        let column = probabilities.columns - 1
        return try rocAUC(actual: actual, scores: (0..<probabilities.rows).map { Double(probabilities[$0, column]) })
    }
}
