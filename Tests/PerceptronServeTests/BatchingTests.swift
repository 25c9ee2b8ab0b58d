import Foundation
import Perceptron
@testable import PerceptronServe
@testable import PerceptronServeRequests
import XCTest

/// Dynamic batching returns each request its own rows, the same numbers as one
/// request alone, and really merges concurrent requests.
final class BatchingTests: XCTestCase {
    func testConcurrentRequestsGetTheirOwnRows() async throws {
        let folder = try ServeFixtures.folder()
        try ServeFixtures.featureModel(at: folder.appendingPathComponent("m.safetensors"))
        let loaded = try ModelFile.load(from: folder.appendingPathComponent("m.safetensors"))
        let predictor = loaded.model.predictor()
        let batchSizes = Mutex<[Int]>([])
        // maxDelay 20 ms: requests sent together are merged (the first waits for the rest),
        // even these cheap ones (a positive delay asks for merging).
        let cost = RequestCost(model: loaded.model)
        XCTAssertLessThan(cost.multiplyAdds(rows: 3, features: [Float](repeating: 1, count: 12), limit: .max), Batcher.inlineWorkLimit)
        let batcher = Batcher(predictor: predictor, maxBatch: 64, maxDelay: .milliseconds(20), cost: cost) { rows in
            batchSizes.withLock { $0.append(rows) }
        }
        let requests = (0..<40).map { i in (rows: 1 + i % 3, features: (0..<((1 + i % 3) * 4)).map { Float($0 + i) / 10 }) }
        let results = try await withThrowingTaskGroup(of: (Int, Matrix).self) { group in
            for (i, request) in requests.enumerated() {
                group.addTask { (i, try await batcher.outputs(rows: request.rows, features: request.features)) }
            }
            var out = [Int: Matrix]()
            for try await (i, m) in group { out[i] = m }
            return out
        }
        for (i, request) in requests.enumerated() {
            let alone = try predictor.outputs(Matrix(rows: request.rows, columns: 4, elements: request.features))
            // A merged batch may take another GEMM path (packed micro-kernel rather than the
            // small-matrix loop) whose fused multiply-adds round differently in the last
            // bits; 1e-5 on outputs of order 1 (softmax probabilities) allows that and
            // nothing else (another row's values would differ by far more).
            guard let got = results[i] else { XCTFail("request \(i) got nothing"); continue }
            XCTAssertEqual(got.rows, request.rows)
            for (a, b) in zip(got.elements, alone.elements) { XCTAssertEqual(a, b, accuracy: 1e-5, "request \(i)") }
        }
        let sizes = batchSizes.withLock { $0 }
        XCTAssertEqual(sizes.reduce(0, +), requests.reduce(0) { $0 + $1.rows })
        XCTAssertLessThan(sizes.count, requests.count, "some requests were merged: \(sizes)")
        XCTAssertLessThanOrEqual(sizes.max() ?? 0, 64)
    }

    func testMaxBatchOneRunsEachRequestAlone() async throws {
        let folder = try ServeFixtures.folder()
        try ServeFixtures.featureModel(at: folder.appendingPathComponent("m.safetensors"))
        let predictor = try ModelFile.load(from: folder.appendingPathComponent("m.safetensors")).model.predictor()
        let batchSizes = Mutex<[Int]>([])
        let batcher = Batcher(predictor: predictor, maxBatch: 1, maxDelay: .zero, cost: Self.expensive) { rows in
            batchSizes.withLock { $0.append(rows) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<10 { group.addTask { _ = try await batcher.outputs(rows: 2, features: [Float](repeating: 0.5, count: 8)) } }
            try await group.waitForAll()
        }
        XCTAssertEqual(batchSizes.withLock { $0 }, Array(repeating: 2, count: 10))
    }

    /// A request larger than maxBatch runs alone, whole.
    func testLargeRequestRunsAlone() async throws {
        let folder = try ServeFixtures.folder()
        try ServeFixtures.featureModel(at: folder.appendingPathComponent("m.safetensors"))
        let predictor = try ModelFile.load(from: folder.appendingPathComponent("m.safetensors")).model.predictor()
        // As costly as a batching request: it goes through the queue.
        let batcher = Batcher(predictor: predictor, maxBatch: 4, maxDelay: .zero, cost: Self.expensive) { _ in }
        XCTAssertFalse(batcher.runsAlone(rows: 10, features: []))
        let features = (0..<40).map { Float($0) / 7 }
        let out = try await batcher.outputs(rows: 10, features: features)
        XCTAssertEqual(out, try predictor.outputs(Matrix(rows: 10, columns: 4, elements: features)))
    }

    /// Every request costs at least this much: it is merged whenever it can be.
    private static let expensive = RequestCost(firstLayerUnits: 0, otherWeights: Batcher.inlineWorkLimit)

    /// Requests under the work limit with maxDelay 0 never merge: each is its own forward
    /// pass (run on its own task, no queue), with the same numbers; at the limit, or with a
    /// positive maxDelay, they queue.
    func testCheapRequestsRunAlone() async throws {
        let folder = try ServeFixtures.folder()
        try ServeFixtures.featureModel(at: folder.appendingPathComponent("m.safetensors"))
        let model = try ModelFile.load(from: folder.appendingPathComponent("m.safetensors")).model
        let predictor = model.predictor()
        XCTAssertEqual(model.parameterCount, 4 * 8 + 8 + 8 * 3 + 3)
        XCTAssertFalse(Batcher(predictor: predictor, maxBatch: 64, maxDelay: .zero, cost: Self.expensive) { _ in }.runsAlone(rows: 1, features: []))
        XCTAssertFalse(Batcher(predictor: predictor, maxBatch: 64, maxDelay: .microseconds(1), cost: RequestCost(model: model)) { _ in }
            .runsAlone(rows: 1, features: [1, 2, 3, 4]))
        let batchSizes = Mutex<[Int]>([])
        let batcher = Batcher(predictor: predictor, maxBatch: 64, maxDelay: .zero, cost: RequestCost(model: model)) { rows in
            batchSizes.withLock { $0.append(rows) }
        }
        XCTAssertTrue(batcher.runsAlone(rows: 3, features: [Float](repeating: 1, count: 12)))
        let requests = (0..<30).map { i in (rows: 1 + i % 3, features: (0..<((1 + i % 3) * 4)).map { Float($0 - i) / 9 }) }
        let results = try await withThrowingTaskGroup(of: (Int, Matrix).self) { group in
            for (i, request) in requests.enumerated() {
                group.addTask { (i, try await batcher.outputs(rows: request.rows, features: request.features)) }
            }
            var out = [Int: Matrix]()
            for try await (i, m) in group { out[i] = m }
            return out
        }
        for (i, request) in requests.enumerated() {
            // Alone, the same forward pass as the predictor's: the same bits.
            XCTAssertEqual(results[i], try predictor.outputs(Matrix(rows: request.rows, columns: 4, elements: request.features)), "request \(i)")
        }
        XCTAssertEqual(batchSizes.withLock { $0 }.sorted(), requests.map(\.rows).sorted())
    }
}

import Synchronization
