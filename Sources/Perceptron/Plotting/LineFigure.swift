import Foundation

/// Named series of (x, y) points drawn as lines with a marker at every point, and optional
/// horizontal reference lines (a baseline such as a dense model's accuracy): the generic
/// "y against x" figure, e.g. accuracy against sparsity, one line per method.
///
/// ```
/// pixel(x, y) = (X(x), Y(y))     X, Y: the chart's ``LinearScale``s over every finite x and y
///                                 (series and reference lines), widened to whole ticks
/// ```
/// A series is drawn in its given order (sort the points by x for a curve). A point with a
/// non-finite coordinate is not drawn and breaks the line: the finite points either side of
/// it are joined only within their own run (one `<polyline>` per run).
public struct LineFigure: Figure {
    /// One line.
    public struct Series: Sendable, Equatable {
        public var name: String
        public var points: [Point]
        /// Drawn dashed (e.g. a variant of another series).
        public var dashed: Bool

        public init(name: String, points: [Point], dashed: Bool = false) {
            self.name = name
            self.points = points
            self.dashed = dashed
        }
    }

    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public init(x: Double, y: Double) { self.x = x; self.y = y }
    }

    /// A horizontal line at `y` across the plot, drawn dashed grey and named in the legend.
    public struct ReferenceLine: Sendable, Equatable {
        public var name: String
        public var y: Double
        public init(name: String, y: Double) { self.name = name; self.y = y }
    }

    public var title: String
    public var id: String?
    public let series: [Series]
    public let references: [ReferenceLine]
    public let xLabel: String
    public let yLabel: String

    /// Greys of the reference lines, in order (darkest first).
    static let referenceColors = ["#555555", "#999999", "#BBBBBB"]

    /// - Throws: ``PerceptronError/emptyData(what:)`` when there is no series or a series has
    ///   no point with both coordinates finite (it could not be drawn);
    ///   ``PerceptronError/nonFiniteValue(what:row:column:value:)`` for a reference line at a
    ///   non-finite y.
    public init(series: [Series], references: [ReferenceLine] = [], xLabel: String, yLabel: String, title: String) throws {
        guard !series.isEmpty else { throw PerceptronError.emptyData(what: "line figure series") }
        for s in series where !s.points.contains(where: { $0.x.isFinite && $0.y.isFinite }) {
            throw PerceptronError.emptyData(what: "finite points of the series \"\(s.name)\"")
        }
        for (k, r) in references.enumerated() where !r.y.isFinite {
            throw PerceptronError.nonFiniteValue(what: "reference line \"\(r.name)\"", row: k, column: 0, value: Float(r.y))
        }
        self.series = series
        self.references = references
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.title = title
    }

    /// The runs of consecutive finite points of `points`, in order (a non-finite one ends a run).
    static func finiteRuns(_ points: [Point]) -> [[Point]] {
        var runs: [[Point]] = []
        var current: [Point] = []
        for p in points {
            if p.x.isFinite && p.y.isFinite {
                current.append(p)
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    public func svg() -> String {
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xs = finite.map(\.x), ys = finite.map(\.y) + references.map(\.y)
        let legend = series.enumerated().map { i, s in
            Chart.LegendEntry(label: s.name, color: Palette.color(i), mark: s.dashed ? .dashed : .line)
        } + references.enumerated().map { k, r in
            Chart.LegendEntry(label: r.name, color: Self.referenceColors[k % Self.referenceColors.count], mark: .dashed)
        }
        var chart = Chart(height: 440, title: title, xLabel: xLabel, yLabel: yLabel,
                          xDomain: (xs.min()!, xs.max()!), yDomain: (ys.min()!, ys.max()!), legend: legend)
        for (k, r) in references.enumerated() {
            let py = chart.y(r.y)
            chart.canvas.raw("<g class=\"reference\" data-reference=\"\(SVGCanvas.escape(r.name))\">")
            chart.canvas.line(x1: chart.left, y1: py, x2: chart.right, y2: py,
                              stroke: Self.referenceColors[k % Self.referenceColors.count], width: 1.5, dash: "6 4")
            chart.canvas.raw("</g>")
        }
        for (i, s) in series.enumerated() {
            let color = Palette.color(i)
            for run in Self.finiteRuns(s.points) {
                // Every point is kept (no half-pixel thinning): these are measurements, each one marked.
                let pixels = run.map { (chart.x($0.x), chart.y($0.y)) }
                chart.canvas.polyline(pixels, stroke: color, width: 2.5, dash: s.dashed ? "7 4" : nil,
                                      extra: [("class", "series"), ("data-series", s.name)])
            }
            for p in s.points where p.x.isFinite && p.y.isFinite {
                chart.canvas.circle(cx: chart.x(p.x), cy: chart.y(p.y), r: 3.5, fill: color, stroke: "#fff",
                                    extra: [("class", "point"), ("data-series", s.name)])
            }
        }
        return chart.svg(title: title, id: id)
    }
}
