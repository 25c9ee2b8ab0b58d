import Foundation

/// Where a classifier puts each class over a plane, and the training points by class (seed
/// 004's picture): a grid of `columns × rows` cells, each shaded in the tint of the class
/// the classifier gives its centre, with the points drawn over it in the full colours.
///
/// Two inputs: the plane is the input space itself. Wider inputs: the plane through the
/// points' mean spanned by their two leading principal components (``PrincipalComponents``);
/// the figure then says it is a projection, and the regions are the classes along that
/// plane only (the other directions held at the mean).
public struct DecisionBoundaryFigure: Figure {
    public var title: String
    public var id: String?
    /// Whether the plane is a projection of wider inputs.
    public let isProjection: Bool
    /// The class of each grid cell, row by row from the top (largest y) down.
    public let grid: [[Int]]
    /// The plane's extent.
    public let xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
    public let classNames: [String]
    private let points: [(Double, Double, Int)]
    private let axisNames: (String, String)
    private let note: String?

    /// - Parameters:
    ///   - points: n × d inputs (d ≥ 2) and `labels`, their class indices.
    ///   - xRange, yRange: the plane's extent (default: the points' range, 8% wider).
    ///   - featureNames: the axis names for two inputs (default "x₁", "x₂").
    ///   - classify: the class of each row of a matrix of inputs (called once, on all cells).
    /// - Throws: ``PerceptronError`` for fewer than 2 inputs, mismatched lengths, a grid
    ///   under 2 × 2, or a `classify` that returns the wrong count; whatever `classify` throws.
    public init(points x: Matrix, labels: [Int], classNames: [String]? = nil, featureNames: [String]? = nil,
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil, columns: Int = 120, rows: Int = 90,
                title: String? = nil, classify: (Matrix) throws -> [Int]) throws {
        try Metrics.checkPairs(x.rows, labels.count, what: "points and labels")
        guard x.columns >= 2 else {
            throw PerceptronError.shapeMismatch(what: "decision boundary inputs", expected: "2 or more columns", got: "\(x.columns)")
        }
        guard columns >= 2, rows >= 2 else {
            throw PerceptronError.invalidHyperparameter(name: "grid", value: "\(columns)×\(rows)", expected: "at least 2×2 cells")
        }
        isProjection = x.columns > 2
        let pca = isProjection ? PrincipalComponents(x) : nil
        // At most 3,000 points are drawn (evenly sampled); the plane's extent is theirs.
        let drawn = scatterSample(count: x.rows, limit: 3000)
        let sample = drawn.count == x.rows ? x : x.gatherRows(drawn)
        let plane: [(Double, Double)] = pca?.project(sample) ?? (0..<sample.rows).map { (Double(sample[$0, 0]), Double(sample[$0, 1])) }
        func padded(_ values: [Double]) -> ClosedRange<Double> {
            let finite = values.filter(\.isFinite)
            let lo = finite.min() ?? 0, hi = finite.max() ?? 1
            let pad = max((hi - lo) * 0.08, 0.5 * max(abs(lo), abs(hi), 1) * 1e-3)
            return (lo - pad)...(hi + pad)
        }
        let xr = xRange ?? padded(plane.map(\.0)), yr = yRange ?? padded(plane.map(\.1))
        var cells: [Float] = []
        cells.reserveCapacity(columns * rows * (isProjection ? x.columns : 2))
        for r in 0..<rows {
            let b = yr.upperBound - (Double(r) + 0.5) * (yr.upperBound - yr.lowerBound) / Double(rows)
            for c in 0..<columns {
                let a = xr.lowerBound + (Double(c) + 0.5) * (xr.upperBound - xr.lowerBound) / Double(columns)
                cells += pca?.point(a, b) ?? [Float(a), Float(b)]
            }
        }
        let classes = try classify(Matrix(rows: rows * columns, columns: x.columns, elements: cells))
        guard classes.count == rows * columns else {
            throw PerceptronError.shapeMismatch(what: "classes from classify", expected: "\(rows * columns)", got: "\(classes.count)")
        }
        grid = (0..<rows).map { Array(classes[($0 * columns)..<(($0 + 1) * columns)]) }
        self.xRange = xr
        self.yRange = yr
        let k = max((labels.max() ?? 0) + 1, (classes.max() ?? 0) + 1, classNames?.count ?? 0, 2)
        self.classNames = classNames ?? (0..<k).map(String.init)
        points = zip(plane, drawn).map { ($0.0, $0.1, labels[$1]) }
        if let pca {
            axisNames = ("principal component 1", "principal component 2")
            note = String(format: "Projection of %d inputs onto their 2 leading principal components (%.0f%% of the variance); "
                + "regions: the classes on that plane, other directions at the mean.", x.columns, 100 * (pca.explained.reduce(0, +)))
        } else {
            axisNames = (featureNames?.first ?? "x₁", featureNames.flatMap { $0.count > 1 ? $0[1] : nil } ?? "x₂")
            note = nil
        }
        self.title = title ?? (isProjection ? "Decision regions (projection)" : "Decision boundary")
    }

