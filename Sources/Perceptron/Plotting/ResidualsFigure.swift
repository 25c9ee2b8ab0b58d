import Foundation

/// Residuals `actual − predicted` against the prediction, one point per sample (at most
/// 2,000, evenly sampled), with a line at 0: a pattern (a curve, a funnel) shows what the
/// model misses.
public struct ResidualsFigure: Figure {
    public var title: String
    public var id: String?
    public let actual: [Double]
    public let predicted: [Double]
    public let unit: String

    /// - Throws: ``PerceptronError`` for different lengths or no values.
    public init(actual: [Double], predicted: [Double], unit: String = "value", title: String? = nil) throws {
        try Metrics.checkPairs(actual.count, predicted.count)
        self.actual = actual
        self.predicted = predicted
        self.unit = unit
        self.title = title ?? "Residuals against predicted"
    }

    public func svg() -> String {
        let residuals = zip(actual, predicted).map { $0 - $1 }
        let finite = residuals.filter(\.isFinite), p = predicted.filter(\.isFinite)
        let bound = max(finite.map(abs).max() ?? 1, 1e-9)
        var chart = Chart(title: title, xLabel: "predicted \(unit)", yLabel: "residual (actual − predicted)",
                          xDomain: (p.min() ?? 0, p.max() ?? 1), yDomain: (-bound, bound),
                          legend: [.init(label: "sample", color: Palette.color(0), mark: .point),
                                   .init(label: "zero error", color: "#999", mark: .dashed)])
        let zero = chart.y(0)
        chart.canvas.line(x1: chart.left, y1: zero, x2: chart.right, y2: zero, stroke: "#999", width: 1.5, dash: "6 4")
        for i in scatterSample(count: residuals.count) where residuals[i].isFinite && predicted[i].isFinite {
            chart.canvas.circle(cx: chart.x(predicted[i]), cy: chart.y(residuals[i]), r: 2.5, fill: Palette.color(0),
                                extra: [("fill-opacity", "0.6")])
        }
        return chart.svg(title: title, id: id)
    }
}
