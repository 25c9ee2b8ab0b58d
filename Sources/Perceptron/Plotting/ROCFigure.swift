import Foundation

/// ROC curves with their AUC in the legend: class 1 against class 0 for a binary
/// classifier, each class against the rest for more classes (``ScoreCurves/perClass(actual:probabilities:)``).
/// The dashed diagonal is a classifier that guesses.
public struct ROCFigure: Figure {
    public var title: String
    public var id: String?
    /// (class name, curves) per drawn curve.
    public let curves: [(name: String, curves: ScoreCurves)]

    /// - Parameters:
    ///   - actual: class indices.
    ///   - probabilities: n × 1 (class 1 of 2), n × 2, or n × k class probabilities.
    ///   - classNames: names in class order (default "0", "1", …).
    /// - Throws: ``PerceptronError`` when no class has both positives and negatives.
    public init(actual: [Int], probabilities: Matrix, classNames: [String]? = nil, title: String? = nil) throws {
        let perClass = try ScoreCurves.perClass(actual: actual, probabilities: probabilities)
        let k = max(probabilities.columns, 2)
        let names = classNames ?? (0..<k).map(String.init)
        curves = perClass.map { (names.indices.contains($0.classIndex) ? names[$0.classIndex] : String($0.classIndex), $0.curves) }
        self.title = title ?? (k == 2 ? "ROC curve" : "ROC curves, each class against the rest")
    }

    public func svg() -> String {
        let binary = curves.count == 1
        let legend = curves.enumerated().map { i, c in
            Chart.LegendEntry(label: (binary ? "positive class \(c.name)" : c.name) + String(format: " (AUC %.3f)", c.curves.rocAUC),
                              color: Palette.color(binary ? 1 : i), mark: i >= Palette.series.count ? .dashed : .line)
        } + [Chart.LegendEntry(label: "chance", color: "#999", mark: .dashed)]
        var chart = Chart(height: 440, title: title, xLabel: "false positive rate", yLabel: "true positive rate",
                          xDomain: (0, 1), yDomain: (0, 1), legend: legend)
        chart.diagonal()
        for (i, c) in curves.enumerated() {
            chart.series(c.curves.roc.map { ($0.fpr, $0.tpr) }, color: Palette.color(binary ? 1 : i), label: c.name,
                         dash: i >= Palette.series.count ? "6 3" : nil, width: 2)
        }
        return chart.svg(title: title, id: id)
    }
}