    /// A ``Sequential`` classifier's boundary: the class is the arg-max of its output (or
    /// output ≥ 0.5 for a single sigmoid output).
    public init(model: Sequential, points x: Matrix, labels: [Int], classNames: [String]? = nil, featureNames: [String]? = nil,
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil, title: String? = nil) throws {
        let fromLogits = model.loss == .binaryCrossEntropyFromLogits
        try self.init(points: x, labels: labels, classNames: classNames, featureNames: featureNames, xRange: xRange, yRange: yRange,
                      title: title) { grid in
            let output = try model.predict(grid)
            return fromLogits ? output.elements.map { $0 >= 0 ? 1 : 0 } : Metrics.classIndices(from: output)
        }
    }

    public func svg() -> String {
        // Past the palette's eight colours, classes repeat a colour as squares instead of dots.
        func squared(_ c: Int) -> Bool { c >= Palette.series.count }
        var legend = classNames.indices.map {
            Chart.LegendEntry(label: classNames[$0], color: Palette.color($0), mark: squared($0) ? .square : .point)
        }
        if classNames.count <= 4 {
            legend += classNames.indices.map {
                Chart.LegendEntry(label: "predicted \(classNames[$0])", color: Palette.tint(Palette.color($0), 0.28), mark: .box)
            }
        }
        var chart = Chart(height: note == nil ? 480 : 510, title: title, xLabel: axisNames.0, yLabel: axisNames.1,
                          xDomain: (xRange.lowerBound, xRange.upperBound), yDomain: (yRange.lowerBound, yRange.upperBound),
                          legend: legend, niceX: false, niceY: false, bottomExtra: note == nil ? 0 : 34)
        let rows = grid.count, columns = grid.first?.count ?? 0
        let cellWidth = (chart.right - chart.left) / Double(columns), cellHeight = (chart.bottom - chart.top) / Double(rows)
        chart.canvas.raw("<g class=\"regions\" shape-rendering=\"crispEdges\">")
        for (r, row) in grid.enumerated() {
            var start = 0
            while start < columns {
                var end = start
                while end + 1 < columns && row[end + 1] == row[start] { end += 1 }
                // Overlap by a hair so no white seams show between cells.
                chart.canvas.rect(x: chart.left + Double(start) * cellWidth, y: chart.top + Double(r) * cellHeight,
                                  width: Double(end - start + 1) * cellWidth + 0.3, height: cellHeight + 0.3,
                                  fill: Palette.tint(Palette.color(row[start]), 0.28), extra: [("data-class", "\(row[start])")])
                start = end + 1
            }
        }
        chart.canvas.raw("</g>")
        chart.canvas.rect(x: chart.left, y: chart.top, width: chart.right - chart.left, height: chart.bottom - chart.top,
                          fill: "none", stroke: "#888")
        chart.canvas.raw("<g class=\"points\">")
        for p in points {
            guard p.0.isFinite, p.1.isFinite, xRange.contains(p.0), yRange.contains(p.1) else { continue }
            let r = points.count > 500 ? 2.0 : 4.5
            if squared(p.2) {
                chart.canvas.rect(x: chart.x(p.0) - r, y: chart.y(p.1) - r, width: 2 * r, height: 2 * r, fill: Palette.color(p.2),
                                  stroke: "#fff", extra: [("stroke-width", "1"), ("data-class", "\(p.2)")])
            } else {
                chart.canvas.circle(cx: chart.x(p.0), cy: chart.y(p.1), r: r, fill: Palette.color(p.2),
                                    stroke: "#fff", extra: [("data-class", "\(p.2)")])
            }
        }
        chart.canvas.raw("</g>")
        if let note {
            // Two lines under the x label, each cut to the width.
            let words = note.split(separator: " ")
            var lines = [""]
            for word in words {
                let candidate = lines[lines.count - 1].isEmpty ? String(word) : lines[lines.count - 1] + " " + word
                if SVGCanvas.textWidth(candidate, size: 11) > chart.canvas.width - 20 && !lines[lines.count - 1].isEmpty {
                    lines.append(String(word))
                } else {
                    lines[lines.count - 1] = candidate
                }
            }
            for (i, line) in lines.prefix(2).enumerated() {
                chart.canvas.text(SVGCanvas.fitting(line, width: chart.canvas.width - 20, size: 11), x: 10,
                                  y: chart.canvas.height - 22 + Double(i) * 14, size: 11, fill: "#444",
                                  extra: [("class", "projection-note")])
            }
        }
        return chart.svg(title: title, id: id)
    }
}
