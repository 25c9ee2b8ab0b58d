import Foundation
import SwiftProtobuf

/// Appends nodes, constants, inputs and outputs to an ONNX graph, giving each value a
/// unique name. The exporter's converters use it one layer at a time.
struct ONNXGraphBuilder {
    private(set) var graph = Onnx_GraphProto()
    private var counter = 0

    init(name: String) { graph.name = name }

    /// A fresh value name with a readable stem ("layers.0.z_3").
    mutating func fresh(_ stem: String) -> String {
        counter += 1
        return "\(stem)_\(counter)"
    }

    /// Adds `opType(inputs) → one output` and returns the output's name.
    @discardableResult
    mutating func node(_ opType: String, _ inputs: [String], output stem: String, domain: String = "",
                       attributes: [Onnx_AttributeProto] = [], named name: String? = nil) -> String {
        let output = name ?? fresh(stem)
        var node = Onnx_NodeProto()
        node.opType = opType
        node.domain = domain
        node.name = fresh(opType)
        node.input = inputs
        node.output = [output]
        node.attribute = attributes
        graph.node.append(node)
        return output
    }

    /// Adds a float constant (an initializer) of `shape` and returns its name.
    @discardableResult
    mutating func constant(_ name: String, shape: [Int], values: [Float]) -> String {
        precondition(shape.reduce(1, *) == values.count, "constant \(name): shape \(shape) holds \(shape.reduce(1, *)) values, got \(values.count)")
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.dims = shape.map(Int64.init)
        // raw_data is little-endian IEEE 754, the layout ONNX specifies.
        var data = Data(capacity: values.count * 4)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        tensor.rawData = data
        graph.initializer.append(tensor)
        return name
    }

    /// Adds an int8 constant (quantized weights) and returns its name.
    @discardableResult
    mutating func int8Constant(_ name: String, shape: [Int], values: [Int8]) -> String {
        precondition(shape.reduce(1, *) == values.count, "constant \(name): shape \(shape) holds \(shape.reduce(1, *)) values, got \(values.count)")
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = Int32(Onnx_TensorProto.DataType.int8.rawValue)
        tensor.dims = shape.map(Int64.init)
        tensor.rawData = values.withUnsafeBytes { Data($0) }
        graph.initializer.append(tensor)
        return name
    }

    /// Adds a uint8 constant (a zero point) and returns its name.
    @discardableResult
    mutating func uint8Constant(_ name: String, shape: [Int], values: [UInt8]) -> String {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = Int32(Onnx_TensorProto.DataType.uint8.rawValue)
        tensor.dims = shape.map(Int64.init)
        tensor.rawData = Data(values)
        graph.initializer.append(tensor)
        return name
    }

    /// Adds `opType(inputs) → several outputs` and returns their names.
    mutating func node(_ opType: String, _ inputs: [String], outputs stems: [String]) -> [String] {
        let outputs = stems.map { fresh($0) }
        var node = Onnx_NodeProto()
        node.opType = opType
        node.name = fresh(opType)
        node.input = inputs
        node.output = outputs
        graph.node.append(node)
        return outputs
    }

    /// Adds an int64 constant (shapes, axes) and returns its name.
    @discardableResult
    mutating func int64Constant(_ name: String, shape: [Int], values: [Int64]) -> String {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        tensor.dims = shape.map(Int64.init)
        tensor.int64Data = values
        graph.initializer.append(tensor)
        return name
    }

    /// Declares a graph input of `elementType` and shape [batch, width] (batch symbolic "N").
    mutating func input(_ name: String, elementType: Onnx_TensorProto.DataType, width: Int, doc: String) {
        graph.input.append(Self.valueInfo(name, elementType: elementType, width: width, doc: doc))
    }

    /// Declares a graph output; `width` nil for a 1-D [N] output.
    mutating func output(_ name: String, elementType: Onnx_TensorProto.DataType, width: Int?, doc: String) {
        graph.output.append(Self.valueInfo(name, elementType: elementType, width: width, doc: doc))
    }

    private static func valueInfo(_ name: String, elementType: Onnx_TensorProto.DataType, width: Int?, doc: String) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.docString = doc
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(elementType.rawValue)
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "N"
        tensor.shape.dim = [batch]
        if let width {
            var columns = Onnx_TensorShapeProto.Dimension()
            columns.dimValue = Int64(width)
            tensor.shape.dim.append(columns)
        }
        info.type.tensorType = tensor
        return info
    }
}

/// Attribute constructors (ONNX attributes carry their type beside the value).
enum ONNXAttribute {
    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = Int64(value)
        return a
    }

    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .float
        a.f = value
        return a
    }

    static func strings(_ name: String, _ values: [String]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .strings
        a.strings = values.map { Data($0.utf8) }
        return a
    }
}
