import Foundation
import XCTest
import Perceptron
import PerceptronTestSupport

/// The seeds' problems, learned end to end through `fit`.
final class LearningTests: XCTestCase {
    func testXORReachesFullAccuracy() throws {
        let x = Matrix([[0, 0], [0, 1], [1, 0], [1, 1]])
        let y = Matrix(column: [0, 1, 1, 0])
        let model = try Sequential(inputSize: 2, layers: [Dense(4, activation: .tanh), Dense(1, activation: .sigmoid)], seed: 7)
        try model.compile(loss: .binaryCrossEntropy, optimizer: Adam(learningRate: 0.05), metrics: [.accuracy])
        let history = try model.fit(x, y, epochs: 500, batchSize: 4)
        XCTAssertEqual(try model.predictClasses(x), [0, 1, 1, 0])
        XCTAssertEqual(history["accuracy"].last, 1)
        XCTAssertLessThan(history["loss"].last!, history["loss"].first!)
    }

    /// Seed 004's data: red clusters at (0,0) and (1,1), blue at (0,1) and (1,0), 25 points
    /// each with σ = 0.2.
    static func redBlueClusters(seed: UInt64) -> (x: Matrix, y: Matrix) {
        var generator = SeededGenerator(seed: seed)
        var rows: [[Float]] = []
        var labels: [Float] = []
        for (center, label) in [((0.0, 0.0), 0), ((1.0, 1.0), 0), ((0.0, 1.0), 1), ((1.0, 0.0), 1)] as [((Double, Double), Float)] {
            for _ in 0..<25 {
                rows.append([Float(0.2 * generator.nextNormal() + center.0), Float(0.2 * generator.nextNormal() + center.1)])
                labels.append(label)
            }
        }
        return (Matrix(rows), Matrix(column: labels))
    }

