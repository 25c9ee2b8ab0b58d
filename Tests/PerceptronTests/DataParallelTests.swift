import XCTest
@testable import Perceptron
import PerceptronData
import PerceptronTestSupport

/// Data-parallel training over threads (``ThreadProcessGroup``): the same model as one
/// process, within ``SummationErrorBound``'s bound, with every rank agreeing. Hidden units are
/// tanh: the bound is first-order, and a ReLU pre-activation within rounding of 0 can flip
/// the unit (docs/distributed.md).
final class DataParallelTests: XCTestCase {
    /// Titanic (bundled, 10 standardized features) and the bundled digits scaled to [0, 1].
    private func data(_ name: String) throws -> (x: Matrix, y: Matrix, classes: Int) {
        let set = try Datasets.load(name)
        guard name == "digits" else { return (set.features, set.targets, 2) }
        var x = set.features
        x.withUnsafeMutableBufferPointer { for j in $0.indices { $0[j] /= 16 } }
        return (x, set.targets, 10)
    }

    private static func model(inputs: Int, classes: Int, hidden: [Int], lr: Float) throws -> Sequential {
        let layers: [any Layer] = hidden.map { Dense($0, activation: .tanh) }
            + [classes == 2 ? Dense(1, activation: .sigmoid) : Dense(classes, activation: .softmax)]
        let model = try Sequential(inputSize: inputs, layers: layers, seed: 11)
        try model.compile(loss: classes == 2 ? .binaryCrossEntropy : .sparseCategoricalCrossEntropy,
                          optimizer: SGD(learningRate: lr), metrics: [.accuracy])
        return model
    }

