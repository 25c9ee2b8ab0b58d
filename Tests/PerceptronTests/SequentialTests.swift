import XCTest
@testable import Perceptron
import PerceptronTestSupport

final class SequentialTests: XCTestCase {
    /// Records how many rows each batch had, through a user callback.
    final class BatchRecorder: Callback {
        var batchCounts: [Int] = []
        var epochsBegun: [Int] = []
        var ended = false
        func epochWillBegin(_ epoch: Int, model: Sequential) { epochsBegun.append(epoch) }
        func batchDidEnd(_ logs: BatchLogs, model: Sequential) { batchCounts.append(logs.batchCount) }
        func trainingDidEnd(model: Sequential, history: History) { ended = true }
    }

    func smallProblem(rows: Int = 10) -> (Matrix, Matrix) {
        var g = SeededGenerator(seed: 9)
        let x = Matrix(rows: rows, columns: 3, elements: (0..<(rows * 3)).map { _ in Float(g.nextNormal()) })
        let y = Matrix(column: (0..<rows).map { x[$0, 0] + x[$0, 1] > 0 ? 1 : 0 })
        return (x, y)
    }

    /// ⌈n / batch⌉ updates per epoch, the last one partial (seed 001's n_weight_updates).
    func testMinibatchCountAndPartialLastBatch() throws {
        let (x, y) = smallProblem(rows: 10)
        let model = try Sequential(inputSize: 3, layers: [Dense(1, activation: .sigmoid)], seed: 1)
        try model.compile(loss: .binaryCrossEntropy, optimizer: SGD(learningRate: 0.1))
        let recorder = BatchRecorder()
        let history = try model.fit(x, y, epochs: 3, batchSize: 4, callbacks: [recorder])
        XCTAssertEqual(recorder.batchCounts, Array(repeating: 3, count: 9))
        XCTAssertEqual(recorder.epochsBegun, [0, 1, 2])
        XCTAssertTrue(recorder.ended)
        XCTAssertEqual(model.optimizer.step, 9)
        XCTAssertEqual(history.epochs.count, 3)
        XCTAssertEqual(history.stopReason, .completed)
    }

    /// Every row is visited exactly once per epoch (a permutation, without replacement),
    /// in a new order each epoch.
    func testEachEpochVisitsEveryRowOnceInNewOrder() throws {
        final class OrderSpy: Callback {
            var orders: [[Int]] = []
            func batchDidEnd(_ logs: BatchLogs, model: Sequential) {
                if logs.batch == 0 { orders.append(model.workspace.order) }
            }
        }
        let (x, y) = smallProblem(rows: 12)
        let model = try Sequential(inputSize: 3, layers: [Dense(1, activation: .sigmoid)], seed: 1)
        try model.compile(loss: .binaryCrossEntropy)
        let spy = OrderSpy()
        try model.fit(x, y, epochs: 3, batchSize: 5, callbacks: [spy])
        XCTAssertEqual(spy.orders.count, 3)
        for order in spy.orders { XCTAssertEqual(order.sorted(), Array(0..<12)) }
        XCTAssertNotEqual(spy.orders[0], spy.orders[1])
        XCTAssertNotEqual(spy.orders[1], spy.orders[2])
        let unshuffled = OrderSpy()
        try model.fit(x, y, epochs: 1, batchSize: 5, shuffle: false, callbacks: [unshuffled])
        XCTAssertEqual(unshuffled.orders[0], Array(0..<12))
    }

    func testValidationSplitTakesLastRowsAndReportsValLoss() throws {
        let (x, y) = smallProblem(rows: 20)
        let model = try Sequential(inputSize: 3, layers: [Dense(2, activation: .relu), Dense(1, activation: .sigmoid)], seed: 2)
        try model.compile(loss: .binaryCrossEntropy, metrics: [.accuracy])
        let recorder = BatchRecorder()
        let history = try model.fit(x, y, epochs: 2, batchSize: 5, validationSplit: 0.25, callbacks: [recorder])
        // 15 training rows → 3 batches per epoch.
        XCTAssertEqual(recorder.batchCounts.first, 3)
        XCTAssertEqual(history["val_loss"].count, 2)
        XCTAssertEqual(history["val_accuracy"].count, 2)
        let heldOut = try model.evaluate(x.gatherRows(15..<20), y.gatherRows(15..<20))
        XCTAssertEqual(history["val_loss"].last!, heldOut["loss"]!, accuracy: 1e-6)
    }

    func testValidationDataIsUsed() throws {
        let (x, y) = smallProblem(rows: 20)
        let model = try Sequential(inputSize: 3, layers: [Dense(1, activation: .sigmoid)], seed: 2)
        try model.compile(loss: .binaryCrossEntropy, metrics: [.accuracy])
        let history = try model.fit(x, y, epochs: 1, batchSize: 5, validationData: (x.gatherRows(0..<4), y.gatherRows(0..<4)))
        XCTAssertEqual(history["val_loss"].last!, try model.evaluate(x.gatherRows(0..<4), y.gatherRows(0..<4))["loss"]!, accuracy: 1e-6)
    }

