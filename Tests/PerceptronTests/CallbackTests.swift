import XCTest
import Perceptron
import PerceptronTestSupport

final class CallbackTests: XCTestCase {
    /// A user callback that feeds a scripted "val_loss"-like sequence by overriding what it
    /// sees: simpler to drive EarlyStopping directly with logs.
    func scriptedEarlyStopping(_ values: [Float], patience: Int, minDelta: Float = 0) throws -> (EarlyStopping, Sequential, [[[Matrix]]]) {
        let model = try Sequential(inputSize: 1, layers: [Dense(1)], seed: 1)
        let stopping = try EarlyStopping(monitor: "val_loss", patience: patience, minDelta: minDelta)
        stopping.trainingWillBegin(model: model, plan: TrainingPlan(epochs: values.count, batchesPerEpoch: 1, trainingSamples: 1,
                                                                    validationSamples: 1, batchSize: 1))
        var snapshots: [[[Matrix]]] = []
        for (epoch, value) in values.enumerated() {
            try model.setWeights([[Matrix([[Float(epoch)]]), Matrix([[0]])]])
            snapshots.append(model.weights)
            stopping.epochDidEnd(EpochLogs(epoch: epoch, values: ["val_loss": value], elapsed: 0), model: model)
            if model.stopTraining { break }
        }
        stopping.trainingDidEnd(model: model, history: History())
        return (stopping, model, snapshots)
    }

    func testEarlyStoppingWaitsPatienceEpochsAndRestoresBest() throws {
        let (stopping, model, _) = try scriptedEarlyStopping([1.0, 0.8, 0.85, 0.9, 0.95, 0.7], patience: 2)
        XCTAssertEqual(stopping.bestEpoch, 1)
        XCTAssertEqual(stopping.stoppedEpoch, 3)   // epochs 2 and 3 do not improve: patience 2 reached
        XCTAssertTrue(model.stopTraining)
        XCTAssertEqual(model.weights[0][0][0, 0], 1)  // epoch 1's weights restored
    }

    func testEarlyStoppingMinDelta() throws {
        // 0.79 is not an improvement over 0.8 by more than 0.05.
        let (stopping, _, _) = try scriptedEarlyStopping([0.8, 0.79, 0.78, 0.7], patience: 1, minDelta: 0.05)
        XCTAssertEqual(stopping.bestEpoch, 0)
        XCTAssertEqual(stopping.stoppedEpoch, 1)
    }

    func testEarlyStoppingRestoresBestEvenWhenEpochsRunOut() throws {
        let (stopping, model, _) = try scriptedEarlyStopping([1.0, 0.5, 0.6], patience: 5)
        XCTAssertNil(stopping.stoppedEpoch)
        XCTAssertEqual(model.weights[0][0][0, 0], 1)
    }

    func testEarlyStoppingInFitStopsAndRecordsReason() throws {
        // A learning rate so small that the loss cannot improve by minDelta 1.
        let x = Matrix(column: [1, 2, 3, 4]), y = Matrix(column: [2, 4, 6, 8])
        let model = try Sequential(inputSize: 1, layers: [Dense(1)], seed: 1)
        try model.compile(loss: .meanSquaredError, optimizer: SGD(learningRate: 1e-6))
        let history = try model.fit(x, y, epochs: 50, batchSize: 4, callbacks: [try EarlyStopping(monitor: "loss", patience: 2, minDelta: 1)])
        XCTAssertEqual(history.epochs.count, 3)
        XCTAssertEqual(history.stopReason, .stoppedByCallback(epoch: 2))
    }

    /// A diverging run stops at the first non-finite loss and keeps the last finite weights.
    func testNonFiniteLossStopsKeepingLastFiniteWeights() throws {
        final class WeightLog: Callback {
            var last: [[Matrix]] = []
            func batchDidEnd(_ logs: BatchLogs, model: Sequential) { last = model.weights }
        }
        // Each step multiplies the weight by about 1 − 2·η·x² = −799: the loss, (w·x)², overflows
        // Float after a few steps, while w itself is still finite.
        let x = Matrix(column: [20, 20]), y = Matrix(column: [0, 0])
        let model = try Sequential(inputSize: 1, layers: [Dense(1, useBias: false, kernelInitializer: .constant(1))], seed: 1)
        try model.compile(loss: .meanSquaredError, optimizer: SGD(learningRate: 1))
        let log = WeightLog()
        let history = try model.fit(x, y, epochs: 10, batchSize: 1, shuffle: false, callbacks: [log])
        guard case let .nonFiniteLoss(epoch, batch, loss) = history.stopReason else {
            return XCTFail("expected a non-finite stop, got \(history.stopReason)")
        }
        XCTAssertFalse(loss.isFinite)
        XCTAssertGreaterThan(epoch * 2 + batch, 2)
        XCTAssertTrue(model.weights.allSatisfy { $0.allSatisfy(\.isFinite) })
        XCTAssertEqual(model.weights, log.last)  // nothing applied after the last reported batch
    }

    func testProgressCallbackReportsBatchesAndEpochs() throws {
        var events: [String] = []
        let progress = ProgressCallback(batchInterval: 2) { event in
            switch event {
            case .began(let plan): events.append("began \(plan.epochs)x\(plan.batchesPerEpoch)")
            case .batch(let logs): events.append("batch \(logs.epoch).\(logs.batch) \(logs.values["loss"] != nil)")
            case .epoch(let logs, let epochs): events.append("epoch \(logs.epoch)/\(epochs) \(logs.values["accuracy"] != nil)")
            case .ended: events.append("ended")
            }
        }
        let x = Matrix(rows: 5, columns: 2, repeating: 0.5), y = Matrix(column: [0, 1, 0, 1, 1])
        let model = try Sequential(inputSize: 2, layers: [Dense(1, activation: .sigmoid)], seed: 1)
        try model.compile(loss: .binaryCrossEntropy, metrics: [.accuracy])
        try model.fit(x, y, epochs: 2, batchSize: 2, callbacks: [progress])
        XCTAssertEqual(events, ["began 2x3", "batch 0.1 true", "batch 0.2 true", "epoch 0/2 true",
                                "batch 1.1 true", "batch 1.2 true", "epoch 1/2 true", "ended"])
    }

    func testReduceLearningRateOnPlateau() throws {
        let model = try Sequential(inputSize: 1, layers: [Dense(1)], seed: 1)
        try model.compile(loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1))
        // Epochs 1 and 2 do not improve on epoch 0: with patience 2 the rate halves once.
        let reduce = try ReduceLearningRateOnPlateau(monitor: "loss", factor: 0.5, patience: 2, minDelta: 0)
        reduce.trainingWillBegin(model: model, plan: TrainingPlan(epochs: 4, batchesPerEpoch: 1, trainingSamples: 1, validationSamples: 0, batchSize: 1))
        for (epoch, loss) in [1.0, 1.0, 1.0, 0.5].enumerated() {
            reduce.epochDidEnd(EpochLogs(epoch: epoch, values: ["loss": Float(loss)], elapsed: 0), model: model)
        }
        XCTAssertEqual(model.optimizer.learningRate, 0.05, accuracy: 1e-7)
        XCTAssertThrowsError(try ReduceLearningRateOnPlateau(factor: 1.5))
    }
}
