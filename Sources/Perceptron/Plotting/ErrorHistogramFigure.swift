import Foundation

/// The distribution of a regression model's errors `actual − predicted`, as a histogram
/// (equal-width bins, Sturges' rule), with a line at 0.
public struct ErrorHistogramFigure: Figure {
    public var title: String
    public var id: String?
    public let errors: [Double]
    public let unit: String

    /// - Throws: ``PerceptronError`` for different lengths or no values.
    public init(actual: [Double], predicted: [Double], unit: String = "value", title: String? = nil) throws {
        try Metrics.checkPairs(actual.count, predicted.count)
        errors = zip(actual, predicted).map { $0 - $1 }
        self.unit = unit
        self.title = title ?? "Distribution of errors"
    }

    public func svg() -> String {
        let histogram = Histogram(errors)
        let upper = histogram.lower + histogram.width * Double(histogram.counts.count)
        var chart = Chart(title: title, xLabel: "error, actual − predicted \(unit)", yLabel: "samples",
                          xDomain: (min(histogram.lower, 0), max(upper, 0)), yDomain: (0, Double(histogram.counts.max() ?? 1)),
                          legend: [.init(label: "samples per bin", color: Palette.color(0), mark: .box),
                                   .init(label: "zero error", color: "#555", mark: .dashed)])
        histogram.draw(on: &chart, color: Palette.color(0), label: "errors")
        let zero = chart.x(0)
        chart.canvas.line(x1: zero, y1: chart.top, x2: zero, y2: chart.bottom, stroke: "#555", width: 1.5, dash: "6 4")
        return chart.svg(title: title, id: id)
    }
}
