import Foundation
import Perceptron
@testable import PerceptronONNX
import XCTest

/// Constants that are finite in the file but not once folded into a layer (a Gemm's alpha
/// or beta, an Add summed into the bias, a normalization's γ/√(σ² + ε)) are refused with
/// the node named: imported, they made every prediction NaN or ±inf.
extension ONNXImportRefusalTests {
    func floatAttribute(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .float
        a.f = value
        return a
    }

    /// The base model with its Gemm's attributes replaced.
    func model(gemmAttributes: [Onnx_AttributeProto], then nodes: [Onnx_NodeProto] = []) -> Onnx_ModelProto {
        var m = model(then: nodes)
        m.graph.node[0].attribute = gemmAttributes
        return m
    }

    func assertNonFinite(_ proto: Onnx_ModelProto, op: String, mentioning text: String, file: StaticString = #filePath, line: UInt = #line) {
        assertRefused(proto, {
            if case let .nonFiniteValue(_, o, node, reason) = $0 { return o == op && node == "\(op)_node" && reason.contains(text) }
            return false
        }, file: file, line: line)
    }

    func testGemmAlphaOrBetaOverflowingIsRefused() throws {
        // W holds 1…6: alpha 1e38 makes 4e38 … 6e38, past Float's 3.4e38.
        assertNonFinite(model(gemmAttributes: [floatAttribute("alpha", 1e38)]), op: "Gemm", mentioning: "alpha")
        // beta = inf times the bias's zeros is NaN.
        assertNonFinite(model(gemmAttributes: [floatAttribute("beta", .infinity)]), op: "Gemm", mentioning: "beta")
        // In range, the same attributes import and scale as ONNX says: [1, 1]·(2W) + 3b.
        let scaled = try ONNXImport.convert(model(gemmAttributes: [floatAttribute("alpha", 2), floatAttribute("beta", 3)]).serializedData(),
                                            file: "m.onnx")
        XCTAssertEqual(try scaled.model.predict(Matrix([[1, 1]])).elements, [10, 14, 21])
    }

    func testBiasSumOverflowingIsRefused() {
        // Gemm bias [0, 0, 1] × 2e38, plus an Add of 2e38 each: 4e38 in the last unit.
        let add = node("Add", ["z", "c"], "y")
        var m = model(gemmAttributes: [floatAttribute("beta", 2e38)], then: [add])
        m.graph.initializer.append(tensor("c", dims: [3], values: [2e38, 2e38, 2e38]))
        assertNonFinite(m, op: "Add", mentioning: "bias")
    }

    func testNormalizationWithAnInfiniteScaleOrEpsilonIsRefused() {
        // A zero running variance with ε = 0: γ/√0 is infinite.
        var bn = model(then: [node("BatchNormalization", ["z", "g", "be", "mu", "var"], "n", attributes: [floatAttribute("epsilon", 0)])])
        bn.graph.initializer += [tensor("g", dims: [3], values: [1, 1, 1]), tensor("be", dims: [3], values: [0, 0, 0]),
                                 tensor("mu", dims: [3], values: [0, 0, 0]), tensor("var", dims: [3], values: [1, 0, 1])]
        assertNonFinite(bn, op: "BatchNormalization", mentioning: "scale")
        var nanEpsilon = bn
        nanEpsilon.graph.node[1].attribute = [floatAttribute("epsilon", .nan)]
        assertNonFinite(nanEpsilon, op: "BatchNormalization", mentioning: "epsilon")
        var ln = model(then: [node("LayerNormalization", ["z", "g"], "n", attributes: [floatAttribute("epsilon", -1)])])
        ln.graph.initializer.append(tensor("g", dims: [3], values: [1, 1, 1]))
        assertNonFinite(ln, op: "LayerNormalization", mentioning: "epsilon")
    }
}
