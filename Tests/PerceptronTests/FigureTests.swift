import XCTest
@testable import Perceptron

/// What each figure draws: the numbers behind it and the marks that must be there.
final class FigureTests: XCTestCase {
    /// A model whose class is 1 exactly where x₁ > 0: one sigmoid unit, weight (10, 0), bias 0.
    func signModel(inputs: Int = 2) throws -> Sequential {
        let model = try Sequential(inputSize: inputs, layers: [Dense(1, activation: .sigmoid)], seed: 1)
        try model.compile(loss: .binaryCrossEntropy)
        var w = Matrix(rows: inputs, columns: 1)
        w[0, 0] = 10
        try model.setWeights([[w, Matrix(rows: 1, columns: 1)]])
        return model
    }

    func testBoundaryOfAKnownModelHasBothClassesOnTheRightSides() throws {
        let points = Matrix([[-1, -1], [-0.5, 1], [0.5, -1], [1, 1]])
        let figure = try DecisionBoundaryFigure(model: try signModel(), points: points, labels: [0, 0, 1, 1],
                                                classNames: ["blue", "red"], xRange: -2...2, yRange: -2...2)
        XCTAssertFalse(figure.isProjection)
        // Cell centres at x < 0 are class 0, at x > 0 class 1 (the grid has an even column count, so none sits on 0).
        for row in figure.grid {
            XCTAssertEqual(row.prefix(row.count / 2).allSatisfy { $0 == 0 }, true)
            XCTAssertEqual(row.suffix(row.count / 2).allSatisfy { $0 == 1 }, true)
        }
        let svg = figure.svg()
        XCTAssertTrue(svg.contains("fill=\"\(Palette.tint(Palette.color(0), 0.28))\""), "no class-0 region")
        XCTAssertTrue(svg.contains("fill=\"\(Palette.tint(Palette.color(1), 0.28))\""), "no class-1 region")
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1 - 2, 4, "4 points plus 2 legend marks")
        XCTAssertFalse(svg.contains("projection-note"))
    }

    func testClassesPastThePalettesEightAreSquares() throws {
        let points = Matrix((0..<10).map { [Float($0), Float($0 % 3)] })
        let figure = try DecisionBoundaryFigure(points: points, labels: Array(0..<10)) { grid in
            (0..<grid.rows).map { max(0, min(Int(grid[$0, 0].rounded()), 9)) }
        }
        let svg = figure.svg()
        // Classes 8 and 9 repeat blue and vermillion: their points are squares, the others dots.
        let lines = svg.components(separatedBy: "\n")
        for c in 0..<10 {
            let dot = lines.contains { $0.hasPrefix("<circle") && $0.contains("data-class=\"\(c)\"") }
            let square = lines.contains { $0.hasPrefix("<rect") && $0.contains("stroke-width=\"1\" data-class=\"\(c)\"") }
            XCTAssertEqual(dot, c < 8, "class \(c)")
            XCTAssertEqual(square, c >= 8, "class \(c)")
        }
    }

    func testWiderInputsAreDrawnOverTwoPrincipalComponentsWithANote() throws {
        // Points spread along (1, 1, 0) and (0, 0, 1): the components span that plane.
        let points = Matrix((0..<40).map { i -> [Float] in
            let a = Float(i % 10) - 4.5, b = Float(i / 10) - 1.5
            return [a, a, 0.3 * b]
        })
        let labels = (0..<40).map { ($0 % 10) >= 5 ? 1 : 0 }
        let figure = try DecisionBoundaryFigure(model: try signModel(inputs: 3), points: points, labels: labels)
        XCTAssertTrue(figure.isProjection)
        XCTAssertTrue(figure.grid.joined().contains(0) && figure.grid.joined().contains(1))
        let svg = figure.svg()
        XCTAssertTrue(svg.contains("projection-note"))
        XCTAssertTrue(svg.contains("principal component 1"))
        // Tolerance 1e-6: the points are Float (relative error ~6e-8) and power iteration stops at a change of 1e-10.
        let pca = PrincipalComponents(points)
        XCTAssertEqual(pca.explained.reduce(0, +), 1, accuracy: 1e-6, "the data lie in a plane")
        XCTAssertEqual(abs(pca.components[0][0]), 1 / 2.0.squareRoot(), accuracy: 1e-6)
    }

    func testROCCurveAreaEqualsTheLibrarysAUC() throws {
        // scikit-learn's roc_auc_score / average_precision_score example: AUC 0.75, AP 0.8333.
        let curves = try ScoreCurves(positives: [false, false, true, true], scores: [0.1, 0.4, 0.35, 0.8])
        XCTAssertEqual(curves.rocAUC, 0.75, accuracy: 1e-12)
        XCTAssertEqual(curves.averagePrecision, 5.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(curves.roc.map(\.fpr), [0, 0, 0.5, 0.5, 1])
        XCTAssertEqual(curves.roc.map(\.tpr), [0, 0.5, 0.5, 1, 1])

        var generator = SeededGenerator(seed: 7)
        let labels = (0..<300).map { _ in Int.random(in: 0...1, using: &generator) }
        // Scores with ties (rounded to 0.1) and signal.
        let scores = labels.map { (Double($0) * 0.3 + Double.random(in: 0..<1, using: &generator) * 0.7 * 10).rounded() / 10 }
        let random = try ScoreCurves(positives: labels.map { $0 == 1 }, scores: scores)
        let trapezoids = zip(random.roc.dropFirst(), random.roc).reduce(0.0) { $0 + ($1.0.fpr - $1.1.fpr) * ($1.0.tpr + $1.1.tpr) / 2 }
        let library = try Metrics.rocAUC(actual: labels, scores: scores)
        XCTAssertEqual(random.rocAUC, library)
        // Both sum the same trapezoids in the same order; only rounding of the division differs.
        XCTAssertEqual(trapezoids, library, accuracy: 1e-12)
        let svg = try ROCFigure(actual: labels, probabilities: Matrix(column: scores.map(Float.init))).svg()
        XCTAssertTrue(svg.contains(String(format: "AUC %.3f", library)))
    }

    func testOneVersusRestCurvesForThreeClasses() throws {
        let labels = [0, 1, 2, 0, 1, 2]
        let p = Matrix([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7], [0.5, 0.4, 0.1], [0.3, 0.3, 0.4], [0.2, 0.2, 0.6]])
        let figure = try ROCFigure(actual: labels, probabilities: p, classNames: ["a", "b", "c"])
        XCTAssertEqual(figure.curves.map(\.name), ["a", "b", "c"])
        for (c, curve) in figure.curves.enumerated() {
            let expected = try Metrics.rocAUC(actual: labels.map { $0 == c ? 1 : 0 }, scores: (0..<6).map { Double(p[$0, c]) })
            XCTAssertEqual(curve.curves.rocAUC, expected)
        }
    }

    func testHeatmapsDarkestCellIsTheLargestCount() throws {
        let confusion = ConfusionMatrix(counts: [[5, 2, 0], [1, 40, 3], [0, 7, 9]])
        let svg = try ConfusionMatrixFigure(confusion, classNames: ["a", "b", "c"]).svg()
        let darkest = Palette.sequential(1)
        let cell = try XCTUnwrap(svg.components(separatedBy: "\n").first { $0.contains("class=\"cell\"") && $0.contains(darkest) })
        XCTAssertTrue(cell.contains("data-row=\"1\"") && cell.contains("data-column=\"1\""), cell)
        // Row-normalized: the largest share is a's 5/7 = 0.71 (b's 40/44 = 0.91 is larger, so b's diagonal).
        let normalized = try ConfusionMatrixFigure(confusion, classNames: ["a", "b", "c"], normalization: .rows)
        XCTAssertEqual(normalized.value(1, 1), 40.0 / 44, accuracy: 1e-12)
        XCTAssertEqual(normalized.value(2, 1), 7.0 / 16, accuracy: 1e-12)
        XCTAssertTrue(normalized.svg().contains(">0.91<"))
        XCTAssertThrowsError(try ConfusionMatrixFigure(confusion, classNames: ["a"]))
    }

    func testCalibrationBinsMeanProbabilityAgainstObservedShare() throws {
        // Bin [0.2, 0.3): p 0.21, 0.25 → mean 0.23, one of two positive. Bin [0.9, 1]: p 0.92, 1 → both positive
        // (1 itself falls in the last bin).
        let figure = try CalibrationFigure(actual: [0, 1, 1, 1], probabilities: Matrix(column: [0.21, 0.25, 0.92, 1]), bins: 10)
        XCTAssertEqual(figure.bins.count, 2)
        // Tolerance 1e-6: the probabilities are Float, so 0.21 is stored as 0.2099999934.
        XCTAssertEqual(figure.bins[0].predicted, 0.23, accuracy: 1e-6)
        XCTAssertEqual(figure.bins[0].observed, 0.5)
        XCTAssertEqual(figure.bins[1].predicted, 0.96, accuracy: 1e-6)
        XCTAssertEqual(figure.bins[1].observed, 1)
    }

    func testHistoryFigureDrawsBothSeriesAndTheRestoredEpoch() {
        let history = History(epochs: (0..<6).map { EpochLogs(epoch: $0, values: ["loss": Float(6 - $0), "val_loss": Float(7 - $0)], elapsed: 0) },
                              restoredEpoch: 2)
        let figure = HistoryFigure(history: history)
        XCTAssertEqual(figure.keys, ["loss", "val_loss"])
        let svg = figure.svg()
        XCTAssertTrue(svg.contains("data-series=\"loss\"") && svg.contains("data-series=\"val_loss\""))
        XCTAssertTrue(svg.contains("restored epoch 3"))
        XCTAssertTrue(HistoryFigure(history: History()).svg().contains("no values recorded"))
    }

    func testFitRecordsTheEpochEarlyStoppingRestored() throws {
        // As CallbackTests: a learning rate too small to improve by minDelta 1, so epoch 0 stays best.
        let x = Matrix(column: [1, 2, 3, 4]), y = Matrix(column: [2, 4, 6, 8])
        let model = try Sequential(inputSize: 1, layers: [Dense(1)], seed: 1)
        try model.compile(loss: .meanSquaredError, optimizer: SGD(learningRate: 1e-6))
        let stopping = try EarlyStopping(monitor: "loss", patience: 2, minDelta: 1)
        let history = try model.fit(x, y, epochs: 50, batchSize: 4, callbacks: [stopping])
        XCTAssertEqual(history.restoredEpoch, 0)
        XCTAssertEqual(stopping.restoredEpoch, stopping.bestEpoch)
        XCTAssertNil(try model.fit(x, y, epochs: 2, batchSize: 4).restoredEpoch, "no early stopping, nothing restored")
        XCTAssertEqual(history["lr"].count, history.epochs.count, "the learning rate is logged every epoch")
    }

    func testNetworkDiagramListsEveryLayer() throws {
        let model = try Sequential(inputSize: 7, layers: [Dense(15, activation: .relu), Dropout(0.2), Dense(1, activation: .sigmoid)], seed: 1)
        let figure = NetworkDiagramFigure(model: model)
        XCTAssertEqual(figure.boxes.map { $0[0] }, ["Input", "Dense", "Dropout", "Dense"])
        XCTAssertEqual(figure.boxes[1], ["Dense", "15 units", "relu", "120 params"])
        XCTAssertEqual(figure.totalParameters, 136)
        let weights = WeightHistogramsFigure(model: model)
        XCTAssertEqual(weights.layers.map(\.weights.count), [105, 15])
    }
}
