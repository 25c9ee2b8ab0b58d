import Foundation

/// A value per epoch from a ``History``: the training series and its "val_" counterpart
/// (loss, accuracy, …) or the learning rate, against the 1-based epoch, with a dashed
/// vertical line at the epoch whose weights early stopping restored
/// (``History/restoredEpoch``).
public struct HistoryFigure: Figure {
    public var title: String
    public var id: String?
    /// The log keys drawn, each a line (training solid, "val_" dashed).
    public let keys: [String]
    public let yLabel: String
    private let series: [(key: String, values: [(Double, Double)])]
    private let restoredEpoch: Int?

    /// - Parameters:
    ///   - metric: a log key without "val_" ("loss", "accuracy", "lr", …); its "val_"
    ///     counterpart is drawn too when the history has it.
    public init(history: History, metric: String = "loss", title: String? = nil) {
        let candidates = metric.hasPrefix("val_") ? [metric] : [metric, "val_" + metric]
        var series: [(String, [(Double, Double)])] = []
        for key in candidates {
            let points = history.epochs.compactMap { logs in logs.values[key].map { (Double(logs.epoch + 1), Double($0)) } }
            if !points.isEmpty { series.append((key, points)) }
        }
        self.series = series
        self.keys = series.map(\.0)
        self.restoredEpoch = history.restoredEpoch
        let name = Self.displayName(metric)
        self.yLabel = name
        self.title = title ?? (metric == "lr" ? "Learning rate per epoch" : "\(name.prefix(1).uppercased() + name.dropFirst()) per epoch")
    }

    /// "lr" → "learning rate", "val_loss" → "validation loss", "mean_squared_error" → "mean squared error".
    public static func displayName(_ key: String) -> String {
        var k = key
        var prefix = ""
        if k.hasPrefix("val_") { k.removeFirst(4); prefix = "validation " }
        if k == "lr" { return prefix + "learning rate" }
        return prefix + k.replacingOccurrences(of: "_", with: " ")
    }

    public func svg() -> String {
        let all = series.flatMap(\.values).filter { $0.1.isFinite }
        let lastEpoch = all.map(\.0).max() ?? 1
        let values = all.map(\.1)
        let legend = series.enumerated().map { i, s in
            Chart.LegendEntry(label: s.key.hasPrefix("val_") ? "validation" : "training",
                              color: Palette.color(i), mark: s.key.hasPrefix("val_") ? .dashed : .line)
        } + (restoredEpoch.map { [Chart.LegendEntry(label: "restored epoch \($0 + 1)", color: "#555", mark: .dashed)] } ?? [])
        var chart = Chart(title: title, xLabel: "epoch", yLabel: yLabel,
                          xDomain: (1, max(lastEpoch, 2)), yDomain: (values.min() ?? 0, values.max() ?? 1), legend: legend,
                          integerX: true)
        if let restored = restoredEpoch {
            let px = chart.x(Double(restored + 1))
            chart.canvas.line(x1: px, y1: chart.top, x2: px, y2: chart.bottom, stroke: "#555", width: 1.5, dash: "3 3")
        }
        for (i, s) in series.enumerated() {
            chart.series(s.values, color: Palette.color(i), label: s.key, dash: s.key.hasPrefix("val_") ? "7 4" : nil)
            // A marker per epoch while there are few, so each epoch's value can be read off.
            if s.values.count <= 30 {
                for (x, y) in s.values where y.isFinite {
                    chart.canvas.circle(cx: chart.x(x), cy: chart.y(y), r: 3, fill: Palette.color(i), stroke: "#fff")
                }
            }
        }
        if series.isEmpty {
            chart.canvas.text("no values recorded", x: (chart.left + chart.right) / 2, y: (chart.top + chart.bottom) / 2,
                              anchor: .middle, fill: "#666")
        }
        return chart.svg(title: title, id: id)
    }
}
