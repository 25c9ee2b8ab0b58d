import Foundation
import XCTest
@testable import Perceptron
@testable import PerceptronData

/// A fit interrupted after any epoch and resumed from its checkpoint ends with the same
/// weights, bit for bit, and the same history as the uninterrupted fit: learning-rate
/// schedules, reduce-on-plateau, early stopping (wait counter, best value, best weights),
/// dropout and shuffling included.
final class ResumeTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("ResumeTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Stands in for `kill -9`: throws out of fit right after the checkpoint of epoch `after`.
    final class Crash: CheckpointWriter {
        struct Killed: Error {}
        let after: Int
        init(after: Int) { self.after = after }
        func epochDidComplete(_ state: TrainingState, model: Sequential) throws {
            if state.completedEpochs == after { throw Killed() }
        }
    }

    /// One training setup: a fresh model and fresh callbacks each time.
    struct Scenario {
        var name: String
        var schedule: LearningRateSchedule
        var optimizer: () -> any Optimizer
        var callbacks: () throws -> [any Callback]
        var epochs: Int
        /// Adds a BatchNormalization layer, whose running statistics (buffers) must resume too.
        var batchNormalization = false
    }

    let data = try! Generators.makeClassification(samples: 120, features: 5, informative: 3, classes: 3, seed: 4)

    func makeModel(_ scenario: Scenario) throws -> Sequential {
        let hidden: [any Layer] = scenario.batchNormalization
            ? [Dense(12, activation: .relu), BatchNormalization(momentum: 0.9)] : [Dense(12, activation: .relu)]
        let model = try Sequential(inputSize: 5, layers: hidden + [Dropout(0.2), Dense(3, activation: .softmax)], seed: 11)
        try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: scenario.optimizer(), metrics: [.accuracy],
                          learningRateSchedule: scenario.schedule)
        return model
    }

    func fit(_ model: Sequential, _ scenario: Scenario, extra: [any Callback], state: TrainingState? = nil) throws -> History {
        try model.fit(data.features, data.targets, epochs: scenario.epochs, batchSize: 16, validationSplit: 0.25,
                      callbacks: try scenario.callbacks() + extra, resumeFrom: state)
    }

    static func bits(_ weights: [[Matrix]]) -> [[[UInt32]]] {
        weights.map { $0.map { $0.elements.map(\.bitPattern) } }
    }

    static func comparable(_ history: History) -> [[String: UInt32]] {
        history.epochs.map { $0.values.mapValues(\.bitPattern) }
    }

    /// Interrupts `scenario` after each epoch in turn and checks every resumed fit against the whole one.
    func checkResumesAreExact(_ scenario: Scenario, file: StaticString = #filePath, line: UInt = #line) throws {
        let whole = try makeModel(scenario)
        let reference = try fit(whole, scenario, extra: [])
        let trained = reference.epochs.count
        XCTAssertGreaterThan(trained, 2, "\(scenario.name): too short to interrupt", file: file, line: line)
        for k in 1...trained {
            let url = folder.appendingPathComponent("\(scenario.name)-\(k).safetensors")
            let first = try makeModel(scenario)
            XCTAssertThrowsError(try fit(first, scenario, extra: [try ModelCheckpoint(url: url), Crash(after: k)]))
            let checkpoint = try ModelFile.loadCheckpoint(from: url)
            XCTAssertEqual(checkpoint.state.completedEpochs, k, file: file, line: line)
            let resumed = try fit(checkpoint.model, scenario, extra: [], state: checkpoint.state)
            XCTAssertEqual(Self.bits(checkpoint.model.weights), Self.bits(whole.weights),
                           "\(scenario.name): resumed after epoch \(k)", file: file, line: line)
            XCTAssertEqual(Self.bits(checkpoint.model.layers.map(\.buffers)), Self.bits(whole.layers.map(\.buffers)),
                           "\(scenario.name): buffers resumed after epoch \(k)", file: file, line: line)
            XCTAssertEqual(Self.comparable(resumed), Self.comparable(reference), "\(scenario.name): history after epoch \(k)",
                           file: file, line: line)
            XCTAssertEqual(resumed.stopReason, reference.stopReason, file: file, line: line)
        }
    }

    func testStepScheduleWithEarlyStoppingResumesBitForBit() throws {
        let scenario = Scenario(name: "step", schedule: .step(every: 3, factor: 0.5), optimizer: { Adam(learningRate: 0.05) },
                                callbacks: { [try EarlyStopping(monitor: "val_loss", patience: 2, minDelta: 0.01)] }, epochs: 30)
        let reference = try fit(try makeModel(scenario), scenario, extra: [])
        guard case .stoppedByCallback = reference.stopReason else {
            return XCTFail("the scenario should stop early to test early stopping's state; it ran \(reference.epochs.count) epochs")
        }
        try checkResumesAreExact(scenario)
    }

    func testPlateauAndEarlyStoppingResumeBitForBit() throws {
        let scenario = Scenario(name: "plateau", schedule: .constant, optimizer: { SGD(learningRate: 0.2, momentum: 0.9) },
                                callbacks: { [try ReduceLearningRateOnPlateau(monitor: "val_loss", factor: 0.5, patience: 1, minDelta: 0.001),
                                              try EarlyStopping(monitor: "val_accuracy", patience: 4)] }, epochs: 12)
        let reference = try fit(try makeModel(scenario), scenario, extra: [])
        XCTAssertLessThan(reference["lr"].last!, 0.2, "reduce-on-plateau should have fired for the test to mean anything")
        try checkResumesAreExact(scenario)
    }

    func testBatchNormalizationResumesBitForBit() throws {
        var scenario = Scenario(name: "batchnorm", schedule: .exponential(factor: 0.9), optimizer: { Adam(learningRate: 0.02) },
                                callbacks: { [try EarlyStopping(monitor: "val_loss", patience: 3)] }, epochs: 6)
        scenario.batchNormalization = true
        try checkResumesAreExact(scenario)
        let model = try makeModel(scenario)
        _ = try fit(model, scenario, extra: [])
        XCTAssertEqual(try ModelFile.load(from: try save(model)).model.layers[1].buffers.map(\.elements),
                       model.layers[1].buffers.map(\.elements), "the running statistics are part of the checkpoint")
    }

    func save(_ model: Sequential) throws -> URL {
        let url = folder.appendingPathComponent("bn.safetensors")
        try ModelFile.saveCheckpoint(model, state: TrainingState(completedEpochs: 0, history: History(), baseLearningRate: 0.02,
                                                                 learningRate: 0.02), to: url)
        return url
    }

    func testCosineScheduleResumesBitForBit() throws {
        let scenario = Scenario(name: "cosine", schedule: .cosine(epochs: 8, minimum: 0.001), optimizer: { Adam(learningRate: 0.03, amsgrad: true) },
                                callbacks: { [] }, epochs: 8)
        try checkResumesAreExact(scenario)
    }

    /// A checkpoint loads as a plain model file too (predict, evaluate), and a plain model file is not a checkpoint.
    func testCheckpointIsAModelFile() throws {
        let url = folder.appendingPathComponent("c.safetensors")
        let model = try Sequential(inputSize: 5, layers: [Dense(3, activation: .softmax)], seed: 1)
        try model.compile(loss: .sparseCategoricalCrossEntropy)
        try model.fit(data.features, data.targets, epochs: 2, callbacks: [try EarlyStopping(monitor: "loss", patience: 5), try ModelCheckpoint(url: url)])
        let loaded = try ModelFile.load(from: url)
        XCTAssertEqual(try loaded.model.predict(data.features), try model.predict(data.features))
        let plain = folder.appendingPathComponent("plain.safetensors")
        try ModelFile.save(model, to: plain, includeOptimizerState: true)
        XCTAssertThrowsError(try ModelFile.loadCheckpoint(from: plain)) { error in
            guard case ModelFileError.invalidMetadata(_, let key, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "training_state")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted(), ["c.safetensors", "plain.safetensors"],
                       "no temporary files left behind")
    }

    /// A resume with other data, another batch size or other callbacks is refused, naming what differs.
    func testResumeWithDifferentFitIsRefused() throws {
        let url = folder.appendingPathComponent("r.safetensors")
        func model() throws -> Sequential {
            let m = try Sequential(inputSize: 5, layers: [Dense(3, activation: .softmax)], seed: 1)
            try m.compile(loss: .sparseCategoricalCrossEntropy)
            return m
        }
        try model().fit(data.features, data.targets, epochs: 2, batchSize: 16,
                        callbacks: [try EarlyStopping(monitor: "loss", patience: 5), try ModelCheckpoint(url: url)])
        func refusal(_ body: (Sequential, TrainingState) throws -> Void) throws -> String {
            let c = try ModelFile.loadCheckpoint(from: url)
            do { try body(c.model, c.state) } catch let error as PerceptronError { return error.description }
            XCTFail("the resume was not refused")
            return ""
        }
        let early = { try EarlyStopping(monitor: "loss", patience: 5) }
        XCTAssertTrue(try refusal { try $0.fit(data.features, data.targets, epochs: 4, batchSize: 8, callbacks: [try early()], resumeFrom: $1) }
            .contains("batchSize is 8, the checkpoint's is 16"))
        var other = data.features
        other[0, 0] += 1
        XCTAssertTrue(try refusal { try $0.fit(other, data.targets, epochs: 4, batchSize: 16, callbacks: [try early()], resumeFrom: $1) }
            .contains("the training features x differ"))
        XCTAssertTrue(try refusal { try $0.fit(data.features, data.targets, epochs: 4, batchSize: 16, resumeFrom: $1) }
            .contains("early_stopping(loss)"))
        XCTAssertTrue(try refusal {
            try $0.fit(data.features, data.targets, epochs: 4, batchSize: 16, callbacks: [try EarlyStopping(monitor: "loss", patience: 2)], resumeFrom: $1)
        }.contains("patience is 2, the checkpoint's is 5"))
        XCTAssertTrue(try refusal { try $0.fit(data.features, data.targets, epochs: 1, batchSize: 16, callbacks: [try early()], resumeFrom: $1) }
            .contains("epochs"))
    }

    /// `every: 3` saves after epochs 3 and 6 and after the last; a crash after epoch 5 leaves epoch 3's.
    func testCheckpointEveryNEpochs() throws {
        let url = folder.appendingPathComponent("every.safetensors")
        func model() throws -> Sequential {
            let m = try Sequential(inputSize: 5, layers: [Dense(3, activation: .softmax)], seed: 1)
            try m.compile(loss: .sparseCategoricalCrossEntropy)
            return m
        }
        XCTAssertThrowsError(try model().fit(data.features, data.targets, epochs: 7,
                                             callbacks: [try ModelCheckpoint(url: url, every: 3), Crash(after: 5)]))
        XCTAssertEqual(try ModelFile.loadCheckpoint(from: url).state.completedEpochs, 3)
        let writer = try ModelCheckpoint(url: url, every: 3)
        try model().fit(data.features, data.targets, epochs: 7, callbacks: [writer])
        XCTAssertEqual(writer.lastSavedEpochs, 7)
        XCTAssertEqual(try ModelFile.loadCheckpoint(from: url).state.history.epochs.count, 7)
        XCTAssertThrowsError(try ModelCheckpoint(url: url, every: 0))
    }

    /// `initialEpoch` (Keras's `initial_epoch`): the schedule continues at the absolute epoch.
    func testInitialEpochContinuesTheSchedule() throws {
        let model = try Sequential(inputSize: 5, layers: [Dense(3, activation: .softmax)], seed: 1)
        try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: SGD(learningRate: 0.1),
                          learningRateSchedule: .step(every: 2, factor: 0.5))
        let history = try model.fit(data.features, data.targets, epochs: 5, initialEpoch: 3)
        XCTAssertEqual(history.epochs.map(\.epoch), [3, 4])
        XCTAssertEqual(history["lr"], [0.05, 0.025])
    }
}
