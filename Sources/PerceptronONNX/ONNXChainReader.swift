import Foundation
import Perceptron

/// Walks an ONNX graph that is a chain of dense layers and activations (see
/// ``ONNXImport``), folding constant subgraphs (Constant, Identity and Transpose of
/// initializers) and collecting each layer's W (in × out), b and activation.
struct ONNXChainReader {
    struct DenseLayer {
        var weight: Matrix
        var bias: Matrix?
        var activation: Activation
    }

    /// A layer read from the graph.
    enum ChainLayer {
        case dense(DenseLayer)
        /// Inference form: y = γ ⊙ (x − mean) / √(variance + ε) + β.
        case batchNormalization(gamma: Matrix, beta: Matrix, mean: Matrix, variance: Matrix, epsilon: Float, momentum: Float)
        /// Per row over the features: y = γ ⊙ (x − μ) / √(σ² + ε) + β.
        case layerNormalization(gamma: Matrix, beta: Matrix, epsilon: Float)
    }

    struct Chain {
        var inputSize: Int
        var layers: [ChainLayer]
    }

    /// The most constant elements one import decodes in total (weights, and copies made by
    /// Transpose): as the per-tensor limit, so that many nodes reading one large initializer
    /// cannot multiply what the file makes the importer allocate.
    static let maxTotalElements = ONNXTensorReader.maxElements

    let graph: Onnx_GraphProto
    let file: String
    private var constants: [String: Onnx_TensorProto] = [:]
    /// The value the next node must consume, and its known width (columns), if known.
    private var current = ""
    private var width: Int?
    private var inputSize: Int?
    private var layers: [ChainLayer] = []
    /// Constant elements decoded so far (see ``maxTotalElements``).
    private var decodedElements = 0
    /// The affine part read but not yet closed by an activation (or by the next layer).
    private var pending: DenseLayer?
    /// The opset of the default domain (Softmax's default axis changed at 13).
    private var opset: Int64

    init(graph: Onnx_GraphProto, file: String, opset: Int64) {
        self.graph = graph
        self.file = file
        self.opset = opset
    }

    mutating func read() throws -> Chain {
        for tensor in graph.initializer { constants[tensor.name] = tensor }
        if let sparse = graph.sparseInitializer.first {
            throw ONNXError.invalidTensor(file: file, tensor: sparse.values.name, reason: "sparse initializers are not supported")
        }
        let inputs = graph.input.filter { constants[$0.name] == nil }
        guard inputs.count == 1, let input = inputs.first else {
            throw ONNXError.unsupportedGraph(file: file, reason: "\(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))); an MLP has one")
        }
        try readInput(input)
        for node in graph.node { try visit(node) }
        try closePending(with: .linear)
        guard graph.output.count == 1, graph.output[0].name == current else {
            throw ONNXError.unsupportedGraph(file: file, reason: "the outputs (\(graph.output.map(\.name).joined(separator: ", "))) are not the chain's last value \"\(current)\"")
        }
        guard !layers.isEmpty, let size = inputSize else {
            throw ONNXError.unsupportedGraph(file: file, reason: "no Gemm or MatMul layer")
        }
        return Chain(inputSize: size, layers: layers)
    }

    /// The input: float, [N, d₁, …] with the feature count d₁·… when the dims are known.
    private mutating func readInput(_ input: Onnx_ValueInfoProto) throws {
        let type = input.type.tensorType
        guard input.type.tensorType.elemType == Int32(Onnx_TensorProto.DataType.float.rawValue) else {
            throw ONNXError.unsupportedGraph(file: file, reason: "input \"\(input.name)\" is \(ONNXTensorReader.typeName(type.elemType)), not FLOAT")
        }
        current = input.name
        let dims = type.shape.dim.dropFirst()
        if type.hasShape, !dims.isEmpty, dims.allSatisfy({ $0.dimValue > 0 }) {
            width = try ONNXTensorReader.elementCount(dims.map(\.dimValue), tensor: input.name, file: file)
            if dims.count == 1 { inputSize = width }
        }
    }

