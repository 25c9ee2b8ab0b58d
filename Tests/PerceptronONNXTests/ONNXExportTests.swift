import Foundation
import Perceptron
import PerceptronData
@testable import PerceptronONNX
import XCTest

/// Export → parse back with the generated protobuf types → the graph's structure and constants.
final class ONNXExportTests: XCTestCase {
    /// Seed 001's Titanic network with the bundled table's preprocessing.
    func titanic() throws -> (Sequential, Preprocessor) {
        let table = try Datasets.table("titanic")
        let preprocessor = try Preprocessor.fit(table, options: .titanic)
        let model = try Sequential(inputSize: preprocessor.featureCount, layers: [Dense(15, activation: .relu), Dense(1, activation: .sigmoid)], seed: 7)
        try model.compile(loss: .binaryCrossEntropy)
        return (model, preprocessor)
    }

    func parse(_ data: Data) throws -> Onnx_ModelProto { try Onnx_ModelProto(serializedBytes: data) }

    func testTitanicGraphTakesRawColumnsAndGivesProbabilities() throws {
        let (model, preprocessor) = try titanic()
        let data = try ONNXExport.serializedModel(model, preprocessor: preprocessor, task: .classification, classNames: ["0", "1"])
        let proto = try parse(data)
        XCTAssertEqual(proto.irVersion, 8)
        XCTAssertEqual(Set(proto.opsetImport.map { "\($0.domain):\($0.version)" }), [":17", "ai.onnx.ml:3"])
        let graph = proto.graph
        XCTAssertEqual(graph.input.map(\.name), ["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"])
        let stringType = Int32(Onnx_TensorProto.DataType.string.rawValue)
        let floatType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        XCTAssertEqual(graph.input.map(\.type.tensorType.elemType),
                       [floatType, stringType, floatType, floatType, floatType, floatType, stringType])
        XCTAssertEqual(graph.output.map(\.name), ["probabilities", "class_index"])
        XCTAssertEqual(graph.output[0].type.tensorType.shape.dim.map(\.dimValue), [0, 2])
        let ops = graph.node.map(\.opType)
        XCTAssertEqual(ops.filter { $0 == "OneHotEncoder" }.count, 2)
        XCTAssertTrue(graph.node.filter { $0.opType == "OneHotEncoder" }.allSatisfy { $0.domain == "ai.onnx.ml" })
        for op in ["Concat", "IsNaN", "Where", "Sub", "Div", "Relu", "Sigmoid", "ArgMax"] {
            XCTAssertTrue(ops.contains(op), "no \(op) node in \(ops)")
        }
        XCTAssertEqual(ops.filter { $0 == "Gemm" }.count, 2)
        // The Gemm nodes read our W (in × out, transB = 0) and b, bit for bit.
        let initializers = Dictionary(uniqueKeysWithValues: graph.initializer.map { ($0.name, $0) })
        for (i, layer) in model.layers.enumerated() {
            let weight = try XCTUnwrap(initializers["layers.\(i).weight"])
            XCTAssertEqual(weight.dims, [Int64(layer.parameters[0].rows), Int64(layer.parameters[0].columns)])
            XCTAssertEqual(try ONNXTensorReader.floats(weight, file: "t"), layer.parameters[0].elements)
            XCTAssertEqual(try ONNXTensorReader.floats(XCTUnwrap(initializers["layers.\(i).bias"]), file: "t"), layer.parameters[1].elements)
        }
        // Standardization constants in feature order; one-hot positions pass through (0, 1).
        let shift = try ONNXTensorReader.floats(XCTUnwrap(initializers["preprocessing.shift"]), file: "t")
        let scale = try ONNXTensorReader.floats(XCTUnwrap(initializers["preprocessing.scale"]), file: "t")
        let fill = try ONNXTensorReader.floats(XCTUnwrap(initializers["preprocessing.fill"]), file: "t")
        XCTAssertEqual(shift.count, preprocessor.featureCount)
        let age = try XCTUnwrap(preprocessor.columns.first { $0.name == "Age" })
        let ageIndex = try XCTUnwrap(preprocessor.featureNames.firstIndex(of: "Age"))
        XCTAssertEqual(shift[ageIndex], Float(age.shift))
        XCTAssertEqual(scale[ageIndex], Float(age.scale))
        XCTAssertEqual(fill[ageIndex], Float(age.fillValue))
        let male = try XCTUnwrap(preprocessor.featureNames.firstIndex(of: "Sex=male"))
        XCTAssertEqual([shift[male], scale[male]], [0, 1])
        // Missing Embarked ("") folds into the most frequent port's column.
        let encoder = try XCTUnwrap(graph.node.first { $0.opType == "OneHotEncoder" && $0.input == ["Embarked"] })
        let categories = encoder.attribute.first { $0.name == "cats_strings" }?.strings.map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(categories, ["C", "Q", "S", ""])
        let props = Dictionary(uniqueKeysWithValues: proto.metadataProps.map { ($0.key, $0.value) })
        XCTAssertEqual(props["class_names"], "[\"0\",\"1\"]")
        XCTAssertEqual(props["task"], "classification")
        XCTAssertNotNil(props["perceptron.preprocessing"])
    }