    /// Class weights multiply each sample's loss: weighting class 1 by 3 equals repeating its rows 3 times
    /// in a full-batch mean (with the batch size counted once).
    func testClassWeightsScaleSampleLosses() throws {
        let x = Matrix([[1, 0], [0, 1]])
        let y = Matrix(column: [0, 1])
        let model = try Sequential(inputSize: 2, layers: [Dense(1, activation: .sigmoid, kernelInitializer: .constant(0.5))], seed: 1)
        try model.compile(loss: .binaryCrossEntropy, optimizer: SGD(learningRate: 1))
        let p = Activation.sigmoid.value(0.5)
        let history = try model.fit(x, y, epochs: 1, batchSize: 2, shuffle: false, classWeights: [1: 3])
        // Loss = (1·(−log(1 − p)) + 3·(−log p)) / 2.
        XCTAssertEqual(history["loss"][0], (-log(1 - p) - 3 * log(p)) / 2, accuracy: 1e-5)
        XCTAssertThrowsError(try model.fit(x, y, classWeights: [2: 1]))
        XCTAssertThrowsError(try model.fit(x, y, classWeights: [1: -1]))
    }

    func testSummaryListsLayersShapesAndParameterCounts() throws {
        let model = try Sequential(inputSize: 784, layers: [
            Dense(512, activation: .relu), Dense(128, activation: .relu), Dropout(0.2), Dense(64, activation: .relu),
            Dense(10, activation: .softmax),
        ], seed: 0)
        let summary = model.summary()
        XCTAssertTrue(summary.contains("dense (Dense)"))
        XCTAssertTrue(summary.contains("dense_3 (Dense)"))
        XCTAssertTrue(summary.contains("dropout (Dropout)"))
        XCTAssertTrue(summary.contains("(None, 512)"))
        XCTAssertTrue(summary.contains("401,920"))  // 784·512 + 512
        // 401,920 + 65,664 (512·128 + 128) + 8,256 (128·64 + 64) + 650 (64·10 + 10).
        XCTAssertTrue(summary.contains("Total params: 476,490"))
        XCTAssertEqual(model.parameterCount, 476_490)
    }

    func testPredictInChunksEqualsOnePass() throws {
        let (x, _) = smallProblem(rows: 10)
        let model = try Sequential(inputSize: 3, layers: [Dense(5, activation: .tanh), Dense(2, activation: .softmax)], seed: 4)
        let whole = try model.predict(x)
        let chunked = try model.predict(x, batchSize: 3)
        // The GEMM picks its kernel by the number of rows, so chunks may round differently in
        // the last bit: 1e-6 relative is a few float32 ulps.
        assertClose(chunked, whole, tolerance: 1e-6)
        XCTAssertEqual(whole.rows, 10)
    }

    func testDropoutIsActiveOnlyInTraining() throws {
        let x = Matrix(rows: 4, columns: 100, repeating: 1)
        let model = try Sequential(inputSize: 100, layers: [Dropout(0.5)], seed: 3)
        XCTAssertEqual(try model.predict(x), x)
        var layer = Dropout(0.5)
        var g = SeededGenerator(seed: 1)
        try layer.build(inputSize: 100, generator: &g)
        layer.forward(x, training: true, generator: &g)
        let zeros = layer.output.elements.filter { $0 == 0 }.count
        XCTAssertTrue(layer.output.elements.allSatisfy { $0 == 0 || $0 == 2 })
        XCTAssertEqual(Double(zeros) / 400, 0.5, accuracy: 0.1)  // 400 Bernoulli(½) draws: σ = 0.025
    }

    func testSameSeedGivesBitIdenticalWeights() throws {
        func train() throws -> [[Matrix]] {
            let (x, y) = smallProblem(rows: 30)
            let model = try Sequential(inputSize: 3, layers: [Dense(8, activation: .relu), Dropout(0.3), Dense(1, activation: .sigmoid)], seed: 42)
            try model.compile(loss: .binaryCrossEntropy, optimizer: Adam(learningRate: 0.01))
            try model.fit(x, y, epochs: 5, batchSize: 7)
            return model.weights
        }
        XCTAssertEqual(try train(), try train())
        let other = try Sequential(inputSize: 3, layers: [Dense(8)], seed: 43)
        XCTAssertNotEqual(try Sequential(inputSize: 3, layers: [Dense(8)], seed: 42).weights, other.weights)
    }
}

extension SequentialTests {
    /// Consecutive fits continue one random stream: 2 + 2 epochs equals 4 epochs.
    func testConsecutiveFitsEqualOneLongerFit() throws {
        func model() throws -> Sequential {
            let m = try Sequential(inputSize: 3, layers: [Dense(4, activation: .relu), Dropout(0.2), Dense(1, activation: .sigmoid)], seed: 8)
            try m.compile(loss: .binaryCrossEntropy, optimizer: Adam(learningRate: 0.01))
            return m
        }
        let (x, y) = smallProblem(rows: 25)
        let once = try model(), twice = try model()
        try once.fit(x, y, epochs: 4, batchSize: 6)
        try twice.fit(x, y, epochs: 2, batchSize: 6)
        try twice.fit(x, y, epochs: 2, batchSize: 6)
        XCTAssertEqual(once.weights, twice.weights)
    }
}
