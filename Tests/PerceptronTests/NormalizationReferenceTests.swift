import Foundation
import XCTest
import Perceptron
import PerceptronTestSupport

/// BatchNormalization and LayerNormalization against PyTorch in float64
/// (Fixtures/reference/make_normalization_reference.py, torch 2.13.0+cpu, run by hand).
///
/// Tolerance 1e-5 of each tensor's largest magnitude, as ``ReferenceTests``: float32 through
/// a network a few dozen operations deep; the normalizations divide by √(σ² + ε) with σ²
/// of order 0.1–1, which amplifies rounding by at most a few times.
final class NormalizationReferenceTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let name: String
            let layer: String
            let training: Bool
            let momentum: Float
            let epsilon: Float
            let x: Matrix
            let y: Matrix
            let parameters: [String: Matrix]
            let output: Matrix
            let lossValue: Float
            let gradients: [String: Matrix]
            let movingMeanBefore: Matrix?
            let movingVarianceBefore: Matrix?
            let movingMeanAfter: Matrix?
            let movingVarianceAfter: Matrix?
        }
        let cases: [Case]
    }

    func testMatchesPyTorch() throws {
        let url = try fixtureURL("reference/normalization.json", bundle: .module)
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        XCTAssertEqual(fixture.cases.count, 4)
        for c in fixture.cases {
            let norm: any Layer = c.layer == "batchNormalization"
                ? BatchNormalization(momentum: c.momentum, epsilon: c.epsilon) : LayerNormalization(epsilon: c.epsilon)
            let model = try Sequential(inputSize: 4, layers: [Dense(5, activation: .tanh), norm, Dense(3, activation: .softmax)], seed: 1)
            try model.compile(loss: .categoricalCrossEntropy)
            let p = c.parameters
            try model.setWeights([[p["w1"]!, p["b1"]!], [p["gamma"]!, p["beta"]!], [p["w2"]!, p["b2"]!]])
            if let mean = c.movingMeanBefore, let variance = c.movingVarianceBefore {
                try model.setBuffers([[], [mean, variance], []])
            }
            let (loss, gradients) = try model.lossAndGradients(c.x, c.y, training: c.training)
            assertClose(loss, c.lossValue, relative: 1e-5, c.name)
            assertClose(model.layers[2].output, c.output, tolerance: 1e-5, c.name)
            let g = c.gradients
            for (layer, names) in [(0, ["w1", "b1"]), (1, ["gamma", "beta"]), (2, ["w2", "b2"])] {
                for (k, name) in names.enumerated() {
                    assertClose(gradients[layer][k], g[name]!, tolerance: 1e-5, "\(c.name) ∂L/∂\(name)")
                }
            }
            if let mean = c.movingMeanAfter, let variance = c.movingVarianceAfter {
                assertClose(model.buffers[1][0], mean, tolerance: 1e-5, "\(c.name) moving mean")
                assertClose(model.buffers[1][1], variance, tolerance: 1e-5, "\(c.name) moving variance")
            }
        }
    }
}
