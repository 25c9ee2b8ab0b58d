import Foundation
import XCTest
import Perceptron
import PerceptronTestSupport

/// BatchNormalization and LayerNormalization: gradients by finite differences in training
/// and inference mode, running statistics as buffers, summary counts, save and load.
final class NormalizationLayerTests: XCTestCase {
    /// A random batch and a fixed random projection r, so L = Σ r ⊙ y has ∂L/∂y = r.
    func batch(_ rows: Int, _ columns: Int, seed: UInt64) -> (x: Matrix, r: Matrix) {
        var g = SeededGenerator(seed: seed)
        let x = Matrix(rows: rows, columns: columns, elements: (0..<rows * columns).map { _ in Float(g.nextNormal()) * 2 + 0.5 })
        let r = Matrix(rows: rows, columns: columns, elements: (0..<rows * columns).map { _ in Float(g.nextNormal()) })
        return (x, r)
    }

    func projection(_ y: Matrix, _ r: Matrix) -> Float {
        var total: Double = 0
        for i in 0..<y.count { total += Double(y.elements[i]) * Double(r.elements[i]) }
        return Float(total)
    }

    /// Checks ∂L/∂x, ∂L/∂γ and ∂L/∂β of `layer` against central differences of L = Σ r ⊙ y.
    /// Tolerance 2e-3 of each gradient's largest entry: L is a float32 sum of ~40 terms of
    /// order 1 (roundoff ≈ 1e-6 over 2h = 2e-3 gives ≈ 5e-4), and the normalizations are
    /// smooth (truncation h²·L‴/6 ≲ 1e-5 with σ well above h).
    func checkGradients<L: Layer>(_ make: () -> L, training: Bool, seed: UInt64) throws {
        let (x, r) = batch(6, 4, seed: seed)
        var generator = SeededGenerator(seed: 1)
        var layer = make()
        try layer.build(inputSize: 4, generator: &generator)
        // Non-trivial γ, β, and (for inference) running statistics away from their start.
        layer.parameters = [Matrix([[1.5, -0.7, 0.9, 2.0]]), Matrix([[0.1, 0.2, -0.3, 0.4]])]
        if !layer.buffers.isEmpty { layer.buffers = [Matrix([[0.3, -0.2, 0.6, 0.1]]), Matrix([[2.0, 0.5, 1.5, 3.0]])] }
        let start = layer
        func loss(_ probe: L, _ input: Matrix) -> Float {
            var copy = probe
            var g = SeededGenerator(seed: 2)
            copy.forward(input, training: training, generator: &g)
            return projection(copy.output, r)
        }
        var g = SeededGenerator(seed: 2)
        layer.forward(x, training: training, generator: &g)
        layer.backward(input: x, outputGradient: r, needsInputGradient: true)
        var analytic: [Matrix] = []
        layer.visitParameters { _, _, gradient in analytic.append(gradient) }
        let h: Float = 1e-3
        assertClose(layer.inputGradient, numericalGradient(of: { loss(start, $0) }, at: x, step: h), tolerance: 2e-3,
                    "\(L.self) ∂L/∂x, training \(training)")
        for p in 0..<2 {
            let numeric = numericalGradient(of: { probe in
                var changed = start
                changed.parameters[p] = probe
                return loss(changed, x)
            }, at: start.parameters[p], step: h)
            assertClose(analytic[p], numeric, tolerance: 2e-3, "\(L.self) \(start.parameterNames[p]), training \(training)")
        }
    }

    func testBatchNormalizationGradients() throws {
        try checkGradients({ BatchNormalization() }, training: true, seed: 11)
        try checkGradients({ BatchNormalization() }, training: false, seed: 12)
    }

    func testLayerNormalizationGradients() throws {
        try checkGradients({ LayerNormalization() }, training: true, seed: 13)
        try checkGradients({ LayerNormalization() }, training: false, seed: 14)
    }

