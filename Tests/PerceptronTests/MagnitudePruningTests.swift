import XCTest
@testable import Perceptron

/// Magnitude pruning: which weights go, per layer and globally, and that the masks hold
/// through fine-tuning.
final class MagnitudePruningTests: XCTestCase {
    /// 2 → 3 → 2, with weights chosen so that every |w| differs.
    func makeModel() throws -> Sequential {
        let model = try Sequential(inputSize: 2, layers: [Dense(3, activation: .relu), Dense(2, activation: .softmax)], seed: 3)
        try model.setWeights([
            [Matrix([[0.1, -0.6, 0.3], [-0.2, 0.5, -0.4]]), Matrix([[0.01, 0.02, 0.03]])],
            [Matrix([[0.9, -0.05], [0.7, 0.8], [-0.15, 0.25]]), Matrix([[0.5, -0.5]])],
        ])
        return model
    }

    func testPerLayerPrunesTheSmallestFractionOfEachLayer() throws {
        let model = try makeModel()
        try model.prune(to: 0.5)
        // Layer 0: |w| = 0.1 0.6 0.3 0.2 0.5 0.4 → the 3 smallest (0.1, 0.2, 0.3) go.
        XCTAssertEqual(model.weights[0][0], Matrix([[0, -0.6, 0], [0, 0.5, -0.4]]))
        // Layer 1: |w| = 0.9 0.05 0.7 0.8 0.15 0.25 → 0.05, 0.15, 0.25 go.
        XCTAssertEqual(model.weights[1][0], Matrix([[0.9, 0], [0.7, 0.8], [0, 0]]))
        // Biases are never pruned.
        XCTAssertEqual(model.weights[0][1], Matrix([[0.01, 0.02, 0.03]]))
        XCTAssertEqual(MagnitudePruning.sparsity(of: model.layers), 0.5)
    }

    func testGlobalRanksAllLayersTogether() throws {
        let model = try makeModel()
        try model.prune(to: 0.5, scope: .global)
        // All 12: the 6 smallest are 0.05 0.1 0.15 0.2 0.25 0.3, three in each layer.
        XCTAssertEqual(model.weights[0][0], Matrix([[0, -0.6, 0], [0, 0.5, -0.4]]))
        XCTAssertEqual(model.weights[1][0], Matrix([[0.9, 0], [0.7, 0.8], [0, 0]]))
        try model.prune(to: 0.75, scope: .global)
        // 9 of 12: 0.4, 0.5 and 0.6 go next, all in layer 0, which a global threshold may empty.
        XCTAssertEqual(model.weights[0][0], Matrix([[0, 0, 0], [0, 0, 0]]))
        XCTAssertEqual(model.weights[1][0], Matrix([[0.9, 0], [0.7, 0.8], [0, 0]]))
    }

    func testMasksStayZeroThroughFineTuning() throws {
        // A learnable task: the class is whether x₀ + x₁ > 0.
        var generator = SeededGenerator(seed: 11)
        let n = 64
        let x = Matrix(rows: n, columns: 2, elements: (0..<(2 * n)).map { _ in Float.random(in: -1...1, using: &generator) })
        let y = Matrix(rows: n, columns: 1, elements: (0..<n).map { x[$0, 0] + x[$0, 1] > 0 ? 1 : 0 })
        let model = try Sequential(inputSize: 2, layers: [Dense(16, activation: .relu), Dense(8, activation: .relu),
                                                           Dense(2, activation: .softmax)], seed: 5)
        try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: Adam(learningRate: 0.05))
        let start = model.weights

