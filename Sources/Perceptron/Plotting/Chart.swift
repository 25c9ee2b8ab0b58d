import Foundation

/// The frame most figures share: a title, a legend row, a plot area with x and y axes
/// (ticks, tick labels, light grid lines, axis labels), on an ``SVGCanvas``.
///
/// Layout is computed from estimated text widths (``SVGCanvas/textWidth(_:size:)``): the
/// left margin fits the widest y tick label, legend entries wrap to further rows, and the
/// x axis gets at most as many ticks as fit their labels side by side, so no two texts
/// overlap and none leaves the figure.
struct Chart {
    /// What a legend entry shows beside its label.
    /// `square` is a point drawn as a square (the classes past the palette's eight).
    enum Mark { case line, dashed, point, square, box }
    struct LegendEntry {
        var label: String
        var color: String
        var mark: Mark
    }

    var canvas: SVGCanvas
    /// The plot area in pixels.
    let left: Double, top: Double, right: Double, bottom: Double
    let x: LinearScale
    let y: LinearScale
    private let xTickCount: Int
    private let yTickCount: Int

    static let titleSize = 15.0, labelSize = 12.0, tickSize = 11.0

    init(width: Double = 640, height: Double = 400, title: String, xLabel: String, yLabel: String,
         xDomain: (Double, Double), yDomain: (Double, Double), legend: [LegendEntry] = [],
         niceX: Bool = true, niceY: Bool = true, bottomExtra: Double = 0, integerX: Bool = false) {
        var canvas = SVGCanvas(width: width, height: height)
        canvas.text(SVGCanvas.fitting(title, width: width - 20, size: Self.titleSize), x: 10, y: 20, size: Self.titleSize,
                    weight: "bold", extra: [("class", "figure-title")])
        // Legend rows under the title.
        var legendTop = 30.0
        var cursor = 10.0
        var rows = legend.isEmpty ? 0 : 1
        var placed: [(LegendEntry, Double, Double)] = []
        for entry in legend {
            let label = SVGCanvas.fitting(entry.label, width: width - 50, size: Self.labelSize)
            let itemWidth = 26 + SVGCanvas.textWidth(label, size: Self.labelSize) + 14
            if cursor + itemWidth > width - 10 && cursor > 10 {
                rows += 1
                cursor = 10
            }
            placed.append((LegendEntry(label: label, color: entry.color, mark: entry.mark), cursor, legendTop + Double(rows - 1) * 18))
            cursor += itemWidth
        }
        for (entry, lx, ly) in placed {
            let cy = ly + 8
            switch entry.mark {
            case .line: canvas.line(x1: lx, y1: cy, x2: lx + 20, y2: cy, stroke: entry.color, width: 2.5)
            case .dashed: canvas.line(x1: lx, y1: cy, x2: lx + 20, y2: cy, stroke: entry.color, width: 2, dash: "5 3")
            case .point: canvas.circle(cx: lx + 10, cy: cy, r: 4.5, fill: entry.color, stroke: "#fff")
            case .square: canvas.rect(x: lx + 5.5, y: cy - 4.5, width: 9, height: 9, fill: entry.color, stroke: "#fff")
            case .box: canvas.rect(x: lx + 3, y: cy - 6, width: 14, height: 12, fill: entry.color, stroke: "#666")
            }
            canvas.text(entry.label, x: lx + 26, y: cy + 4, size: Self.labelSize)
        }
        legendTop += Double(rows) * 18

        let top = legendTop + 8
        let bottom = height - 46 - bottomExtra
        // The y axis first (its labels set the left margin).
        let yTickCount = max(2, min(8, Int((bottom - top) / 45)))
        var yScale = LinearScale(domain: yDomain, range: (bottom, top))
        if niceY { yScale = yScale.niced(count: yTickCount) }
        let yLabelWidth = yScale.tickLabels(count: yTickCount).map { SVGCanvas.textWidth($0.label, size: Self.tickSize) }.max() ?? 10
        let left = 10 + 18 + 8 + yLabelWidth + 6
        let right = width - 16
        var xScale = LinearScale(domain: xDomain, range: (left, right))
        var xTickCount = max(2, min(10, Int((right - left) / 60)))
        // Whole numbers only (epochs): no more intervals than units in the span.
        if integerX { xTickCount = max(1, min(xTickCount, Int((xDomain.1 - xDomain.0).rounded(.down)))) }
        if niceX { xScale = xScale.niced(count: xTickCount) }
        // Fewer x ticks until their labels fit side by side.
        while xTickCount > (integerX ? 1 : 2) {
            let labels = xScale.tickLabels(count: xTickCount)
            let widest = labels.map { SVGCanvas.textWidth($0.label, size: Self.tickSize) }.max() ?? 0
            let spacing = (right - left) / Double(max(labels.count - 1, 1))
            if widest + 8 <= spacing { break }
            xTickCount -= 1
        }
        self.canvas = canvas
        self.left = left; self.top = top; self.right = right; self.bottom = bottom
        self.x = xScale; self.y = yScale
        self.xTickCount = xTickCount; self.yTickCount = yTickCount
        drawAxes(xLabel: xLabel, yLabel: yLabel)
    }

