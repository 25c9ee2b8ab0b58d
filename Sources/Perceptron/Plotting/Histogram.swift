import Foundation

/// Equal-width bins over the finite values' range; the bin count follows Sturges' rule,
/// `⌈log₂ n⌉ + 1`, clamped to `1…maxBins`. The last bin includes its upper edge.
struct Histogram {
    let lower: Double
    let width: Double
    let counts: [Int]

    init(_ values: [Double], maxBins: Int = 40) {
        let finite = values.filter(\.isFinite)
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if hi - lo < 1e-12 { lo -= 0.5; hi += 0.5 }
        let bins = min(max(Int(ceil(log2(Double(max(finite.count, 1))))) + 1, 1), maxBins)
        var counts = [Int](repeating: 0, count: bins)
        let w = (hi - lo) / Double(bins)
        for v in finite { counts[min(Int((v - lo) / w), bins - 1)] += 1 }
        lower = lo
        width = w
        self.counts = counts
    }

    /// Draws the bars on `chart` (x in data units, y in counts).
    func draw(on chart: inout Chart, color: String, label: String) {
        chart.canvas.raw("<g class=\"bars\" data-series=\"\(SVGCanvas.escape(label))\">")
        for (b, count) in counts.enumerated() where count > 0 {
            let x0 = chart.x(lower + Double(b) * width), x1 = chart.x(lower + Double(b + 1) * width)
            let y0 = chart.y(Double(count))
            chart.canvas.rect(x: x0, y: y0, width: max(x1 - x0 - 1, 0.5), height: chart.y(0) - y0, fill: color,
                              tooltip: String(format: "%.4g … %.4g: %d", lower + Double(b) * width, lower + Double(b + 1) * width, count))
        }
        chart.canvas.raw("</g>")
    }
}
