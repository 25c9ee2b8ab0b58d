import XCTest
@testable import Perceptron

/// The memory estimate's arithmetic, term by term, on a network small enough to count by hand.
final class TrainingMemoryEstimateTests: XCTestCase {
    func testTermsOfASmallNetwork() {
        // 3 → Dense(4) → Dropout → Dense(2): P = (3·4 + 4) + (4·2 + 2) = 26 floats.
        let layers: [LayerConfiguration] = [Dense(4).configuration, Dropout(0.5).configuration, Dense(2).configuration]
        let estimate = TrainingMemoryEstimate(inputSize: 3, layers: layers, batchSize: 10, inferenceRows: 5, optimizerSlots: 2)
        XCTAssertEqual(estimate.weights, 2 * 4 * 26)
        XCTAssertEqual(estimate.gradients, 4 * 26)
        XCTAssertEqual(estimate.optimizerState, 2 * 4 * 26)
        // Training per row: (3·4 + 3) + (3·4 + 4) + (3·2 + 4) = 41 floats; inference: 2·(4 + 4 + 2) = 20.
        XCTAssertEqual(estimate.activations, 4 * max(10 * 41, 5 * 20))
        XCTAssertEqual(estimate.total, 208 + 104 + 208 + 1640)
        // Inference dominates when it runs many more rows than a batch.
        XCTAssertEqual(TrainingMemoryEstimate(inputSize: 3, layers: layers, batchSize: 1, inferenceRows: 1000, optimizerSlots: 0).activations,
                       4 * 1000 * 20)
    }

    /// A Dense layer of ≥ 256 units on ≥ 64 inputs, trained at a batch of ≥ 64, may copy its
    /// input without the zero columns and W and ∂L/∂W with them (ZeroColumnSkipping): counted
    /// at their largest, B·in + 2·in·out floats; narrower layers and smaller batches copy nothing.
    func testZeroColumnCopiesOfWideLayers() {
        let layers: [any LayerConfiguration] = [Dense(512).configuration, Dense(128).configuration, Dense(10).configuration]
        let estimate = TrainingMemoryEstimate(inputSize: 784, layers: layers, batchSize: 1000, inferenceRows: 10, optimizerSlots: 2)
        XCTAssertEqual(estimate.zeroColumnCopies, 4 * (1000 * 784 + 2 * 784 * 512))
        XCTAssertEqual(estimate.total, estimate.weights + estimate.gradients + estimate.optimizerState
                       + estimate.activations + estimate.zeroColumnCopies)
        XCTAssertEqual(TrainingMemoryEstimate(inputSize: 784, layers: layers, batchSize: 32, inferenceRows: 10,
                                              optimizerSlots: 2).zeroColumnCopies, 0)
        XCTAssertEqual(TrainingMemoryEstimate(inputSize: 784, layers: [Dense(128).configuration], batchSize: 1000,
                                              inferenceRows: 10, optimizerSlots: 2).zeroColumnCopies, 0)
    }

    func testSizesThatOverflowIntStayFinite() {
        let estimate = TrainingMemoryEstimate(inputSize: 1 << 40, layers: [Dense(1 << 40).configuration], batchSize: 1 << 30,
                                              inferenceRows: 16_384, optimizerSlots: 3)
        XCTAssertTrue(estimate.total.isFinite)
        XCTAssertGreaterThan(estimate.weights, Double(Int.max))
    }
}
