import Foundation

/// The distribution of each layer's weights (kernel matrices; biases left out), one small
/// histogram per parametrized layer, two panels a row. Dead or exploding layers show as a
/// spike at 0 or a very wide range.
public struct WeightHistogramsFigure: Figure {
    public var title: String
    public var id: String?
    /// (layer label, weights) per panel.
    public let layers: [(label: String, weights: [Double])]

    public init(model: Sequential, title: String? = nil) {
        var layers: [(String, [Double])] = []
        for (i, layer) in model.layers.enumerated() {
            guard let kernel = layer.parameters.first, kernel.count > 0 else { continue }
            layers.append(("layer \(i + 1): \(layer.typeName) \(kernel.rows)×\(kernel.columns)", kernel.elements.map(Double.init)))
        }
        self.layers = layers
        self.title = title ?? "Weights per layer"
    }

    public func svg() -> String {
        let width = 640.0, panelHeight = 220.0
        let perRow = layers.count > 1 ? 2 : 1
        let panelRows = max((layers.count + perRow - 1) / perRow, 1)
        var canvas = SVGCanvas(width: width, height: 34 + Double(panelRows) * panelHeight)
        canvas.text(SVGCanvas.fitting(title, width: width - 20, size: 15), x: 10, y: 20, size: 15, weight: "bold",
                    extra: [("class", "figure-title")])
        let panelWidth = width / Double(perRow)
        for (i, layer) in layers.enumerated() {
            let histogram = Histogram(layer.weights, maxBins: 30)
            let upper = histogram.lower + histogram.width * Double(histogram.counts.count)
            var chart = Chart(width: panelWidth, height: panelHeight, title: layer.label, xLabel: "weight", yLabel: "count",
                              xDomain: (histogram.lower, upper), yDomain: (0, Double(histogram.counts.max() ?? 1)))
            histogram.draw(on: &chart, color: Palette.color(i % 2 == 0 ? 0 : 2), label: layer.label)
            // The panel is nested as its own <svg> at its place in the grid (no title of its own).
            let x = Double(i % perRow) * panelWidth, y = 30 + Double(i / perRow) * panelHeight
            canvas.raw("<svg x=\"\(SVGCanvas.number(x))\" y=\"\(SVGCanvas.number(y))\" width=\"\(SVGCanvas.number(panelWidth))\" "
                + "height=\"\(SVGCanvas.number(panelHeight))\" viewBox=\"0 0 \(SVGCanvas.number(panelWidth)) \(SVGCanvas.number(panelHeight))\">")
            chart.canvas.body.forEach { canvas.raw($0) }
            canvas.raw("</svg>")
        }
        if layers.isEmpty { canvas.text("no weights", x: 10, y: 60, fill: "#666") }
        return canvas.svg(title: title, id: id)
    }
}
