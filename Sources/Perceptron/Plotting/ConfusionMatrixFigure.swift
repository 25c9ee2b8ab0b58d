import Foundation

/// A confusion matrix as a labelled heatmap: actual classes down, predicted across, each
/// cell's colour from white (0) to dark blue (the largest value) on ``Palette/sequential(_:)``.
///
/// `.counts` colours and labels by count; `.rows` by the row-normalized share
/// `C[i][j] / Σⱼ C[i][j]` (each actual class's recall on the diagonal). Every cell carries
/// a tooltip with its count and share. Names too long for their space are cut with "…".
public struct ConfusionMatrixFigure: Figure {
    public enum Normalization: Sendable { case counts, rows }

    public var title: String
    public var id: String?
    public let confusion: ConfusionMatrix
    public let classNames: [String]
    public let normalization: Normalization

    /// - Throws: ``PerceptronError/shapeMismatch(what:expected:got:)`` when `classNames`
    ///   does not have one name per class.
    public init(_ confusion: ConfusionMatrix, classNames: [String]? = nil, normalization: Normalization = .counts,
                title: String? = nil) throws {
        let names = classNames ?? (0..<confusion.classCount).map(String.init)
        guard names.count == confusion.classCount else {
            throw PerceptronError.shapeMismatch(what: "class names", expected: "\(confusion.classCount) names", got: "\(names.count)")
        }
        self.confusion = confusion
        self.classNames = names
        self.normalization = normalization
        self.title = title ?? (normalization == .counts ? "Confusion matrix (counts)" : "Confusion matrix (share of each actual class)")
    }

    /// The value a cell is coloured and labelled by.
    func value(_ i: Int, _ j: Int) -> Double {
        switch normalization {
        case .counts: return Double(confusion.counts[i][j])
        case .rows:
            let support = confusion.support(i)
            return support == 0 ? 0 : Double(confusion.counts[i][j]) / Double(support)
        }
    }

    public func svg() -> String {
        let k = max(confusion.classCount, 1)
        let nameSize = 12.0
        let longest = classNames.map { SVGCanvas.textWidth($0, size: nameSize) }.max() ?? 10
        let rowLabelWidth = min(longest, 130) + 8
        let left = 10 + 18 + 6 + rowLabelWidth
        let cell = min((640 - left - 20) / Double(k), 90)
        let top = 62.0
        // Column labels below the grid: upright when they fit a cell, else turned to read upward.
        let upright = longest <= cell - 4
        let columnLabelHeight = upright ? 18 : min(longest, 130) + 8
        let gridSize = cell * Double(k)
        // As wide as the grid needs (at least room for the title and note), so a small matrix is not lost in white.
        let width = min(640, max(left + gridSize + 30, 20 + SVGCanvas.textWidth(title, size: 15), 420))
        let height = top + gridSize + columnLabelHeight + 40
        var canvas = SVGCanvas(width: width, height: height)
        canvas.text(SVGCanvas.fitting(title, width: width - 20, size: 15), x: 10, y: 20, size: 15, weight: "bold",
                    extra: [("class", "figure-title")])
        let maxValue = (0..<k).flatMap { i in (0..<k).map { value(i, $0) } }.max() ?? 0
        let scaleNote = normalization == .counts
            ? "colour: count, white 0 to dark \(confusion.counts.flatMap { $0 }.max() ?? 0)"
            : "colour: share of the actual class, white 0 to dark \(String(format: "%.2f", maxValue))"
        canvas.text(SVGCanvas.fitting(scaleNote, width: width - 20, size: 11), x: 10, y: 40, size: 11, fill: "#555")
        canvas.raw("<g class=\"heatmap\" data-left=\"\(SVGCanvas.number(left))\" data-top=\"\(SVGCanvas.number(top))\" "
            + "data-cell=\"\(SVGCanvas.number(cell))\" data-classes=\"\(k)\">")
        let numberSize = min(13, cell * 0.3)
        for i in 0..<confusion.classCount {
            for j in 0..<confusion.classCount {
                let v = value(i, j)
                let t = maxValue > 0 ? v / maxValue : 0
                let share = confusion.support(i) == 0 ? 0 : Double(confusion.counts[i][j]) / Double(confusion.support(i))
                canvas.rect(x: left + Double(j) * cell, y: top + Double(i) * cell, width: cell, height: cell,
                            fill: Palette.sequential(t), stroke: "#fff",
                            extra: [("class", "cell"), ("data-row", "\(i)"), ("data-column", "\(j)"), ("data-count", "\(confusion.counts[i][j])")],
                            tooltip: "actual \(classNames[i]), predicted \(classNames[j]): \(confusion.counts[i][j]) (\(String(format: "%.1f", 100 * share))% of \(classNames[i]))")
                if cell >= 22 {
                    let label = normalization == .counts ? String(confusion.counts[i][j]) : String(format: "%.2f", v)
                    canvas.text(SVGCanvas.fitting(label, width: cell - 2, size: numberSize),
                                x: left + (Double(j) + 0.5) * cell, y: top + (Double(i) + 0.5) * cell + numberSize * 0.35,
                                size: numberSize, anchor: .middle, fill: t > 0.5 ? "#fff" : "#111")
                }
            }
        }
        canvas.raw("</g>")
        let labelSize = min(nameSize, max(cell * 0.8, 7))
        for (i, name) in classNames.enumerated() {
            canvas.text(SVGCanvas.fitting(name, width: rowLabelWidth - 8, size: labelSize), x: left - 6,
                        y: top + (Double(i) + 0.5) * cell + labelSize * 0.35, size: labelSize, anchor: .end)
            let cx = left + (Double(i) + 0.5) * cell
            if upright {
                canvas.text(name, x: cx, y: top + gridSize + 14, size: labelSize, anchor: .middle)
            } else {
                canvas.text(SVGCanvas.fitting(name, width: columnLabelHeight - 8, size: labelSize), x: cx + labelSize * 0.35,
                            y: top + gridSize + 6, size: labelSize, anchor: .end, rotate: -90)
            }
        }
        canvas.text("predicted class", x: left + gridSize / 2, y: top + gridSize + columnLabelHeight + 22, size: 12, anchor: .middle)
        canvas.text("actual class", x: 22, y: top + gridSize / 2, size: 12, anchor: .middle, rotate: -90)
        return canvas.svg(title: title, id: id)
    }
}
