import Foundation

/// A reliability diagram: the observed frequency of the event against the mean predicted
/// probability, in `bins` equal-width bins of [0, 1] (scikit-learn's `calibration_curve`,
/// strategy "uniform"). A calibrated model lies on the diagonal.
///
/// Binary: the event is class 1 and the probability is p(class 1). More classes: the
/// event is "the predicted class is right" and the probability the top one (confidence).
/// ```
/// bin b:  x_b = mean of p over its samples,  y_b = share of its samples where the event happened
/// ```
public struct CalibrationFigure: Figure {
    public var title: String
    public var id: String?
    /// (mean predicted probability, observed frequency, samples) per non-empty bin.
    public let bins: [(predicted: Double, observed: Double, count: Int)]
    private let binary: Bool

    /// - Throws: ``PerceptronError`` for different lengths or `bins` < 1.
    public init(actual: [Int], probabilities: Matrix, bins: Int = 10, title: String? = nil) throws {
        try Metrics.checkPairs(actual.count, probabilities.rows, what: "labels and probability rows")
        guard bins >= 1 else { throw PerceptronError.invalidHyperparameter(name: "bins", value: "\(bins)", expected: "an integer ≥ 1") }
        binary = probabilities.columns <= 2
        var sumP = [Double](repeating: 0, count: bins), hits = [Int](repeating: 0, count: bins), counts = [Int](repeating: 0, count: bins)
        for i in 0..<actual.count {
            let p: Double, event: Bool
            if binary {
                p = Double(probabilities[i, probabilities.columns - 1])
                event = actual[i] == 1
            } else {
                let row = probabilities.row(i)
                let top = row.indices.max { row[$0] < row[$1] } ?? 0
                p = Double(row[top])
                event = actual[i] == top
            }
            guard p.isFinite else { continue }
            let b = min(max(Int(p * Double(bins)), 0), bins - 1)
            sumP[b] += p; counts[b] += 1; if event { hits[b] += 1 }
        }
        self.bins = (0..<bins).filter { counts[$0] > 0 }.map { (sumP[$0] / Double(counts[$0]), Double(hits[$0]) / Double(counts[$0]), counts[$0]) }
        self.title = title ?? (binary ? "Calibration (class 1)" : "Calibration of the top class")
    }

    public func svg() -> String {
        let label = binary ? "predicted probability of class 1" : "confidence (top class probability)"
        var chart = Chart(height: 440, title: title, xLabel: label, yLabel: binary ? "observed share of class 1" : "observed accuracy",
                          xDomain: (0, 1), yDomain: (0, 1),
                          legend: [.init(label: "model", color: Palette.color(1), mark: .line),
                                   .init(label: "perfectly calibrated", color: "#999", mark: .dashed)])
        chart.diagonal()
        chart.series(bins.map { ($0.predicted, $0.observed) }, color: Palette.color(1), label: "model", width: 2)
        for b in bins {
            chart.canvas.circle(cx: chart.x(b.predicted), cy: chart.y(b.observed), r: 4, fill: Palette.color(1), stroke: "#fff")
        }
        return chart.svg(title: title, id: id)
    }
}
