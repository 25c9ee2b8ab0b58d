import ArgumentParser
import Perceptron
import XCTest
@testable import PerceptronCLI

/// `--layers 64:relu,dropout:0.2,32:tanh`, plain widths with `--activation`, softmax refused.
final class LayerSpecTests: XCTestCase {
    func train(_ arguments: [String]) throws -> Train {
        try XCTUnwrap(try PerceptronCommand.parseAsRoot(["train"] + arguments) as? Train)
    }

    func testParsesWidthsActivationsAndDropout() throws {
        XCTAssertEqual(try LayerSpec.parse("64:relu,dropout:0.2,32:tanh"),
                       [.dense(units: 64, activation: .relu), .dropout(rate: 0.2), .dense(units: 32, activation: .tanh)])
        XCTAssertEqual(try LayerSpec.parse("16, 8"), [.dense(units: 16, activation: nil), .dense(units: 8, activation: nil)])
        XCTAssertEqual(try LayerSpec.parse("8:leaky-relu"), [.dense(units: 8, activation: .leakyReLU)])
        XCTAssertEqual(try LayerSpec.parse("none"), [])
        XCTAssertEqual(try LayerSpec.parse("32,batchnorm,16:tanh,layer_normalization"),
                       [.dense(units: 32, activation: nil), .batchNormalization, .dense(units: 16, activation: .tanh), .layerNormalization])
        let layers = LayerSpec.layers(try LayerSpec.parse("8,batchnorm,layernorm"), defaultActivation: .relu, regularizer: nil)
        XCTAssertEqual(layers.map(\.typeName), ["Dense", "BatchNormalization", "LayerNormalization"])
        for bad in ["64,x", "64,0", "dropout:1", "dropout", "8:swish", "8:relu:2"] {
            XCTAssertThrowsError(try LayerSpec.parse(bad), bad)
        }
    }

    func testSoftmaxHiddenLayerIsRefusedWithAReason() {
        for arguments in [["--layers", "8:softmax"], ["--activation", "softmax"], ["--layers", "8", "--activation", "softmax"]] {
            XCTAssertThrowsError(try PerceptronCommand.parseAsRoot(["train"] + arguments)) { error in
                let message = PerceptronCommand.message(for: error)
                XCTAssertTrue(message.contains("softmax cannot be a hidden layer"), message)
            }
        }
        // Softmax for --activation is fine when every layer names its own.
        XCTAssertNoThrow(try PerceptronCommand.parseAsRoot(["train", "--layers", "8:tanh", "--activation", "softmax"]))
    }

    func testNetworkFollowsTheSpec() throws {
        let options = try train(["--layers", "12:tanh,dropout:0.25,6", "--activation", "elu", "--l2", "0.001", "--dropout", "0.1"])
        let layers = try options.network.libraryHiddenLayers(defaultUnits: 100)
        XCTAssertEqual(layers.map(\.typeName), ["Dense", "Dropout", "Dense", "Dropout"])
        let first = try XCTUnwrap(layers[0] as? Dense)
        XCTAssertEqual(first.units, 12)
        XCTAssertEqual(first.activation, .tanh)
        XCTAssertEqual(first.kernelRegularizer, Regularizer(l2: 0.001))
        XCTAssertEqual((layers[1] as? Dropout)?.rate, 0.25, "the explicit dropout, not a second one from --dropout")
        XCTAssertEqual((layers[3] as? Dropout)?.rate, 0.1)
        let last = try XCTUnwrap(layers[2] as? Dense)
        XCTAssertEqual(last.units, 6)
        XCTAssertEqual(last.activation, .elu)
        XCTAssertEqual(try train([]).network.hiddenWidths(), [15])
        XCTAssertEqual(try train(["--layers", "16,8"]).network.hiddenWidths(), [16, 8])
    }
}