        // Checks after every step that the mask in force holds: each layer's zeros are at
        // least the schedule's count and every masked weight is exactly zero.
        final class MaskWatch: Callback {
            var checkedSteps = 0
            var violations = 0
            func batchDidEnd(_ logs: BatchLogs, model: Sequential) {
                guard let pruning = model.parameterConstraints.last as? MagnitudePruning else { return }
                for (index, mask) in pruning.masks {
                    let weight = model.weights[index][0]
                    for j in 0..<mask.count where mask.elements[j] == 0 && weight.elements[j] != 0 { violations += 1 }
                }
                checkedSteps += 1
            }
        }
        let watch = MaskWatch()
        let history = try model.prune(to: 0.8, fineTuneOn: x, y, epochs: 6, batchSize: 8, callbacks: [watch])
        XCTAssertEqual(history?.epochs.count, 6)
        XCTAssertEqual(watch.checkedSteps, 6 * 8)
        XCTAssertEqual(watch.violations, 0)
        XCTAssertTrue(model.parameterConstraints.isEmpty, "the pruning constraint is removed after fine-tuning")
        // The final sparsity per layer is ⌊0.8·count⌋ zeros, and the kept weights trained.
        for (i, count) in [(0, 32), (1, 128), (2, 16)] {
            let zeros = model.weights[i][0].elements.filter { $0 == 0 }.count
            XCTAssertEqual(zeros, Int((0.8 * Double(count)).rounded(.down)), "layer \(i)")
            let changed = zip(model.weights[i][0].elements, start[i][0].elements).filter { $0 != 0 && $0 != $1 }.count
            XCTAssertGreaterThan(changed, 0, "the kept weights of layer \(i) trained")
        }
    }

    /// Fine-tuning after pruning goes on from the learning rate training ended with, as a
    /// Keras or PyTorch user who keeps their optimizer and scheduler gets; it used to restart
    /// the schedule at the compiled rate (here 8× the last one), a jump that can undo the
    /// training the pruning keeps. A model read from a file fine-tunes the same way: its file
    /// records the rate training ended with. Powers of two keep every rate exact.
    func testFineTuningContinuesFromTheLearningRateTrainingEndedWith() throws {
        var generator = SeededGenerator(seed: 13)
        let n = 32
        let x = Matrix(rows: n, columns: 2, elements: (0..<(2 * n)).map { _ in Float.random(in: -1...1, using: &generator) })
        let y = Matrix(rows: n, columns: 1, elements: (0..<n).map { x[$0, 0] > x[$0, 1] ? 1 : 0 })
        let model = try Sequential(inputSize: 2, layers: [Dense(8, activation: .relu), Dense(2, activation: .softmax)], seed: 7)
        try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: Adam(learningRate: 0.0625),
                          learningRateSchedule: .exponential(factor: 0.5))
        let training = try model.fit(x, y, epochs: 4, batchSize: 8)
        XCTAssertEqual(training["lr"], [0.0625, 0.03125, 0.015625, 0.0078125])

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("prune-lr-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ModelFile.save(model, to: url)

        let fineTuning = try model.prune(to: 0.5, fineTuneOn: x, y, epochs: 2, batchSize: 8)
        XCTAssertEqual(fineTuning?["lr"], [0.0078125, 0.00390625], "the schedule goes on from the last rate")
        XCTAssertEqual(model.baseLearningRate, 0.0625, "a later fit's schedule still starts from the compiled rate")

        let loaded = try ModelFile.load(from: url).model
        let fromFile = try loaded.prune(to: 0.5, fineTuneOn: x, y, epochs: 2, batchSize: 8)
        XCTAssertEqual(fromFile?["lr"], fineTuning?["lr"], "the library and a saved model (perceptron prune) agree")
    }

    func testOneShotMaskHeldAsAConstraintKeepsTheSamePositionsZero() throws {
        var generator = SeededGenerator(seed: 2)
        let x = Matrix(rows: 32, columns: 3, elements: (0..<96).map { _ in Float.random(in: -1...1, using: &generator) })
        let y = Matrix(rows: 32, columns: 1, elements: (0..<32).map { x[$0, 0] - 2 * x[$0, 2] })
        let model = try Sequential(inputSize: 3, layers: [Dense(8, activation: .tanh), Dense(1)], seed: 4)
        try model.compile(loss: .meanSquaredError, optimizer: Adam(learningRate: 0.01))
        var pruning = MagnitudePruning(scope: .global, schedule: try .oneShot(0.6))
        pruning.prune(&model.layers, to: 0.6)
        func zeroPositions() -> [[Int]] {
            model.weights.map { layer in layer[0].elements.indices.filter { layer[0].elements[$0] == 0 } }
        }
        let zeros = zeroPositions()
        model.parameterConstraints = [pruning]
        _ = try model.fit(x, y, epochs: 5, batchSize: 4)
        XCTAssertEqual(zeroPositions(), zeros)
        XCTAssertEqual(zeros.map(\.count).reduce(0, +), Int((0.6 * 32).rounded(.down)))
    }

    func testFineTuningWithoutDataOrWithBadSparsityThrows() throws {
        let model = try makeModel()
        XCTAssertThrowsError(try model.prune(to: 0.5, epochs: 2))
        XCTAssertThrowsError(try model.prune(to: 1.0))
        XCTAssertThrowsError(try model.prune(to: 0.5, fineTuneOn: Matrix(rows: 1, columns: 2), Matrix(rows: 1, columns: 1), epochs: 1),
                             "an uncompiled model cannot fine-tune")
    }
}
