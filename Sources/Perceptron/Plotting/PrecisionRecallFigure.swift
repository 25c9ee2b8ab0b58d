import Foundation

/// Precision against recall with the average precision (AP) in the legend, per class as
/// ``ROCFigure``; a dotted line marks each curve's no-skill precision (the share of positives).
public struct PrecisionRecallFigure: Figure {
    public var title: String
    public var id: String?
    public let curves: [(name: String, curves: ScoreCurves)]

    /// The same arguments as ``ROCFigure/init(actual:probabilities:classNames:title:)``.
    public init(actual: [Int], probabilities: Matrix, classNames: [String]? = nil, title: String? = nil) throws {
        let perClass = try ScoreCurves.perClass(actual: actual, probabilities: probabilities)
        let k = max(probabilities.columns, 2)
        let names = classNames ?? (0..<k).map(String.init)
        curves = perClass.map { (names.indices.contains($0.classIndex) ? names[$0.classIndex] : String($0.classIndex), $0.curves) }
        self.title = title ?? (k == 2 ? "Precision–recall curve" : "Precision–recall curves, each class against the rest")
    }

    public func svg() -> String {
        let binary = curves.count == 1
        let legend = curves.enumerated().map { i, c in
            Chart.LegendEntry(label: (binary ? "positive class \(c.name)" : c.name) + String(format: " (AP %.3f)", c.curves.averagePrecision),
                              color: Palette.color(binary ? 1 : i), mark: i >= Palette.series.count ? .dashed : .line)
        }
        var chart = Chart(height: 440, title: title, xLabel: "recall", yLabel: "precision",
                          xDomain: (0, 1), yDomain: (0, 1), legend: legend)
        for (i, c) in curves.enumerated() {
            let color = Palette.color(binary ? 1 : i)
            let base = chart.y(c.curves.positiveRate)
            if binary {
                chart.canvas.line(x1: chart.left, y1: base, x2: chart.right, y2: base, stroke: "#999", width: 1.5, dash: "2 3")
            }
            // Precision is constant between recall steps: draw it as steps.
            var points: [(Double, Double)] = []
            var previous = (0.0, c.curves.precisionRecall.first?.precision ?? 1)
            points.append(previous)
            for p in c.curves.precisionRecall {
                points.append((p.recall, previous.1))
                points.append((p.recall, p.precision))
                previous = (p.recall, p.precision)
            }
            chart.series(points, color: color, label: c.name, dash: i >= Palette.series.count ? "6 3" : nil, width: 2)
        }
        return chart.svg(title: title, id: id)
    }
}
