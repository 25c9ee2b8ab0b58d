import Perceptron
@testable import PerceptronServe
import XCTest

/// A request's cost counts the first layer's weight rows only for non-zero inputs, and
/// decides whether a request with maxDelay 0 runs alone or is merged.
final class RequestCostTests: XCTestCase {
    /// 64 inputs, 4,096 units, then 2: a dense row costs 64 · 4096 + 8194 = 270,338
    /// multiply-adds, just over the limit; half its inputs zero, about half that.
    private func wideModel() throws -> Sequential {
        try Sequential(inputSize: 64, layers: [Dense(4096, activation: .relu), Dense(2)], seed: 1)
    }

    func testCostCountsTheFirstLayerOnlyForNonZeroInputs() throws {
        let cost = RequestCost(model: try wideModel())
        XCTAssertEqual(cost.firstLayerUnits, 4096)
        XCTAssertEqual(cost.otherWeights, 4096 * 2 + 2)
        let dense = [Float](repeating: 0.5, count: 64)
        let half = (0..<64).map { $0 % 2 == 0 ? Float(0) : 0.5 }
        XCTAssertEqual(cost.multiplyAdds(rows: 1, features: dense, limit: .max), 64 * 4096 + 8194)
        XCTAssertEqual(cost.multiplyAdds(rows: 1, features: half, limit: .max), 32 * 4096 + 8194)
        // -0 is zero to the kernels too; NaN is not (the predictor refuses it later).
        XCTAssertEqual(cost.multiplyAdds(rows: 1, features: [-0.0, .nan] + [Float](repeating: 0, count: 62), limit: .max), 4096 + 8194)
        XCTAssertEqual(cost.multiplyAdds(rows: 2, features: half + half, limit: .max), 64 * 4096 + 2 * 8194)
        // Past the limit the answer is the limit, and no overflow: the rows alone reach it.
        XCTAssertEqual(cost.multiplyAdds(rows: Int.max / 2, features: [], limit: 1000), 1000)
        XCTAssertEqual(cost.multiplyAdds(rows: 1, features: dense, limit: 100_000), 100_000)
    }

    func testAModelWithoutAFirstDenseLayerCountsEveryWeight() throws {
        let model = try Sequential(inputSize: 8, layers: [Dropout(0.5), Dense(4)], seed: 1)
        let cost = RequestCost(model: model)
        XCTAssertEqual(cost.firstLayerUnits, 0)
        XCTAssertEqual(cost.multiplyAdds(rows: 3, features: [Float](repeating: 0, count: 24), limit: .max), 3 * (8 * 4 + 4))
    }

    /// The same model batches a dense row and runs a sparse one alone (maxDelay 0): what
    /// decides is the request's work, not the model's size.
    func testSparseRowsRunAloneDenseRowsAreMerged() throws {
        let model = try wideModel()
        let batcher = Batcher(predictor: model.predictor(), maxBatch: 64, maxDelay: .zero, cost: RequestCost(model: model)) { _ in }
        let dense = [Float](repeating: 0.5, count: 64)
        let sparse = (0..<64).map { $0 < 16 ? Float(1) : 0 }
        XCTAssertFalse(batcher.runsAlone(rows: 1, features: dense))
        XCTAssertTrue(batcher.runsAlone(rows: 1, features: sparse))
        XCTAssertFalse(batcher.runsAlone(rows: 4, features: sparse + sparse + sparse + sparse))
        let unbatched = Batcher(predictor: model.predictor(), maxBatch: 1, maxDelay: .zero, cost: RequestCost(model: model)) { _ in }
        XCTAssertTrue(unbatched.runsAlone(rows: 1, features: dense))
    }
}