    /// Training normalizes with the batch's statistics and moves the running ones by
    /// Keras's momentum; inference normalizes with the running ones.
    func testBatchNormalizationStatistics() throws {
        let x = Matrix([[1, 10], [3, 20], [5, 60]])
        var layer = BatchNormalization()
        var g = SeededGenerator(seed: 1)
        try layer.build(inputSize: 2, generator: &g)
        XCTAssertEqual(layer.momentum, 0.99)
        XCTAssertEqual(layer.epsilon, 1e-3)
        layer.forward(x, training: true, generator: &g)
        // Column 0: mean 3, biased variance 8/3.
        XCTAssertEqual(layer.output[0, 0], (1 - 3) / (8 / 3 + 1e-3 as Float).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(layer.movingMean[0, 0], 0.01 * 3, accuracy: 1e-7)
        XCTAssertEqual(layer.movingVariance[0, 0], 0.99 + 0.01 * 8 / 3, accuracy: 1e-6)
        XCTAssertEqual(layer.movingMean[0, 1], 0.01 * 30, accuracy: 1e-6)
        layer.forward(x, training: false, generator: &g)
        XCTAssertEqual(layer.output[0, 0], (1 - layer.movingMean[0, 0]) / (layer.movingVariance[0, 0] + 1e-3).squareRoot(), accuracy: 1e-6)
    }

    /// Buffers are state, not parameters: the optimizer (with weight decay) never sees them,
    /// the summary counts them as non-trainable, and a model file keeps them.
    func testBuffersAreSavedButNeverOptimized() throws {
        let (x, _) = batch(32, 3, seed: 21)
        let y = Matrix(column: (0..<32).map { Float($0 % 2) })
        let model = try Sequential(inputSize: 3, layers: [
            Dense(5, activation: .relu), BatchNormalization(), LayerNormalization(), Dense(1, activation: .sigmoid),
        ], seed: 3)
        try model.compile(loss: .binaryCrossEntropy, optimizer: AdamW(learningRate: 0.01, weightDecay: 0.5))
        try model.fit(x, y, epochs: 3, batchSize: 8)
        // 4 batches × 3 epochs of momentum 0.99 from (0, 1): away from the start, not decayed towards 0.
        let moving = model.buffers[1]
        XCTAssertEqual(model.layers[1].bufferNames, ["moving_mean", "moving_variance"])
        XCTAssertTrue(moving[0].elements.contains { $0 != 0 })
        XCTAssertTrue(moving[1].elements.allSatisfy { $0 > 0 })
        XCTAssertEqual(model.parameterCount, 3 * 5 + 5 + 2 * 5 + 2 * 5 + 5 + 1)
        XCTAssertEqual(model.nonTrainableParameterCount, 10)
        let summary = model.summary()
        XCTAssertTrue(summary.contains("Non-trainable params: 10"), summary)
        XCTAssertTrue(summary.contains("Total params: \(model.parameterCount + 10)"), summary)
        // One more step moves the running statistics only by the layer's own rule.
        let before = model.buffers[1]
        let (mean, variance) = columnStatistics(of: try hiddenActivations(model, x))
        try model.trainOnBatch(x, y)
        for j in 0..<5 {
            XCTAssertEqual(model.buffers[1][0][0, j], 0.99 * before[0][0, j] + 0.01 * mean[j], accuracy: 1e-5)
            XCTAssertEqual(model.buffers[1][1][0, j], 0.99 * before[1][0, j] + 0.01 * variance[j], accuracy: 1e-4)
        }

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("NormalizationLayerTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("bn.safetensors")
        try ModelFile.save(model, to: url)
        let names = Set(try SafeTensors.read(from: url).tensors.keys)
        XCTAssertTrue(names.isSuperset(of: ["layers.1.gamma", "layers.1.beta", "layers.1.moving_mean", "layers.1.moving_variance",
                                            "layers.2.gamma", "layers.2.beta"]), "\(names)")
        let loaded = try ModelFile.load(from: url)
        XCTAssertEqual(loaded.model.buffers, model.buffers)
        XCTAssertEqual(try loaded.model.predict(x), try model.predict(x))
        XCTAssertEqual(loaded.model.layers.map(\.typeName), ["Dense", "BatchNormalization", "LayerNormalization", "Dense"])
    }

    /// The first Dense layer's output on `x` (the BatchNormalization layer's input).
    func hiddenActivations(_ model: Sequential, _ x: Matrix) throws -> Matrix {
        var dense = model.layers[0]
        var g = SeededGenerator(seed: 0)
        dense.forward(x, training: true, generator: &g)
        return dense.output
    }

    func columnStatistics(of a: Matrix) -> (mean: [Float], variance: [Float]) {
        var mean = [Float](repeating: 0, count: a.columns), variance = mean
        for j in 0..<a.columns {
            let column = (0..<a.rows).map { Double(a[$0, j]) }
            let m = column.reduce(0, +) / Double(a.rows)
            mean[j] = Float(m)
            variance[j] = Float(column.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(a.rows))
        }
        return (mean, variance)
    }

    func testInvalidSettingsThrow() {
        XCTAssertThrowsError(try Sequential(inputSize: 2, layers: [BatchNormalization(momentum: 1)]))
        XCTAssertThrowsError(try Sequential(inputSize: 2, layers: [LayerNormalization(epsilon: 0)]))
    }
}