    private mutating func visit(_ node: Onnx_NodeProto) throws {
        let op = node.opType
        let name = node.name.isEmpty ? (node.output.first ?? "") : node.name
        guard node.domain.isEmpty || node.domain == "ai.onnx" else {
            throw ONNXError.unsupportedOperator(file: file, op: "\(node.domain).\(op)", node: name)
        }
        guard let output = node.output.first, !output.isEmpty else {
            throw ONNXError.unsupportedUse(file: file, op: op, node: name, reason: "no output")
        }
        let dataInputs = node.input.filter { !$0.isEmpty && constants[$0] == nil }
        if dataInputs.isEmpty {
            try fold(node, op: op, name: name, output: output)
            return
        }
        guard dataInputs == [current] else {
            throw ONNXError.unsupportedGraph(file: file, reason: "node \"\(name)\" (\(op)) takes \(dataInputs.joined(separator: ", ")), "
                                             + "not only the previous value \"\(current)\": the graph is not a single chain")
        }
        func use(_ reason: String) -> ONNXError { .unsupportedUse(file: file, op: op, node: name, reason: reason) }
        switch op {
        case "Gemm":
            guard node.input.count >= 2, node.input[0] == current else { throw use("the data must be input A") }
            guard int(node, "transA", default: 0) == 0 else { throw use("transA = 1 is not supported") }
            var w = try matrix(node.input[1], op: op, name: name)
            if int(node, "transB", default: 0) == 1 { w = w.transposed }
            let alpha = float(node, "alpha", default: 1)
            if alpha != 1 { w = Matrix(rows: w.rows, columns: w.columns, elements: w.elements.map { $0 * alpha }) }
            try requireFinite(w.elements, "the weight \(node.input[1]) × alpha \(alpha)", op: op, name: name)
            var b: Matrix? = nil
            if node.input.count > 2, !node.input[2].isEmpty {
                let beta = float(node, "beta", default: 1)
                let scaled = try bias(node.input[2], units: w.columns, op: op, name: name, times: beta)
                try requireFinite(scaled.elements, "the bias \(node.input[2]) × beta \(beta)", op: op, name: name)
                b = scaled
            }
            try startLayer(weight: w, bias: b, op: op, name: name)
        case "MatMul":
            guard node.input.count == 2, node.input[0] == current else { throw use("the data must be the first input") }
            try startLayer(weight: try matrix(node.input[1], op: op, name: name), bias: nil, op: op, name: name)
        case "Add":
            guard node.input.count == 2, var layer = pending else {
                throw use("an Add is read as a bias only right after a MatMul or Gemm")
            }
            let constant = node.input[0] == current ? node.input[1] : node.input[0]
            let c = try bias(constant, units: layer.weight.columns, op: op, name: name, times: 1)
            if let old = layer.bias {
                layer.bias = Matrix(rows: 1, columns: c.columns, elements: zip(old.elements, c.elements).map { $0 + $1 })
                try requireFinite(layer.bias!.elements, "the bias (the layer's plus \(constant))", op: op, name: name)
            } else {
                layer.bias = c
            }
            pending = layer
        case "Relu": try closePending(with: .relu, op: op, name: name)
        case "Sigmoid": try closePending(with: .sigmoid, op: op, name: name)
        case "Tanh": try closePending(with: .tanh, op: op, name: name)
        case "Softplus": try closePending(with: .softplus, op: op, name: name)
        case "Softmax":
            let axis = int(node, "axis", default: opset >= 13 ? -1 : 1)
            guard axis == -1 || axis == 1 else { throw use("axis \(axis); Perceptron's softmax is over the last axis of [N, k]") }
            try closePending(with: .softmax, op: op, name: name)
        case "LeakyRelu":
            let alpha = float(node, "alpha", default: 0.01)
            guard abs(alpha - Activation.leakyReLUSlope) <= 1e-7 else {
                throw use("alpha \(alpha); Perceptron's leaky ReLU has slope \(Activation.leakyReLUSlope)")
            }
            try closePending(with: .leakyReLU, op: op, name: name)
        case "Elu":
            let alpha = float(node, "alpha", default: 1)
            guard alpha == 1 else { throw use("alpha \(alpha); Perceptron's ELU has α = 1") }
            try closePending(with: .elu, op: op, name: name)
        case "Gelu":
            let approximate = string(node, "approximate", default: "none")
            guard approximate == "none" else { throw use("approximate = \"\(approximate)\"; Perceptron's GELU is the exact (erf) form") }
            try closePending(with: .gelu, op: op, name: name)
        case "Flatten", "Reshape":
            guard layers.isEmpty, pending == nil else { throw use("only the input may be flattened") }
            if op == "Flatten" {
                guard int(node, "axis", default: 1) == 1 else { throw use("axis must be 1") }
            } else {
                guard node.input.count == 2, let shape = constants[node.input[1]] else { throw use("the shape must be a constant") }
                let values = try ONNXTensorReader.int64s(shape, file: file)
                guard values.count == 2, values[0] == -1 || values[0] == 0, values[1] > 0 || values[1] == -1 else {
                    throw use("shape \(values); only [-1, k] (rows kept) is supported")
                }
                if values[1] > 0 {
                    if let width, width != Int(values[1]) { throw use("shape \(values) for \(width) features") }
                    width = Int(values[1])
                }
            }
        case "BatchNormalization":
            try closePending(with: .linear)
            guard int(node, "training_mode", default: 0) == 0 else { throw use("training_mode = 1 is not supported") }
            guard node.input.count == 5 else { throw use("expected 5 inputs (X, scale, B, input_mean, input_var)") }
            let width = try normalizedWidth(node.input[1], op: op, name: name)
            let values = try node.input[1...4].map { try vector($0, count: width, op: op, name: name) }
            guard values[3].elements.allSatisfy({ $0 >= 0 }) else { throw use("a negative running variance") }
            let epsilon = float(node, "epsilon", default: 1e-5), momentum = float(node, "momentum", default: 0.9)
            try requireEpsilon(epsilon, op: op, name: name)
            guard momentum.isFinite, momentum >= 0, momentum <= 1 else { throw use("momentum \(momentum); it must be in [0, 1]") }
            // What inference computes per feature: y = scale·x + shift.
            let scales = zip(values[0].elements, values[3].elements).map { gamma, variance in gamma / (variance + epsilon).squareRoot() }
            try requireFinite(scales, "the scale γ/√(variance + ε) (ε = \(epsilon))", op: op, name: name)
            let shifts = zip(values[1].elements, zip(values[2].elements, scales)).map { beta, ms in beta - ms.0 * ms.1 }
            try requireFinite(shifts, "the shift β − mean·γ/√(variance + ε)", op: op, name: name)
            layers.append(.batchNormalization(gamma: values[0], beta: values[1], mean: values[2], variance: values[3],
                                              epsilon: epsilon, momentum: momentum))
        case "LayerNormalization":
            try closePending(with: .linear)
            let axis = int(node, "axis", default: -1)
            guard axis == -1 || axis == 1 else { throw use("axis \(axis); Perceptron normalizes each row over its features") }
            guard node.input.count >= 2 else { throw use("no Scale input") }
            let width = try normalizedWidth(node.input[1], op: op, name: name)
            let gamma = try vector(node.input[1], count: width, op: op, name: name)
            let beta = node.input.count > 2 && !node.input[2].isEmpty
                ? try vector(node.input[2], count: width, op: op, name: name) : Matrix(rows: 1, columns: width)
            let epsilon = float(node, "epsilon", default: 1e-5)
            try requireEpsilon(epsilon, op: op, name: name)
            layers.append(.layerNormalization(gamma: gamma, beta: beta, epsilon: epsilon))
        case "Identity", "Dropout":
            break
        default:
            throw ONNXError.unsupportedOperator(file: file, op: op, node: name)
        }
        current = output
    }