    func testShardsCoverTheBatchInRankOrder() throws {
        for (rows, ranks) in [(100, 4), (12, 4), (3, 4), (7, 2), (0, 3)] {
            let shards = try ThreadProcessGroup.run(size: ranks) { group in
                DataParallel(group: group).shard(of: 10..<(10 + rows))
            }
            XCTAssertEqual(shards.first?.lowerBound, 10)
            XCTAssertEqual(shards.last?.upperBound, 10 + rows)
            for (a, b) in zip(shards, shards.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
            XCTAssertLessThanOrEqual(shards.map(\.count).max()! - shards.map(\.count).min()!, 1)
        }
    }

    /// The derivation's premise: a row's forward and backward pass do not depend on which
    /// other rows share its batch (so ranks and the single process sum the same terms).
    func testRowsDoNotDependOnTheirBatch() throws {
        let (x, y, classes) = try data("digits")
        let model = try Self.model(inputs: x.columns, classes: classes, hidden: [64, 32], lr: 0.1)
        let full = try model.predict(x.gatherRows(0..<200))
        let half = try model.predict(x.gatherRows(100..<200))
        XCTAssertEqual(full.gatherRows(100..<200).elements, half.elements, "the output of a row changed with its batch")
    }

    /// One step from the same weights: |w_N − w_1| ≤ η·2γ_B·S exactly (no first-order term).
    func testOneStepIsWithinTheSummationBound() throws {
        let (x, y, classes) = try data("digits")
        let batch = (x.gatherRows(0..<512), y.gatherRows(0..<512))
        let single = try Self.model(inputs: x.columns, classes: classes, hidden: [64, 32], lr: 0.5)
        let tracker = try SummationErrorBound(model: single)
        single.gradientTransforms.append(tracker)
        try single.fit(batch.0, batch.1, epochs: 1, batchSize: 512, shuffle: false)
        for ranks in [2, 4] {
            let results = try ThreadProcessGroup.run(size: ranks) { group in
                let m = try Self.model(inputs: x.columns, classes: classes, hidden: [64, 32], lr: 0.5)
                m.gradientTransforms.append(DataParallel(group: group))
                try m.fit(batch.0, batch.1, epochs: 1, batchSize: 512, shuffle: false)
                return m.weights
            }
            try assertWithin(results, single.weights, tracker.bound, ranks: ranks)
        }
    }

    /// Several epochs through `fit` (shuffled, metrics, the last batch smaller): every rank
    /// ends with the same weights and history, within the first-order bound of one process.
    func testEpochsMatchOneProcessWithinTheBound() throws {
        for (name, hidden, lr, epochs, batch) in [("titanic", [15], Float(0.2), 8, 100), ("digits", [64, 32], Float(0.5), 4, 256)] {
            let (x, y, classes) = try data(name)
            let single = try Self.model(inputs: x.columns, classes: classes, hidden: hidden, lr: lr)
            let tracker = try SummationErrorBound(model: single)
            single.gradientTransforms.append(tracker)
            let reference = try single.fit(x, y, epochs: epochs, batchSize: batch, validationSplit: 0.2)
            for ranks in [2, 4] {
                let results = try ThreadProcessGroup.run(size: ranks) { group in
                    let m = try Self.model(inputs: x.columns, classes: classes, hidden: hidden, lr: lr)
                    m.gradientTransforms.append(DataParallel(group: group))
                    let history = try m.fit(x, y, epochs: epochs, batchSize: batch, validationSplit: 0.2)
                    return (m.weights, history)
                }
                for r in 1..<ranks {
                    XCTAssertEqual(results[r].0, results[0].0, "\(name): rank \(r)'s weights differ from rank 0's")
                    XCTAssertEqual(results[r].1.epochs.map(\.values), results[0].1.epochs.map(\.values), "\(name): rank \(r)'s history")
                }
                try assertWithin(results.map(\.0), single.weights, tracker.bound, ranks: ranks, name: name)
                // The reduced epoch loss is the single process's to rounding (it is a mean of the same rows).
                for (a, b) in zip(results[0].1["loss"], reference["loss"]) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b))) }
                XCTAssertEqual(results[0].1["val_accuracy"].count, epochs)
            }
        }
    }

    func testEarlyStoppingStopsEveryRankTogether() throws {
        let (x, y, classes) = try data("titanic")
        let results = try ThreadProcessGroup.run(size: 3) { group in
            let m = try Self.model(inputs: x.columns, classes: classes, hidden: [8], lr: 0.05)
            m.gradientTransforms.append(DataParallel(group: group))
            // Only rank 1 has a callback that stops: every rank must stop after the same epoch.
            let callbacks: [any Callback] = group.rank == 1 ? [StopAfter(epoch: 2)] : []
            return try m.fit(x, y, epochs: 10, batchSize: 64, callbacks: callbacks).epochs.count
        }
        XCTAssertEqual(results, [3, 3, 3])
    }

    func testDropoutIsRefused() throws {
        let errors = try ThreadProcessGroup.run(size: 2) { group -> String in
            let m = try Sequential(inputSize: 2, layers: [Dense(4), Dropout(0.5), Dense(1, activation: .sigmoid)], seed: 1)
            try m.compile(loss: .binaryCrossEntropy, optimizer: SGD())
            m.gradientTransforms.append(DataParallel(group: group))
            do { try m.fit(Matrix([[0, 1], [1, 0]]), Matrix(column: [0, 1])); return "trained" } catch { return "\(error)" }
        }
        for e in errors { XCTAssert(e.contains("Dropout"), e) }
    }

    /// Asserts every rank's weights are within `bound` of `reference`, elementwise.
    private func assertWithin(_ ranks: [[[Matrix]]], _ reference: [[Matrix]], _ bound: [[Matrix]], ranks count: Int, name: String = "digits",
                              file: StaticString = #filePath, line: UInt = #line) throws {
        var worst: Float = 0
        for (l, layer) in ranks[0].enumerated() {
            for (p, w) in layer.enumerated() {
                for j in 0..<w.count {
                    let difference = abs(w.elements[j] - reference[l][p].elements[j])
                    let limit = bound[l][p].elements[j]
                    if difference > limit {
                        XCTFail("\(name), \(count) ranks: layer \(l) parameter \(p) element \(j): |Δw| = \(difference) > bound \(limit)", file: file, line: line)
                        return
                    }
                    if limit > 0 { worst = max(worst, difference / limit) }
                }
            }
        }
        // Not vacuous: the bound is far below the weights' own size (about 0.1).
        let largestBound = bound.flatMap { $0 }.map { $0.elements.max() ?? 0 }.max() ?? 0
        XCTAssertLessThan(largestBound, 1e-4, "\(name): the bound is too loose to mean anything", file: file, line: line)
        print("\(name), \(count) ranks: largest |Δw| / bound = \(worst); largest bound \(largestBound)")
    }
}

private final class StopAfter: Callback {
    let epoch: Int
    init(epoch: Int) { self.epoch = epoch }
    func epochDidEnd(_ logs: EpochLogs, model: Sequential) { if logs.epoch == epoch { model.stopTraining = true } }
}
