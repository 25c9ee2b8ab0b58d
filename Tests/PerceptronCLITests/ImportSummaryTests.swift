import Perceptron
@testable import PerceptronCLI
import XCTest

/// `perceptron import`'s one-line summary counts each kind of layer as what it is: a model
/// with normalization layers is not "N dense layers".
final class ImportSummaryTests: XCTestCase {
    func testLayerSummaryNamesEachKind() throws {
        let model = try Sequential(inputSize: 4, layers: [Dense(8, activation: .relu), BatchNormalization(), Dense(6, activation: .tanh),
                                                          LayerNormalization(), Dense(3, activation: .softmax)], seed: 1)
        XCTAssertEqual(ImportCommand.layerSummary(model), "5 layers: 3 Dense, 1 BatchNormalization, 1 LayerNormalization")
        let single = try Sequential(inputSize: 2, layers: [Dense(1)], seed: 1)
        XCTAssertEqual(ImportCommand.layerSummary(single), "1 layer: 1 Dense")
    }
}