    /// A node whose inputs are all constants: its output is a constant too.
    private mutating func fold(_ node: Onnx_NodeProto, op: String, name: String, output: String) throws {
        switch op {
        case "Constant":
            guard let attribute = node.attribute.first(where: { $0.name == "value" }), attribute.hasT else {
                throw ONNXError.unsupportedUse(file: file, op: op, node: name, reason: "only a tensor `value` is supported")
            }
            var tensor = attribute.t
            tensor.name = output
            constants[output] = tensor
        case "Identity":
            guard let input = node.input.first, var tensor = constants[input] else {
                throw ONNXError.unsupportedUse(file: file, op: op, node: name, reason: "no input")
            }
            tensor.name = output
            constants[output] = tensor
        case "Transpose":
            guard let input = node.input.first, constants[input] != nil else {
                throw ONNXError.unsupportedUse(file: file, op: op, node: name, reason: "no input")
            }
            let perm = ints(node, "perm")
            guard perm.isEmpty || perm == [1, 0] else {
                throw ONNXError.unsupportedUse(file: file, op: op, node: name, reason: "perm \(perm); only a 2-D transpose is supported")
            }
            let m = try matrix(input, op: op, name: name).transposed
            var tensor = Onnx_TensorProto()
            tensor.name = output
            tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
            tensor.dims = [Int64(m.rows), Int64(m.columns)]
            tensor.floatData = m.elements
            constants[output] = tensor
        default:
            throw ONNXError.unsupportedOperator(file: file, op: op, node: name)
        }
    }

