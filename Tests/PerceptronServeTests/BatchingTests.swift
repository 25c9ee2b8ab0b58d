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
        // even for this small model (a positive delay asks for merging).
        XCTAssertLessThan(loaded.model.parameterCount, Batcher.inlineParameterLimit)
        let batcher = Batcher(predictor: predictor, maxBatch: 64, maxDelay: .milliseconds(20),
                              parameterCount: loaded.model.parameterCount) { rows in
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
        let batcher = Batcher(predictor: predictor, maxBatch: 1, maxDelay: .zero, parameterCount: Batcher.inlineParameterLimit) { rows in
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
        // As large as a batching model: the request goes through the queue.
        let batcher = Batcher(predictor: predictor, maxBatch: 4, maxDelay: .zero, parameterCount: Batcher.inlineParameterLimit) { _ in }
        XCTAssertTrue(batcher.isBatching)
        let features = (0..<40).map { Float($0) / 7 }
        let out = try await batcher.outputs(rows: 10, features: features)
        XCTAssertEqual(out, try predictor.outputs(Matrix(rows: 10, columns: 4, elements: features)))
    }

    /// A model under the limit with maxDelay 0 never merges: each request is its own forward
    /// pass (run on its own task, no queue), with the same numbers; at the limit it batches.
    func testSmallModelRunsEachRequestAlone() async throws {
        let folder = try ServeFixtures.folder()
        try ServeFixtures.featureModel(at: folder.appendingPathComponent("m.safetensors"))
        let model = try ModelFile.load(from: folder.appendingPathComponent("m.safetensors")).model
        let predictor = model.predictor()
        XCTAssertEqual(model.parameterCount, 4 * 8 + 8 + 8 * 3 + 3)
        XCTAssertTrue(Batcher(predictor: predictor, maxBatch: 64, maxDelay: .zero, parameterCount: Batcher.inlineParameterLimit) { _ in }.isBatching)
        XCTAssertTrue(Batcher(predictor: predictor, maxBatch: 64, maxDelay: .microseconds(1), parameterCount: model.parameterCount) { _ in }.isBatching)
        let batchSizes = Mutex<[Int]>([])
        let batcher = Batcher(predictor: predictor, maxBatch: 64, maxDelay: .zero, parameterCount: model.parameterCount) { rows in
            batchSizes.withLock { $0.append(rows) }
        }
        XCTAssertFalse(batcher.isBatching)
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