    private mutating func drawAxes(xLabel: String, yLabel: String) {
        canvas.raw("<g class=\"axes\" data-left=\"\(SVGCanvas.number(left))\" data-top=\"\(SVGCanvas.number(top))\" "
            + "data-right=\"\(SVGCanvas.number(right))\" data-bottom=\"\(SVGCanvas.number(bottom))\">")
        canvas.rect(x: left, y: top, width: right - left, height: bottom - top, fill: "#fff", stroke: "#888",
                    extra: [("class", "plot-area")])
        for (value, label) in y.tickLabels(count: yTickCount) {
            let py = y(value)
            canvas.line(x1: left, y1: py, x2: right, y2: py, stroke: "#e6e6e6")
            canvas.line(x1: left - 5, y1: py, x2: left, y2: py, stroke: "#555")
            canvas.text(label, x: left - 8, y: py + 4, size: Self.tickSize, anchor: .end)
        }
        for (value, label) in x.tickLabels(count: xTickCount) {
            let px = x(value)
            canvas.line(x1: px, y1: top, x2: px, y2: bottom, stroke: "#e6e6e6")
            canvas.line(x1: px, y1: bottom, x2: px, y2: bottom + 5, stroke: "#555")
            canvas.text(label, x: px, y: bottom + 18, size: Self.tickSize, anchor: .middle)
        }
        canvas.rect(x: left, y: top, width: right - left, height: bottom - top, fill: "none", stroke: "#888")
        canvas.raw("</g>")
        canvas.text(SVGCanvas.fitting(xLabel, width: right - left, size: Self.labelSize), x: (left + right) / 2,
                    y: bottom + 38, size: Self.labelSize, anchor: .middle)
        canvas.text(SVGCanvas.fitting(yLabel, width: bottom - top, size: Self.labelSize), x: 22, y: (top + bottom) / 2,
                    size: Self.labelSize, anchor: .middle, rotate: -90)
    }

    /// Whether a data point lies in the plot area's domain.
    func contains(_ px: Double, _ py: Double) -> Bool {
        px >= x.domain.lower && px <= x.domain.upper && py >= y.domain.lower && py <= y.domain.upper
    }

    /// Data points to pixels, dropping non-finite ones and any point less than half a pixel
    /// from the last one kept (a 10,000-threshold ROC curve is then a few hundred points,
    /// drawn the same); the last point is always kept.
    func pixels(_ points: [(Double, Double)]) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        let finite = points.filter { $0.0.isFinite && $0.1.isFinite }
        for (i, p) in finite.enumerated() {
            let px = (x(p.0), y(p.1))
            if let last = out.last, i != finite.count - 1, abs(px.0 - last.0) < 0.5, abs(px.1 - last.1) < 0.5 { continue }
            out.append(px)
        }
        return out
    }

    /// A series as a line (`class="series"`, `data-series` its label for the browser check).
    mutating func series(_ points: [(Double, Double)], color: String, label: String, dash: String? = nil, width: Double = 2.5) {
        canvas.polyline(pixels(points), stroke: color, width: width, dash: dash,
                        extra: [("class", "series"), ("data-series", label)])
        if points.count == 1, let p = pixels(points).first {
            canvas.circle(cx: p.0, cy: p.1, r: 5, fill: color)
        }
    }

    /// The diagonal y = x over the plot, dashed grey (the reference line of ROC, calibration
    /// and predicted-against-actual plots).
    mutating func diagonal(label: String? = nil) {
        let lo = max(x.domain.lower, y.domain.lower), hi = min(x.domain.upper, y.domain.upper)
        guard hi > lo else { return }
        canvas.line(x1: x(lo), y1: y(lo), x2: x(hi), y2: y(hi), stroke: "#999", width: 1.5, dash: "6 4")
    }

    func svg(title: String, id: String?) -> String { canvas.svg(title: title, id: id) }
}