    /// A new affine map (closing the previous one as linear if no activation followed it).
    private mutating func startLayer(weight: Matrix, bias: Matrix?, op: String, name: String) throws {
        try closePending(with: .linear)
        if let width, weight.rows != width {
            throw ONNXError.unsupportedUse(file: file, op: op, node: name,
                                           reason: "weight is \(weight.rows) × \(weight.columns) for \(width) input features")
        }
        if layers.isEmpty, inputSize == nil { inputSize = weight.rows }
        if layers.isEmpty, let size = inputSize, size != weight.rows {
            throw ONNXError.unsupportedUse(file: file, op: op, node: name,
                                           reason: "weight is \(weight.rows) × \(weight.columns) for \(size) input features")
        }
        pending = DenseLayer(weight: weight, bias: bias, activation: .linear)
        width = weight.columns
    }

    private mutating func closePending(with activation: Activation, op: String = "", name: String = "") throws {
        guard var layer = pending else {
            if activation == .linear { return }
            throw ONNXError.unsupportedUse(file: file, op: op, node: name,
                                           reason: "an activation is read only right after a MatMul or Gemm (Perceptron has no activation-only layer)")
        }
        layer.activation = activation
        layers.append(.dense(layer))
        pending = nil
    }

    /// Counts `count` more decoded elements against ``maxTotalElements``.
    private mutating func charge(_ count: Int, tensor: String) throws {
        guard count <= Self.maxTotalElements - decodedElements else {
            throw ONNXError.invalidTensor(file: file, tensor: tensor,
                                          reason: "the model's constants exceed \(Self.maxTotalElements) elements in total")
        }
        decodedElements += count
    }

    /// The width a normalization's per-feature constant gives, checked against the chain's.
    private mutating func normalizedWidth(_ value: String, op: String, name: String) throws -> Int {
        guard let tensor = constants[value] else {
            throw ONNXError.unsupportedUse(file: file, op: op, node: name, reason: "\"\(value)\" must be a constant (an initializer)")
        }
        let count = try ONNXTensorReader.elementCount(tensor.dims, tensor: value, file: file)
        if let width, width != count {
            throw ONNXError.unsupportedUse(file: file, op: op, node: name, reason: "\(count) scale values for \(width) features")
        }
        guard count >= 1 else { throw ONNXError.invalidTensor(file: file, tensor: value, reason: "empty") }
        if layers.isEmpty, inputSize == nil { inputSize = count }
        width = count
        return count
    }

