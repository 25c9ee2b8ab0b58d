import Foundation

/// A ``Sequential`` model as a left-to-right diagram: the input, then one box per layer
/// with its type, width, activation and parameter count, joined by arrows; the total
/// parameter count underneath. Boxes share the width evenly; their text shrinks (down to
/// 8 px) and is cut with "…" rather than overflow.
public struct NetworkDiagramFigure: Figure {
    public var title: String
    public var id: String?
    /// One entry per box: lines of text (the first is the heading).
    public let boxes: [[String]]
    public let totalParameters: Int

    public init(model: Sequential, inputNames: [String]? = nil, title: String? = nil) {
        var boxes: [[String]] = [["Input", "\(model.inputSize) feature\(model.inputSize == 1 ? "" : "s")"]]
        for layer in model.layers {
            var lines = [layer.typeName]
            switch layer.configuration {
            case let dense as Dense.Configuration:
                lines.append("\(dense.units) unit\(dense.units == 1 ? "" : "s")")
                lines.append(dense.activation.rawValue)
            case let dropout as Dropout.Configuration:
                lines.append(String(format: "rate %.2g", dropout.rate))
            default:
                lines.append("\(layer.outputSize) outputs")
            }
            lines.append("\(layer.parameterCount + layer.nonTrainableParameterCount) params")
            boxes.append(lines)
        }
        self.boxes = boxes
        totalParameters = model.parameterCount
        self.title = title ?? "Network"
    }

    public func svg() -> String {
        let width = 640.0, height = 200.0
        var canvas = SVGCanvas(width: width, height: height)
        canvas.text(SVGCanvas.fitting(title, width: width - 20, size: 15), x: 10, y: 20, size: 15, weight: "bold",
                    extra: [("class", "figure-title")])
        let n = Double(boxes.count)
        let gap = min(36, (width - 20) / n * 0.25)
        let boxWidth = (width - 20 - gap * (n - 1)) / n
        let top = 40.0, boxHeight = 100.0
        let longest = boxes.flatMap { $0 }.map(\.count).max() ?? 1
        let size = max(8, min(13, (boxWidth - 10) / (Double(longest) * 0.6)))
        for (i, lines) in boxes.enumerated() {
            let x = 10 + Double(i) * (boxWidth + gap)
            let fill = i == 0 ? "#f2f2f2" : Palette.tint(i == boxes.count - 1 ? Palette.vermillion : Palette.blue, 0.18)
            canvas.rect(x: x, y: top, width: boxWidth, height: boxHeight, fill: fill, stroke: "#555",
                        extra: [("rx", "6"), ("class", "layer")], tooltip: lines.joined(separator: ", "))
            for (j, line) in lines.enumerated() {
                canvas.text(SVGCanvas.fitting(line, width: boxWidth - 8, size: size), x: x + boxWidth / 2,
                            y: top + 24 + Double(j) * (size + 8), size: size, anchor: .middle, weight: j == 0 ? "bold" : nil)
            }
            if i > 0 {
                let ax = x - gap + 2, ay = top + boxHeight / 2
                canvas.line(x1: ax, y1: ay, x2: x - 3, y2: ay, stroke: "#555", width: 1.5)
                canvas.raw("<polygon points=\"\(SVGCanvas.number(x - 2)),\(SVGCanvas.number(ay)) \(SVGCanvas.number(x - 8)),\(SVGCanvas.number(ay - 4)) \(SVGCanvas.number(x - 8)),\(SVGCanvas.number(ay + 4))\" fill=\"#555\"/>")
            }
        }
        canvas.text("\(totalParameters) trainable parameters", x: 10, y: top + boxHeight + 36, size: 12, fill: "#333")
        return canvas.svg(title: title, id: id)
    }
}
