import Foundation
import Perceptron
@testable import PerceptronONNX
import XCTest

/// An int8 model exports as integer ONNX operators holding the layer's own numbers: the int8
/// weights as an INT8 initializer, the scales and bias as floats, the calibrated input
/// quantization as QuantizeLinear's constants. (`.ci/onnx` runs these graphs in onnxruntime
/// and compares with Perceptron's predictions.)
final class ONNXQuantizedExportTests: XCTestCase {
    func quantizedModels() throws -> (dynamic: Sequential, calibrated: Sequential) {
        let model = try Sequential(inputSize: 5, layers: [Dense(7, activation: .relu), Dense(3, activation: .softmax)], seed: 8)
        try model.compile(loss: .sparseCategoricalCrossEntropy)
        var g = SeededGenerator(seed: 1)
        let x = Matrix(rows: 20, columns: 5, elements: (0..<100).map { _ in Float.random(in: -2...2, using: &g) })
        return (try model.quantized(), try model.quantized(activations: .calibrated(x)))
    }

    func testDynamicLayersUseDynamicQuantizeLinearAndMatMulInteger() throws {
        let model = try quantizedModels().dynamic
        let proto = try ONNXExport.modelProto(model, preprocessor: nil, task: .classification, classNames: ["a", "b", "c"],
                                              options: .init())
        let ops = proto.graph.node.map(\.opType)
        XCTAssertEqual(ops.filter { $0 == "DynamicQuantizeLinear" }.count, 2)
        XCTAssertEqual(ops.filter { $0 == "MatMulInteger" }.count, 2)
        XCTAssertFalse(ops.contains("Gemm"))
        let weight = try XCTUnwrap(proto.graph.initializer.first { $0.name == "layers.0.weight" })
        XCTAssertEqual(weight.dataType, Int32(Onnx_TensorProto.DataType.int8.rawValue))
        XCTAssertEqual(weight.dims, [5, 7])
        let layer = try XCTUnwrap(model.layers[0] as? QuantizedDense)
        XCTAssertEqual(weight.rawData.map { Int8(bitPattern: $0) }, layer.quantizedWeights)
        let scales = try XCTUnwrap(proto.graph.initializer.first { $0.name == "layers.0.weight_scale" })
        XCTAssertEqual(scales.dims, [7])
    }

    func testCalibratedLayersCarryTheirScaleAndZeroPoint() throws {
        let model = try quantizedModels().calibrated
        let proto = try ONNXExport.modelProto(model, preprocessor: nil, task: .classification, classNames: ["a", "b", "c"],
                                              options: .init())
        XCTAssertEqual(proto.graph.node.filter { $0.opType == "QuantizeLinear" }.count, 2)
        let layer = try XCTUnwrap(model.layers[1] as? QuantizedDense)
        let input = try XCTUnwrap(layer.calibratedInput)
        let zero = try XCTUnwrap(proto.graph.initializer.first { $0.name == "layers.1.input_zero_point" })
        XCTAssertEqual(zero.dataType, Int32(Onnx_TensorProto.DataType.uint8.rawValue))
        XCTAssertEqual(zero.rawData.first.map(Int32.init), input.zeroPoint)
        let scale = try XCTUnwrap(proto.graph.initializer.first { $0.name == "layers.1.input_scale" })
        XCTAssertEqual(scale.rawData.withUnsafeBytes { Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) },
                       input.scale)
    }
}
