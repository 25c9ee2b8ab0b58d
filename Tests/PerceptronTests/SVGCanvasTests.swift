import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Perceptron

/// Text put into SVG is escaped, so names from a user's file cannot inject markup, and every
/// figure is well-formed XML.
final class SVGCanvasTests: XCTestCase {
    static let hostile = "<script>alert('x')</script> & \"Ünïcödé\"\u{1}"

    func testEscapeReplacesMarkupCharactersAndDropsControlCharacters() {
        XCTAssertEqual(SVGCanvas.escape("a<b>&\"c\"'d'"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;")
        XCTAssertEqual(SVGCanvas.escape("tab\there\u{0}\u{7}"), "tab\there")
        XCTAssertEqual(SVGCanvas.escape("Ünïcödé ✓"), "Ünïcödé ✓")
    }

    func testClassNamesFromAFileAreEscapedInTheFigure() throws {
        let confusion = ConfusionMatrix(counts: [[3, 1], [0, 5]])
        let svg = try ConfusionMatrixFigure(confusion, classNames: [Self.hostile, "b&b"]).svg()
        XCTAssertFalse(svg.contains("<script>"))
        XCTAssertTrue(svg.contains("&lt;script&gt;"))
        XCTAssertTrue(svg.contains("b&amp;b"))
        XCTAssertTrue(try Self.isWellFormed(svg))
    }

    func testEveryFigureIsWellFormedXMLWithAViewBox() throws {
        var history = History(epochs: (0..<5).map { EpochLogs(epoch: $0, values: ["loss": 1 / Float($0 + 1), "val_loss": 1.2 / Float($0 + 1),
                                                                                  "lr": 0.01], elapsed: 0) })
        history.restoredEpoch = 3
        let labels = [0, 1, 1, 0, 1, 0, 1, 1]
        let probabilities = Matrix(column: [0.2, 0.9, 0.6, 0.4, 0.7, 0.1, 0.3, 0.8])
        let model = try Sequential(inputSize: 3, layers: [Dense(4, activation: .relu), Dense(1, activation: .sigmoid)], seed: 1)
        try model.compile(loss: .binaryCrossEntropy)
        let points = Matrix((0..<8).map { i in [Float(i), Float(i % 3), Float(i * i) / 10] })
        let actual = [1.0, 2, 3, 4], predicted = [1.1, 1.8, 3.3, 3.9]
        let figures: [any Figure] = [
            HistoryFigure(history: history, title: Self.hostile), HistoryFigure(history: history, metric: "lr"),
            try ConfusionMatrixFigure(ConfusionMatrix(counts: [[3, 1], [0, 5]]), normalization: .rows),
            try ROCFigure(actual: labels, probabilities: probabilities),
            try PrecisionRecallFigure(actual: labels, probabilities: probabilities),
            try CalibrationFigure(actual: labels, probabilities: probabilities),
            try PredictedActualFigure(actual: actual, predicted: predicted), try ResidualsFigure(actual: actual, predicted: predicted),
            try ErrorHistogramFigure(actual: actual, predicted: predicted),
            try DecisionBoundaryFigure(model: model, points: points, labels: labels),
            NetworkDiagramFigure(model: model), WeightHistogramsFigure(model: model),
        ]
        for figure in figures {
            let svg = figure.svg()
            XCTAssertTrue(try Self.isWellFormed(svg), "\(type(of: figure)) is not well-formed")
            XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), "\(type(of: figure))")
            XCTAssertTrue(svg.contains("viewBox=\"0 0 ") && svg.contains("width=\"100%\""), "\(type(of: figure)) does not scale")
        }
    }

    /// Whether `text` parses as XML.
    static func isWellFormed(_ text: String) throws -> Bool {
        let parser = XMLParser(data: Data(text.utf8))
        return parser.parse()
    }
}