    func testRedBlueClustersReach95Percent() throws {
        let (x, y) = Self.redBlueClusters(seed: 2024)
        let model = try Sequential(inputSize: 2, layers: [Dense(8, activation: .tanh), Dense(2, activation: .softmax)], seed: 1)
        try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: Adam(learningRate: 0.03), metrics: [.accuracy])
        try model.fit(x, y, epochs: 300, batchSize: 20)
        let accuracy = try model.evaluate(x, y)["accuracy"]!
        XCTAssertGreaterThanOrEqual(accuracy, 0.95)
    }

    /// Seed 000: `make_classification(n_samples=10, n_features=4, n_classes=2,
    /// n_clusters_per_class=1)` after `np.random.seed(42)` (values printed by scikit-learn
    /// 1.9.1), overfit to 100%.
    func testSeed000TenSamplesOverfit() throws {
        let x = Matrix([
            [-0.889518, -1.107535, -0.390951, -0.363100], [-1.818836, -1.806714, -1.395051, 0.348819],
            [0.403590, 1.118120, -0.623413, 1.631832], [1.764376, 2.033252, 0.988226, 0.330419],
            [-0.288007, 0.508788, -1.254882, 1.949529], [-1.311749, -0.902631, -1.526927, 1.205719],
            [-1.302912, -0.807727, -1.632179, 1.409270], [2.872444, 2.716400, 2.381248, -0.877129],
            [-0.768497, -0.617728, -0.778897, 0.494479], [1.473584, 1.511648, 1.067951, -0.168487],
        ])
        let y = Matrix(column: [0, 0, 1, 1, 1, 0, 0, 1, 0, 1])
        let model = try Sequential(inputSize: 4, layers: [Dense(3, activation: .sigmoid), Dense(1, activation: .sigmoid)], seed: 0)
        try model.compile(loss: .binaryCrossEntropy, optimizer: SGD(learningRate: 0.5), metrics: [.accuracy])
        try model.fit(x, y, epochs: 300, batchSize: 10)
        XCTAssertEqual(try model.evaluate(x, y)["accuracy"], 1)
    }

    /// Seed 001's housing line F(x) = 1837.5·x + 14376.52 + b, b ~ U(0, 10000): a linear
    /// unit on standardized data recovers slope and intercept (14376.52 + E[b] = 19376.52)
    /// within 2%. With 4,000 points the least-squares estimates' standard errors are about
    /// 0.2% (slope) and 0.5% (intercept), so 2% is a real check, not luck.
    func testHousingLineRecoveredWithin2Percent() throws {
        var generator = SeededGenerator(seed: 1837)
        let n = 4000
        let xs = (0..<n).map { _ in Float(generator.nextUnitDouble() * 100) }
        let ys = xs.map { 1837.5 * $0 + 14376.52 + Float(generator.nextUnitDouble() * 10000) }
        let (xMean, yMean) = (xs.reduce(0, +) / Float(n), ys.reduce(0, +) / Float(n))
        let xStd = (xs.map { ($0 - xMean) * ($0 - xMean) }.reduce(0, +) / Float(n)).squareRoot()
        let yStd = (ys.map { ($0 - yMean) * ($0 - yMean) }.reduce(0, +) / Float(n)).squareRoot()
        let x = Matrix(column: xs.map { ($0 - xMean) / xStd })
        let y = Matrix(column: ys.map { ($0 - yMean) / yStd })
        let model = try Sequential(inputSize: 1, layers: [Dense(1)], seed: 3)
        // A decaying rate lets the last minibatch steps settle instead of jittering around the optimum.
        try model.compile(loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1), learningRateSchedule: .exponential(factor: 0.8))
        try model.fit(x, y, epochs: 30, batchSize: 64)
        let w = model.weights[0][0][0, 0], b = model.weights[0][1][0, 0]
        let slope = w * yStd / xStd
        let intercept = yMean + yStd * b - slope * xMean
        XCTAssertEqual(slope, 1837.5, accuracy: 1837.5 * 0.02)
        XCTAssertEqual(intercept, 19376.52, accuracy: 19376.52 * 0.02)
    }

    /// Iris (scikit-learn's copy): standardized features, a stratified 70/30 split, 4-16-3.
    func testIrisReaches93PercentOnTestRows() throws {
        let text = try String(contentsOf: fixtureURL("datasets/iris.csv", bundle: .module), encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline).dropFirst()  // scikit-learn's header: n_samples,n_features,names
        let rows = lines.map { $0.split(separator: ",").map { Float($0)! } }
        XCTAssertEqual(rows.count, 150)
        var train: [Int] = [], test: [Int] = []
        var generator = SeededGenerator(seed: 11)
        for label in 0..<3 {
            let members = rows.indices.filter { Int(rows[$0][4]) == label }.shuffled(using: &generator)
            train += members.prefix(35)
            test += members.dropFirst(35)
        }
        let features = Matrix(rows.map { Array($0.prefix(4)) })
        var means = [Float](repeating: 0, count: 4), stds = [Float](repeating: 0, count: 4)
        for j in 0..<4 {
            let column = train.map { features[$0, j] }
            means[j] = column.reduce(0, +) / Float(column.count)
            stds[j] = (column.map { ($0 - means[j]) * ($0 - means[j]) }.reduce(0, +) / Float(column.count)).squareRoot()
        }
        let scaled = Matrix(rows.map { r in (0..<4).map { (r[$0] - means[$0]) / stds[$0] } })
        let labels = Matrix(column: rows.map { $0[4] })
        let model = try Sequential(inputSize: 4, layers: [Dense(16, activation: .relu), Dense(3, activation: .softmax)], seed: 5)
        try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: Adam(learningRate: 0.01), metrics: [.accuracy])
        try model.fit(scaled.gatherRows(train), labels.gatherRows(train), epochs: 100, batchSize: 16)
        let accuracy = try model.evaluate(scaled.gatherRows(test), labels.gatherRows(test))["accuracy"]!
        XCTAssertGreaterThanOrEqual(accuracy, 0.93)
    }
}
