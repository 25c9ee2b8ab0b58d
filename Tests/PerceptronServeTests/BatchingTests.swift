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
        // maxDelay 20 ms: requests sent together are merged (the first waits for the rest).
        let batcher = Batcher(predictor: predictor, maxBatch: 64, maxDelay: .milliseconds(20)) { rows in
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
        let batcher = Batcher(predictor: predictor, maxBatch: 1, maxDelay: .zero) { rows in batchSizes.withLock { $0.append(rows) } }
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
        let batcher = Batcher(predictor: predictor, maxBatch: 4, maxDelay: .zero) { _ in }
        let features = (0..<40).map { Float($0) / 7 }
        let out = try await batcher.outputs(rows: 10, features: features)
        XCTAssertEqual(out, try predictor.outputs(Matrix(rows: 10, columns: 4, elements: features)))
    }
}

import Synchronization
