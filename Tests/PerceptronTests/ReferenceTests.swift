import Foundation
import XCTest
import Perceptron
import PerceptronTestSupport

/// Matches Perceptron against numbers computed by PyTorch in float64
/// (Fixtures/reference/make_reference.py, torch 2.13, run by hand).
///
/// Tolerance 1e-5 relative to each tensor's largest magnitude: Perceptron computes in
/// float32 (unit roundoff 6e-8), and these networks are a few dozen operations deep, so
/// accumulated rounding stays well below 1e-5 of the tensor's scale.
final class ReferenceTests: XCTestCase {
    struct Fixture: Decodable {
        struct LayerSpec: Decodable { let activation: String; let weight: Matrix; let bias: Matrix; let l1: Float; let l2: Float }
        struct Parameters: Decodable { let weight: Matrix; let bias: Matrix }
        struct Case: Decodable {
            let name: String
            let layers: [LayerSpec]
            let x: Matrix
            let y: Matrix
            let loss: String
            let output: Matrix
            let lossValue: Float
            let gradients: [Parameters]
        }
        struct Batch: Decodable { let x: Matrix; let y: Matrix }
        struct OptimizerRun: Decodable {
            let name: String
            let optimizer: [String: OptimizerValue]
            let `case`: String
            let steps: [[Parameters]]
            let batches: [Batch]?
        }
        enum OptimizerValue: Decodable {
            case number(Float), flag(Bool), text(String)
            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let b = try? c.decode(Bool.self) { self = .flag(b) }
                else if let n = try? c.decode(Float.self) { self = .number(n) }
                else { self = .text(try c.decode(String.self)) }
            }
            var number: Float { if case .number(let n) = self { return n }; return 0 }
            var flag: Bool { if case .flag(let b) = self { return b }; return false }
            var text: String { if case .text(let s) = self { return s }; return "" }
        }
        let cases: [Case]
        let optimizers: [OptimizerRun]
    }

    static let tolerance: Float = 1e-5

    func loadFixture() throws -> Fixture {
        let url = try fixtureURL("reference/reference.json", bundle: .module)
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func makeModel(_ c: Fixture.Case) throws -> Sequential {
        let layers: [any Layer] = try c.layers.map { spec in
            guard let activation = Activation(rawValue: spec.activation) else { throw XCTSkip("unknown activation \(spec.activation)") }
            let regularizer = spec.l1 != 0 || spec.l2 != 0 ? Regularizer(l1: spec.l1, l2: spec.l2) : nil
            return Dense(spec.weight.columns, activation: activation, kernelRegularizer: regularizer)
        }
        let model = try Sequential(inputSize: c.x.columns, layers: layers, seed: 1)
        try model.compile(loss: try XCTUnwrap(Loss(rawValue: c.loss)), optimizer: SGD())
        try model.setWeights(c.layers.map { [$0.weight, $0.bias] })
        return model
    }

    func testForwardLossAndGradientsMatchPyTorch() throws {
        let fixture = try loadFixture()
        XCTAssertGreaterThanOrEqual(fixture.cases.count, 15)
        for c in fixture.cases {
            let model = try makeModel(c)
            let output = try model.predict(c.x)
            assertClose(output, c.output, tolerance: Self.tolerance, "output of \(c.name)")
            let (loss, gradients) = try model.lossAndGradients(c.x, c.y)
            assertClose(loss, c.lossValue, relative: Self.tolerance, "loss of \(c.name)")
            let evaluated = try model.evaluate(c.x, c.y)["loss"]!
            assertClose(evaluated, c.lossValue, relative: Self.tolerance, "evaluate() loss of \(c.name)")
            for (index, expected) in c.gradients.enumerated() {
                assertClose(gradients[index][0], expected.weight, tolerance: Self.tolerance, "∂L/∂W\(index) of \(c.name)")
                assertClose(gradients[index][1], expected.bias, tolerance: Self.tolerance, "∂L/∂b\(index) of \(c.name)")
            }
        }
    }

    func makeOptimizer(_ spec: [String: Fixture.OptimizerValue]) throws -> any Optimizer {
        let lr = spec["learningRate"]!.number
        switch spec["name"]!.text {
        case "sgd":
            return SGD(learningRate: lr, momentum: spec["momentum"]?.number ?? 0, nesterov: spec["nesterov"]?.flag ?? false,
                       weightDecay: spec["weightDecay"]?.number ?? 0)
        case "adagrad":
            return AdaGrad(learningRate: lr, epsilon: spec["epsilon"]!.number, initialAccumulator: spec["initialAccumulator"]!.number)
        case "rmsprop":
            return RMSProp(learningRate: lr, rho: spec["rho"]!.number, epsilon: spec["epsilon"]!.number, momentum: spec["momentum"]!.number)
        case "adam", "amsgrad":
            return Adam(learningRate: lr, beta1: spec["beta1"]!.number, beta2: spec["beta2"]!.number, epsilon: spec["epsilon"]!.number,
                        amsgrad: spec["name"]!.text == "amsgrad")
        case "adamw":
            return AdamW(learningRate: lr, beta1: spec["beta1"]!.number, beta2: spec["beta2"]!.number, epsilon: spec["epsilon"]!.number,
                         weightDecay: spec["weightDecay"]!.number)
        default:
            throw XCTSkip("unknown optimizer \(spec["name"]!.text)")
        }
    }

    func testThreeStepsOfEachOptimizerMatchPyTorch() throws {
        let fixture = try loadFixture()
        XCTAssertGreaterThanOrEqual(fixture.optimizers.count, 9)
        var names = Set<String>()
        for run in fixture.optimizers {
            let c = try XCTUnwrap(fixture.cases.first { $0.name == run.case })
            let model = try makeModel(c)
            try model.compile(loss: try XCTUnwrap(Loss(rawValue: c.loss)), optimizer: try makeOptimizer(run.optimizer))
            names.insert(run.optimizer["name"]!.text)
            for (step, expected) in run.steps.enumerated() {
                let batch = run.batches?[step]
                try model.trainOnBatch(batch?.x ?? c.x, batch?.y ?? c.y)
                for (index, parameters) in expected.enumerated() {
                    assertClose(model.weights[index][0], parameters.weight, tolerance: Self.tolerance, "\(run.name) step \(step + 1) W\(index)")
                    assertClose(model.weights[index][1], parameters.bias, tolerance: Self.tolerance, "\(run.name) step \(step + 1) b\(index)")
                }
            }
        }
        XCTAssertEqual(names, ["sgd", "adagrad", "rmsprop", "adam", "amsgrad", "adamw"])
    }
}