    /// A per-feature constant of `count` values ([count] or [1, count]) as 1 × count.
    private mutating func vector(_ value: String, count: Int, op: String, name: String) throws -> Matrix {
        guard let tensor = constants[value] else {
            throw ONNXError.unsupportedUse(file: file, op: op, node: name, reason: "\"\(value)\" must be a constant (an initializer)")
        }
        let shape = try ONNXTensorReader.shape(tensor, file: file)
        guard shape == [count] || shape == [1, count] else {
            throw ONNXError.invalidTensor(file: file, tensor: value, reason: "shape \(shape), expected [\(count)]")
        }
        try charge(count, tensor: value)
        return Matrix(rows: 1, columns: count, elements: try ONNXTensorReader.floats(tensor, file: file))
    }

    /// A 2-D float constant as a Matrix.
    private mutating func matrix(_ value: String, op: String, name: String) throws -> Matrix {
        guard let tensor = constants[value] else {
            throw ONNXError.unsupportedUse(file: file, op: op, node: name, reason: "\"\(value)\" must be a constant (an initializer)")
        }
        let shape = try ONNXTensorReader.shape(tensor, file: file)
        guard shape.count == 2, shape[0] >= 1, shape[1] >= 1 else {
            throw ONNXError.invalidTensor(file: file, tensor: value, reason: "shape \(shape); a weight is 2-D and non-empty")
        }
        try charge(shape[0] * shape[1], tensor: value)
        return Matrix(rows: shape[0], columns: shape[1], elements: try ONNXTensorReader.floats(tensor, file: file))
    }

    /// A bias constant of shape [], [1], [units] or [1, units], as 1 × units, times `scale`.
    private mutating func bias(_ value: String, units: Int, op: String, name: String, times scale: Float) throws -> Matrix {
        guard let tensor = constants[value] else {
            throw ONNXError.unsupportedUse(file: file, op: op, node: name, reason: "\"\(value)\" must be a constant (an initializer)")
        }
        let shape = try ONNXTensorReader.shape(tensor, file: file)
        let count = shape.reduce(1, *)
        guard shape.count <= 2, count == units || count == 1, shape.count < 2 || shape[0] == 1 else {
            throw ONNXError.invalidTensor(file: file, tensor: value, reason: "shape \(shape) is not a bias for \(units) units")
        }
        try charge(units, tensor: value)
        let values = try ONNXTensorReader.floats(tensor, file: file).map { $0 * scale }
        return Matrix(rows: 1, columns: units, elements: count == units ? values : Array(repeating: values[0], count: units))
    }

    /// Refuses `values` (a constant after folding) holding NaN or ±inf, naming the node: a
    /// finite weight times a huge alpha, or two finite biases summed, can overflow Float.
    private func requireFinite(_ values: [Float], _ what: String, op: String, name: String) throws {
        guard let i = values.firstIndex(where: { !$0.isFinite }) else { return }
        throw ONNXError.nonFiniteValue(file: file, op: op, node: name, reason: "\(what) is \(values[i]) at element \(i)")
    }

    /// A normalization's ε: finite and not negative (the importer's tensors are finite, its attributes must be too).
    private func requireEpsilon(_ epsilon: Float, op: String, name: String) throws {
        guard epsilon.isFinite, epsilon >= 0 else {
            throw ONNXError.nonFiniteValue(file: file, op: op, node: name, reason: "epsilon \(epsilon) is not a finite value ≥ 0")
        }
    }

    private func attribute(_ node: Onnx_NodeProto, _ key: String) -> Onnx_AttributeProto? {
        node.attribute.first { $0.name == key }
    }

    private func int(_ node: Onnx_NodeProto, _ key: String, default value: Int64) -> Int64 {
        attribute(node, key)?.i ?? value
    }

    private func float(_ node: Onnx_NodeProto, _ key: String, default value: Float) -> Float {
        attribute(node, key)?.f ?? value
    }

    private func string(_ node: Onnx_NodeProto, _ key: String, default value: String) -> String {
        attribute(node, key).map { String(decoding: $0.s, as: UTF8.self) } ?? value
    }

    private func ints(_ node: Onnx_NodeProto, _ key: String) -> [Int64] {
        attribute(node, key)?.ints ?? []
    }
}
