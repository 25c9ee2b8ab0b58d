import Foundation
import Perceptron
@testable import PerceptronONNX
import XCTest

/// What the importer refuses, and how: a typed ``ONNXError`` naming the operator or the
/// tensor, never a crash, for unsupported graphs and for damaged or forged files.
final class ONNXImportRefusalTests: XCTestCase {
    static let float = Int32(Onnx_TensorProto.DataType.float.rawValue)

    func tensor(_ name: String, dims: [Int64], values: [Float]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dataType = Self.float
        t.dims = dims
        t.floatData = values
        return t
    }

    func valueInfo(_ name: String, width: Int64) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType.elemType = Self.float
        var n = Onnx_TensorShapeProto.Dimension()
        n.dimParam = "N"
        var k = Onnx_TensorShapeProto.Dimension()
        k.dimValue = width
        info.type.tensorType.shape.dim = [n, k]
        return info
    }

    func node(_ op: String, _ inputs: [String], _ output: String, domain: String = "",
              attributes: [Onnx_AttributeProto] = []) -> Onnx_NodeProto {
        var n = Onnx_NodeProto()
        n.opType = op
        n.domain = domain
        n.name = "\(op)_node"
        n.input = inputs
        n.output = [output]
        n.attribute = attributes
        return n
    }

    /// x [N, 2] → Gemm(W 2×3, b 3) → `then` nodes → the last node's output.
    func model(then nodes: [Onnx_NodeProto], weight: Onnx_TensorProto? = nil) -> Onnx_ModelProto {
        var graph = Onnx_GraphProto()
        graph.input = [valueInfo("x", width: 2)]
        graph.initializer = [weight ?? tensor("W", dims: [2, 3], values: [1, 2, 3, 4, 5, 6]), tensor("b", dims: [3], values: [0, 0, 1])]
        graph.node = [node("Gemm", ["x", "W", "b"], "z")] + nodes
        graph.output = [valueInfo(nodes.last?.output.first ?? "z", width: 3)]
        var m = Onnx_ModelProto()
        m.irVersion = 8
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        m.opsetImport = [opset]
        m.graph = graph
        return m
    }

    func assertRefused(_ proto: Onnx_ModelProto, _ check: (ONNXError) -> Bool, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ONNXImport.convert(proto.serializedData(), file: "m.onnx"), file: file, line: line) { error in
            guard let error = error as? ONNXError else { return XCTFail("not an ONNXError: \(error)", file: file, line: line) }
            XCTAssertTrue(check(error), "\(error)", file: file, line: line)
        }
    }

    func testTheBaseGraphImports() throws {
        let imported = try ONNXImport.convert(model(then: [node("Relu", ["z"], "a")]).serializedData(), file: "m.onnx")
        // [1, 1]·[[1, 2, 3], [4, 5, 6]] + [0, 0, 1] = [5, 7, 9] + [0, 0, 1], then ReLU.
        XCTAssertEqual(try imported.model.predict(Matrix([[1, 1]])).elements, [5, 7, 10])
    }

    func testUnsupportedOperatorIsNamed() {
        assertRefused(model(then: [node("HardSwish", ["z"], "a")])) {
            if case let .unsupportedOperator(_, op, _) = $0 { return op == "HardSwish" } else { return false }
        }
        assertRefused(model(then: [node("FusedGemm", ["z"], "a", domain: "com.microsoft")])) {
            if case let .unsupportedOperator(_, op, _) = $0 { return op == "com.microsoft.FusedGemm" } else { return false }
        }
        XCTAssertTrue(ONNXError.unsupportedOperator(file: "m.onnx", op: "Conv", node: "c").description.contains("Conv"))
    }

    func testAttributesPerceptronCannotExpressAreRefused() {
        var alpha = Onnx_AttributeProto()
        alpha.name = "alpha"
        alpha.type = .float
        alpha.f = 0.2
        assertRefused(model(then: [node("LeakyRelu", ["z"], "a", attributes: [alpha])])) {
            if case let .unsupportedUse(_, op, _, reason) = $0 { return op == "LeakyRelu" && reason.contains("0.2") } else { return false }
        }
        assertRefused(model(then: [node("Relu", ["z"], "a"), node("Tanh", ["a"], "t")])) {
            if case let .unsupportedUse(_, op, _, _) = $0 { return op == "Tanh" } else { return false }
        }
    }

    func testBranchingGraphsAreRefused() {
        assertRefused(model(then: [node("Relu", ["z"], "a"), node("Add", ["a", "z"], "s")])) {
            if case .unsupportedGraph = $0 { return true } else { return false }
        }
        var twoInputs = model(then: [])
        twoInputs.graph.input.append(valueInfo("y", width: 2))
        assertRefused(twoInputs) { if case .unsupportedGraph = $0 { return true } else { return false } }
    }

    func testForgedTensorSizesAreCheckedBeforeAllocating() {
        // dims claim 2^40 elements; float_data holds 6.
        assertRefused(model(then: [], weight: tensor("W", dims: [1 << 20, 1 << 20], values: [1, 2, 3, 4, 5, 6]))) {
            if case let .invalidTensor(_, name, _) = $0 { return name == "W" } else { return false }
        }
        // dims whose product overflows Int64.
        assertRefused(model(then: [], weight: tensor("W", dims: [Int64.max, 3], values: []))) {
            if case .invalidTensor = $0 { return true } else { return false }
        }
        assertRefused(model(then: [], weight: tensor("W", dims: [-2, -3], values: [1, 2, 3, 4, 5, 6]))) {
            if case .invalidTensor = $0 { return true } else { return false }
        }
        // raw_data of the wrong length for the dims.
        var raw = tensor("W", dims: [2, 3], values: [])
        raw.rawData = Data(repeating: 0, count: 23)
        assertRefused(model(then: [], weight: raw)) {
            if case let .invalidTensor(_, _, reason) = $0 { return reason.contains("23 bytes") } else { return false }
        }
        assertRefused(model(then: [], weight: tensor("W", dims: [2, 3], values: [1, 2, .nan, 4, 5, 6]))) {
            if case let .invalidTensor(_, _, reason) = $0 { return reason.contains("non-finite") } else { return false }
        }
        var external = tensor("W", dims: [2, 3], values: [])
        external.dataLocation = .external
        assertRefused(model(then: [], weight: external)) {
            if case let .invalidTensor(_, _, reason) = $0 { return reason.contains("external") } else { return false }
        }
    }

    func testTruncatedAndGarbageFilesThrowTypedErrors() throws {
        let root = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let bytes = try Data(contentsOf: root.appendingPathComponent("torch_mlp.onnx"))
        XCTAssertThrowsError(try ONNXImport.convert(Data(), file: "empty.onnx")) { XCTAssertTrue($0 is ONNXError) }
        // Every prefix (in steps) and single-byte corruptions: an ONNXError or a valid
        // model, never a crash or another error type.
        var outcomes = (errors: 0, models: 0)
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 200)) {
            do {
                _ = try ONNXImport.convert(bytes.prefix(length), file: "cut.onnx")
                outcomes.models += 1
            } catch is ONNXError {
                outcomes.errors += 1
            }
        }
        XCTAssertGreaterThan(outcomes.errors, 0)
        var generator = SeededGenerator(seed: 17)
        for _ in 0..<300 {
            var damaged = bytes
            let i = Int.random(in: 0..<damaged.count, using: &generator)
            damaged[i] = UInt8.random(in: 0...255, using: &generator)
            do { _ = try ONNXImport.convert(damaged, file: "flip.onnx") } catch is ONNXError {}
        }
        let garbage = Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
        XCTAssertThrowsError(try ONNXImport.convert(garbage, file: "garbage.onnx")) { XCTAssertTrue($0 is ONNXError) }
        XCTAssertThrowsError(try ONNXImport.read(from: URL(fileURLWithPath: "/nonexistent/model.onnx"))) {
            guard case .unreadable? = $0 as? ONNXError else { return XCTFail("\($0)") }
        }
    }
}