    func testOneHotInputModeUsesOnlyDefaultDomainOperators() throws {
        let (model, preprocessor) = try titanic()
        let proto = try ONNXExport.modelProto(model, preprocessor: preprocessor, task: .classification, classNames: ["0", "1"],
                                              options: .init(categoricalEncoding: .oneHotInput))
        XCTAssertEqual(proto.opsetImport.map(\.domain), [""])
        XCTAssertFalse(proto.graph.node.contains { $0.opType == "OneHotEncoder" })
        let sex = try XCTUnwrap(proto.graph.input.first { $0.name == "Sex" })
        XCTAssertEqual(sex.type.tensorType.elemType, Int32(Onnx_TensorProto.DataType.float.rawValue))
        XCTAssertEqual(sex.type.tensorType.shape.dim.last?.dimValue, 2)
        XCTAssertTrue(sex.docString.contains("\"female\", \"male\""), sex.docString)
    }

    func testEveryActivationHasAnONNXForm() throws {
        let expected: [Activation: [String]] = [
            .linear: [], .sigmoid: ["Sigmoid"], .tanh: ["Tanh"], .relu: ["Relu"], .leakyReLU: ["LeakyRelu"],
            .elu: ["Elu"], .softplus: ["Softplus"], .softmax: ["Softmax"], .gelu: ["Mul", "Erf", "Add", "Mul", "Mul"],
        ]
        XCTAssertEqual(Set(expected.keys), Set(Activation.allCases))
        for activation in Activation.allCases {
            var builder = ONNXGraphBuilder(name: "t")
            _ = try ONNXExport.emitActivation(activation, "z", layer: 0, into: &builder)
            XCTAssertEqual(builder.graph.node.map(\.opType), expected[activation], "\(activation)")
        }
        var builder = ONNXGraphBuilder(name: "t")
        _ = try ONNXExport.emitActivation(.leakyReLU, "z", layer: 0, into: &builder)
        XCTAssertEqual(builder.graph.node[0].attribute.first { $0.name == "alpha" }?.f, Activation.leakyReLUSlope)
    }

    func testRegressionHeadUndoesTargetStandardization() throws {
        var preprocessor = try Preprocessor.fit(try Datasets.table("diabetes"),
                                                options: .init(target: Datasets.targetColumn("diabetes"), task: .regression, standardizeTarget: true))
        preprocessor.target?.shift = 150
        preprocessor.target?.scale = 75
        let model = try Sequential(inputSize: preprocessor.featureCount, layers: [Dense(4, activation: .tanh), Dense(1)], seed: 3)
        let proto = try ONNXExport.modelProto(model, preprocessor: preprocessor, task: .regression, classNames: [],
                                              options: .init())
        XCTAssertEqual(proto.graph.output.map(\.name), ["prediction"])
        let initializers = Dictionary(uniqueKeysWithValues: proto.graph.initializer.map { ($0.name, $0) })
        XCTAssertEqual(try ONNXTensorReader.floats(XCTUnwrap(initializers["target.scale"]), file: "t"), [75])
        XCTAssertEqual(try ONNXTensorReader.floats(XCTUnwrap(initializers["target.shift"]), file: "t"), [150])
    }

    func testNetworkOnlyExportImportsBackToTheSamePredictions() throws {
        let model = try Sequential(inputSize: 5, layers: [
            Dense(7, activation: .gelu), Dropout(0.3), Dense(6, activation: .leakyReLU, useBias: false),
            Dense(4, activation: .elu), Dense(3, activation: .softplus), Dense(3, activation: .softmax),
        ], seed: 9)
        let data = try ONNXExport.serializedModel(model, preprocessor: nil, task: .classification, classNames: ["a", "b", "c"],
                                                  options: .init(networkOnly: true))
        XCTAssertEqual(try parse(data).graph.node.filter { $0.opType == "MatMul" }.count, 1, "the bias-free layer is a MatMul")
        // GELU is exported as Erf arithmetic, which the importer does not reassemble: refused by name.
        XCTAssertThrowsError(try ONNXImport.convert(data, file: "gelu.onnx")) { error in
            guard case ONNXError.unsupportedOperator(_, "Mul", _)? = error as? ONNXError else { return XCTFail("\(error)") }
        }
        let plain = try Sequential(inputSize: 5, layers: [
            Dense(7, activation: .tanh), Dropout(0.3), Dense(6, activation: .leakyReLU, useBias: false),
            Dense(4, activation: .elu), Dense(3, activation: .softplus), Dense(3, activation: .softmax),
        ], seed: 9)
        let imported = try ONNXImport.convert(
            try ONNXExport.serializedModel(plain, preprocessor: nil, task: .classification, classNames: ["a", "b", "c"],
                                           options: .init(networkOnly: true)), file: "plain.onnx")
        XCTAssertEqual(imported.model.layers.count, 5, "the dropout layer is not exported")
        XCTAssertEqual(imported.task, .classification)
        var generator = SeededGenerator(seed: 1)
        let x = Matrix(rows: 9, columns: 5, elements: (0..<45).map { _ in Float.random(in: -2...2, using: &generator) })
        // The same float32 weights through the same kernels: identical outputs.
        XCTAssertEqual(try imported.model.predict(x).elements, try plain.predict(x).elements)
    }
}
