import Foundation

extension Metrics {
    /// Mean squared error `(1/n) Σ (yᵢ − ŷᵢ)²`.
    public static func meanSquaredError(actual: [Double], predicted: [Double]) throws -> Double {
        try checkPairs(actual.count, predicted.count)
        return zip(actual, predicted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(actual.count)
    }

    /// Mean absolute error `(1/n) Σ |yᵢ − ŷᵢ|`.
    public static func meanAbsoluteError(actual: [Double], predicted: [Double]) throws -> Double {
        try checkPairs(actual.count, predicted.count)
        return zip(actual, predicted).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(actual.count)
    }

    /// Root mean squared error `√MSE`.
    public static func rootMeanSquaredError(actual: [Double], predicted: [Double]) throws -> Double {
        try meanSquaredError(actual: actual, predicted: predicted).squareRoot()
    }

    /// Coefficient of determination
    /// ```
    /// R² = 1 − Σ (yᵢ − ŷᵢ)² / Σ (yᵢ − ȳ)²
    /// ```
    /// For a constant `actual` (denominator 0) it is 1 when the predictions are exact and
    /// 0 otherwise, as scikit-learn's `r2_score` (`force_finite=True`).
    public static func r2(actual: [Double], predicted: [Double]) throws -> Double {
        try checkPairs(actual.count, predicted.count)
        let mean = actual.reduce(0, +) / Double(actual.count)
        let residual = zip(actual, predicted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let total = actual.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        if total == 0 { return residual == 0 ? 1 : 0 }
        return 1 - residual / total
    }

    /// The regression metrics over all elements of two equal-shaped matrices (n × 1 targets).
    public static func regressionMetrics(actual: Matrix, predicted: Matrix) throws
        -> (mse: Double, mae: Double, rmse: Double, r2: Double) {
        guard actual.rows == predicted.rows, actual.columns == predicted.columns else {
            throw PerceptronError.shapeMismatch(what: "regression targets and predictions",
                                                expected: "\(actual.rows)×\(actual.columns)",
                                                got: "\(predicted.rows)×\(predicted.columns)")
        }
        let y = actual.elements.map(Double.init), p = predicted.elements.map(Double.init)
        let mse = try meanSquaredError(actual: y, predicted: p)
        return (mse, try meanAbsoluteError(actual: y, predicted: p), mse.squareRoot(), try r2(actual: y, predicted: p))
    }
}
