import Foundation

/// A regression model's predictions against the actual values, one point per sample
/// (at most 2,000, evenly sampled), with the dashed line y = x where perfect predictions lie.
/// Both axes share one range, so the line is the diagonal.
public struct PredictedActualFigure: Figure {
    public var title: String
    public var id: String?
    public let actual: [Double]
    public let predicted: [Double]
    /// The unit or name of the target, for the axis labels.
    public let unit: String

    /// - Throws: ``PerceptronError`` for different lengths or no values.
    public init(actual: [Double], predicted: [Double], unit: String = "value", title: String? = nil) throws {
        try Metrics.checkPairs(actual.count, predicted.count)
        self.actual = actual
        self.predicted = predicted
        self.unit = unit
        self.title = title ?? "Predicted against actual"
    }

    public func svg() -> String {
        let both = (actual + predicted).filter(\.isFinite)
        let lo = both.min() ?? 0, hi = both.max() ?? 1
        var chart = Chart(width: 560, height: 500, title: title, xLabel: "actual \(unit)", yLabel: "predicted \(unit)",
                          xDomain: (lo, hi), yDomain: (lo, hi),
                          legend: [.init(label: "sample", color: Palette.color(0), mark: .point),
                                   .init(label: "predicted = actual", color: "#999", mark: .dashed)])
        chart.diagonal()
        for i in scatterSample(count: actual.count) where actual[i].isFinite && predicted[i].isFinite {
            chart.canvas.circle(cx: chart.x(actual[i]), cy: chart.y(predicted[i]), r: 2.5, fill: Palette.color(0),
                                extra: [("fill-opacity", "0.6")])
        }
        return chart.svg(title: title, id: id)
    }
}
