import XCTest
import Perceptron

/// Seed 004's multi-layer perceptron, line for line: red clusters at (0,0) and (1,1), blue
/// at (0,1) and (1,0) (25 points each, σ = 0.2), a 2 → 2 sigmoid hidden layer, a softmax
/// output, J = −Σ c·log p, gradient descent with η = 0.03 for 1000 steps.
final class GraphSeedProgramTests: XCTestCase {
    /// `0.2·randn(25, 2) + center`, drawn with `nextNormal()`.
    static func cluster(_ center: (Float, Float), _ generator: inout SeededGenerator) -> [[Float]] {
        (0..<25).map { _ in
            [0.2 * Float(generator.nextNormal()) + center.0, 0.2 * Float(generator.nextNormal()) + center.1]
        }
    }

    /// `np.random.randn(rows, columns)`.
    static func randn(_ rows: Int, _ columns: Int, _ generator: inout SeededGenerator) -> Matrix {
        Matrix(rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in Float(generator.nextNormal()) })
    }

    struct Result {
        var losses: [Float] = []
        var accuracy: Float = 0
        var grid = ""
        var weights: [(String, Matrix)] = []
        var boundary: DecisionBoundaryFigure!
        /// The same boundary as ``grid``: 41 × 21 cells whose centres are the grid's points.
        var boundaryOnGrid: DecisionBoundaryFigure!
    }

    /// The seed's program with `hidden` hidden units; returns the loss every 100 steps,
    /// the training accuracy and the decision boundary over [−2, 2]² as text.
    static func runSeedProgram(seed: UInt64, hidden: Int) throws -> Result {
        var rng = SeededGenerator(seed: seed)
        // Create two clusters of red points centered at (0, 0) and (1, 1), respectively.
        let redPoints = cluster((0, 0), &rng) + cluster((1, 1), &rng)
        // Create two clusters of blue points centered at (0, 1) and (1, 0), respectively.
        let bluePoints = cluster((0, 1), &rng) + cluster((1, 0), &rng)

        // Create training input placeholder
        let X = Placeholder(name: "X")
        // Create placeholder for the training classes
        let c = Placeholder(name: "c")
        // Build a hidden layer
        let W_hidden = Variable(randn(2, hidden, &rng), name: "W_hidden")
        let b_hidden = Variable(randn(1, hidden, &rng), name: "b_hidden")
        let p_hidden = Graph.sigmoid(Graph.add(Graph.matmul(X, W_hidden), b_hidden))
        // Build the output layer
        let W_output = Variable(randn(hidden, 2, &rng), name: "W_output")
        let b_output = Variable(randn(1, 2, &rng), name: "b_output")
        let p_output = Graph.softmax(Graph.add(Graph.matmul(p_hidden, W_output), b_output))
        // Build cross-entropy loss
        let J = Graph.negative(Graph.reduceSum(Graph.reduceSum(Graph.multiply(c, Graph.log(p_output)), axis: 1)))
        // Build minimization op
        let minimizationOp = try GradientDescentOptimizer(learningRate: 0.03).minimize(J)
        // Build placeholder inputs
        let feed: [Placeholder: Matrix] = [
            X: Matrix(bluePoints + redPoints),
            c: Matrix(Array(repeating: [1, 0], count: bluePoints.count) + Array(repeating: [0, 1], count: redPoints.count)),
        ]
        // Create session
        let session = Session()
        var result = Result()
        // Perform 1000 gradient descent steps
        for step in 0..<1000 {
            let J_value = try session.run(J, feed: feed)[0, 0]
            if step % 100 == 0 { result.losses.append(J_value) }
            try session.run(minimizationOp, feed: feed)
        }
        result.losses.append(try session.run(J, feed: feed)[0, 0])
        // The final weights (the seed prints them)
        result.weights = try [("Hidden layer weight matrix", W_hidden), ("Hidden layer bias", b_hidden),
                              ("Output layer weight matrix", W_output), ("Output layer bias", b_output)].map { ($0, try session.run($1)) }

        let predicted = try session.run(p_output, feed: [X: feed[X]!]).argmaxRows()
        let truth = feed[c]!.argmaxRows()
        result.accuracy = Float(zip(predicted, truth).filter { $0 == $1 }.count) / Float(truth.count)

        // Visualize classification boundary: 'r' where red (class 1) wins, '.' where blue does.
        // One run over the whole grid as a batch, rows from y = 2 (top) to y = −2.
        let xs = (0..<41).map { -2 + 4 * Float($0) / 40 }
        let ys = (0..<21).map { 2 - 4 * Float($0) / 20 }
        let points = ys.flatMap { y in xs.map { x in [x, y] } }
        let classes = try session.run(p_output, feed: [X: Matrix(points)]).argmaxRows()
        result.grid = ys.indices.map { row in
            String(xs.indices.map { column in classes[row * xs.count + column] == 1 ? "r" : "." })
        }.joined(separator: "\n")

        // Draw it: the regions each class wins and the training points by class, as SVG.
        let boundary = try DecisionBoundaryFigure(points: feed[X]!, labels: feed[c]!.argmaxRows(), classNames: ["blue", "red"],
                                                  xRange: -2...2, yRange: -2...2) { grid in
            try session.run(p_output, feed: [X: grid]).argmaxRows()
        }
        result.boundary = boundary
        result.boundaryOnGrid = try DecisionBoundaryFigure(points: feed[X]!, labels: feed[c]!.argmaxRows(), classNames: ["blue", "red"],
                                                           xRange: -2.05...2.05, yRange: -2.1...2.1, columns: 41, rows: 21) { grid in
            try session.run(p_output, feed: [X: grid]).argmaxRows()
        }
        return result
    }

    /// The 2-unit hidden layer is seed-dependent: XOR needs the two hidden units to split
    /// the plane along different lines, and some initial weights end in a local minimum.
    /// Of seeds 1…30, 16 reach ≥ 95% accuracy in 1000 steps, 6 reach 91–94%, and 8 stop
    /// at 53–70% (seed 4, for one: loss 69 → 38, 67%). Seed 3 reaches 99% (loss 194 → 6.9).
    func testSeedProgramTwoHiddenUnits() throws {
        let result = try Self.runSeedProgram(seed: 3, hidden: 2)
        print("Seed 004, 2 hidden units: loss every 100 steps \(result.losses), accuracy \(result.accuracy)")
        for (label, value) in result.weights { print(label, value.nestedRows) }
        print(result.grid)
        XCTAssertLessThan(result.losses.last!, result.losses.first! / 4)
        XCTAssertGreaterThanOrEqual(result.accuracy, 0.95)
    }

    /// The library's figure draws the program's boundary: both classes' regions and points,
    /// and on the ASCII grid's points the same classes. With PERCEPTRON_FIGURE_DIR set, the
    /// SVG is written there as seed-004-boundary.svg (for `.ci/browser-check`).
    func testSeedProgramBoundaryFigureMatchesTheGrid() throws {
        let result = try Self.runSeedProgram(seed: 3, hidden: 2)
        let cells = result.boundary.grid.joined()
        XCTAssertTrue(cells.contains(0) && cells.contains(1), "regions of both classes")
        let svg = result.boundary.svg()
        for color in [Palette.blue, Palette.vermillion] {
            XCTAssertEqual(svg.components(separatedBy: "fill=\"\(color)\" stroke=\"#fff\" stroke-width=\"1\" data-class").count - 1, 50,
                           "50 training points in \(color)")
        }
        let text = result.boundaryOnGrid.grid.map { String($0.map { $0 == 1 ? "r" : "." }) }.joined(separator: "\n")
        XCTAssertEqual(text, result.grid)
        if let folder = ProcessInfo.processInfo.environment["PERCEPTRON_FIGURE_DIR"] {
            var figure: DecisionBoundaryFigure = result.boundary
            figure.id = "svg-boundary"
            try figure.svg().write(toFile: folder + "/seed-004-boundary.svg", atomically: true, encoding: .utf8)
        }
    }

    /// A wider hidden layer (8 units), less sensitive to the seed than the 2-unit one:
    /// seeds 1, 2 and 3 all reach ≥ 95%.
    func testSeedProgramWiderHiddenLayer() throws {
        for seed: UInt64 in [1, 2, 3] {
            let result = try Self.runSeedProgram(seed: seed, hidden: 8)
            XCTAssertLessThan(result.losses.last!, result.losses.first!, "seed \(seed)")
            XCTAssertGreaterThanOrEqual(result.accuracy, 0.95, "seed \(seed): losses \(result.losses)")
        }
    }
}
