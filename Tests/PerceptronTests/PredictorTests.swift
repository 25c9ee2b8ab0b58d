import Dispatch
import Foundation
import XCTest
import Perceptron
import PerceptronData

/// The immutable predictor: the model's outputs and classes, decoded; one predictor
/// shared by 8 threads gives exactly the serial results.
final class PredictorTests: XCTestCase {
    func trainedIris() throws -> (Sequential, Preprocessor, Matrix) {
        let table = try Datasets.table("iris")
        let pre = try Preprocessor.fit(table, options: .init(target: "target", task: .classification))
        let (x, y) = try pre.transform(table)
        let model = try Sequential(inputSize: x.columns, layers: [
            Dense(16, activation: .relu), BatchNormalization(), Dropout(0.2), Dense(3, activation: .softmax),
        ], seed: 6)
        try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: Adam(learningRate: 0.02), metrics: [.accuracy])
        try model.fit(x, y!, epochs: 5, batchSize: 16)
        return (model, pre, x)
    }

    func testMatchesTheModelAndDecodesClasses() throws {
        let (model, pre, x) = try trainedIris()
        let predictor = model.predictor(preprocessor: pre)
        XCTAssertEqual(try predictor.outputs(x), try model.predict(x))
        XCTAssertEqual(try predictor.outputs(x, batchSize: 7), try model.predict(x))
        XCTAssertEqual(try predictor.classes(x), try model.predictClasses(x))
        XCTAssertEqual(predictor.classNames, pre.classNames)
        XCTAssertEqual(try predictor.outputs(table: try Datasets.table("iris")), try model.predict(x))
        XCTAssertThrowsError(try predictor.outputs(Matrix(rows: 1, columns: 2)))
        // Training on after the predictor was made does not change it.
        let before = try predictor.outputs(x)
        try model.fit(x, Matrix(column: (0..<x.rows).map { Float($0 % 3) }), epochs: 1)
        XCTAssertEqual(try predictor.outputs(x), before)
    }

    func testBinaryProbabilitiesHaveTwoColumns() throws {
        let x = Matrix(rows: 4, columns: 2, elements: [0, 0, 0, 1, 1, 0, 1, 1])
        let model = try Sequential(inputSize: 2, layers: [Dense(1, activation: .linear)], seed: 1)
        try model.compile(loss: .binaryCrossEntropyFromLogits)
        let predictor = model.predictor()
        let p = try predictor.probabilities(x)
        let z = try model.predict(x)
        XCTAssertEqual(p.columns, 2)
        for i in 0..<4 {
            XCTAssertEqual(p[i, 1], Activation.logistic(z[i, 0]))
            XCTAssertEqual(p[i, 0] + p[i, 1], 1, accuracy: 1e-6)
        }
        XCTAssertEqual(try predictor.classes(x), try model.predictClasses(x))
        XCTAssertEqual(predictor.classNames, ["0", "1"])
    }

    /// One predictor, 8 threads, each predicting its own slices many times: every result
    /// equals the serial one bit for bit (each call has its own scratch; the weights are
    /// only read).
    func testEightThreadsGiveTheSerialResults() throws {
        let (model, _, x) = try trainedIris()
        let predictor = model.predictor()
        let slices = (0..<8).map { t in x.gatherRows(t * 18..<(t * 18 + 18)) }
        let serial = try slices.map { try predictor.outputs($0) }
        let results = ResultBox(count: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            var mismatches = 0
            for round in 0..<200 {
                let slice = (t + round) % 8
                guard let output = try? predictor.outputs(slices[slice]) else { mismatches += 1; continue }
                if output != serial[slice] { mismatches += 1 }
            }
            results.set(t, mismatches)
        }
        XCTAssertEqual(results.values, [Int](repeating: 0, count: 8))
    }
}

extension PredictorTests {
    /// Calls reuse the layer copies earlier calls kept (``PredictorScratch``): batches of
    /// changing sizes (larger, smaller, chunked) through the float and the int8 model give
    /// the results of a fresh predictor, and a result already returned is never changed
    /// by a later call that writes into the buffers it came from.
    func testKeptScratchGivesFreshResultsAndLeavesEarlierResultsAlone() throws {
        let (model, _, x) = try trainedIris()
        for net in [model, try model.quantized()] {
            let predictor = net.predictor()
            let first = try predictor.outputs(x)
            let firstCopy = Matrix(rows: first.rows, columns: first.columns, elements: first.elements)
            for rows in [150, 3, 1, 150, 40, 149] {
                let part = x.gatherRows(0..<rows)
                XCTAssertEqual(try predictor.outputs(part), try net.predictor().outputs(part), "\(rows) rows")
                XCTAssertEqual(try predictor.outputs(part, batchSize: 16), try net.predictor().outputs(part, batchSize: 16),
                               "\(rows) rows, chunks of 16")
            }
            XCTAssertEqual(first, firstCopy, "an earlier result changed")
        }
    }

    /// 8 threads through one predictor with batches of different sizes, so kept copies of
    /// every shape are taken and given back in any order: each result is the serial one.
    func testEightThreadsWithMixedBatchSizesGiveTheSerialResults() throws {
        let (model, _, x) = try trainedIris()
        let predictor = try model.quantized().predictor()
        let slices = (0..<8).map { t in x.gatherRows(0..<(1 + t * 21)) }
        let serial = try slices.map { try predictor.outputs($0) }
        let results = ResultBox(count: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            var mismatches = 0
            for round in 0..<100 {
                let slice = (t + round) % 8
                guard let output = try? predictor.outputs(slices[slice]) else { mismatches += 1; continue }
                if output != serial[slice] { mismatches += 1 }
            }
            results.set(t, mismatches)
        }
        XCTAssertEqual(results.values, [Int](repeating: 0, count: 8))
    }
}

/// Per-thread results written under a lock.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int]
    init(count: Int) { storage = [Int](repeating: -1, count: count) }
    func set(_ index: Int, _ value: Int) { lock.withLock { storage[index] = value } }
    var values: [Int] { lock.withLock { storage } }
}
