import Foundation

/// What can go wrong exporting a model to ONNX or importing one from it.
///
/// Every case names what it is about (the file, the operator, the tensor), so that the
/// command line can print it as one line.
public enum ONNXError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The bytes are not an ONNX ModelProto (truncated, garbage, or not protobuf).
    case unreadable(file: String, reason: String)
    /// A node's operator (with its domain when not the default one) that the importer
    /// does not translate into a Perceptron layer.
    case unsupportedOperator(file: String, op: String, node: String)
    /// An operator Perceptron knows, used in a way it cannot express (an attribute value,
    /// an input that is not a constant, a position in the graph).
    case unsupportedUse(file: String, op: String, node: String, reason: String)
    /// A node whose constants, once folded into a layer (a Gemm's alpha or beta times its
    /// weight or bias, an Add's constant summed into a bias, a normalization's scale
    /// γ/√(σ² + ε)), are not finite: the imported model would predict NaN or ±inf.
    case nonFiniteValue(file: String, op: String, node: String, reason: String)
    /// A graph that is not a single chain from one input to one output.
    case unsupportedGraph(file: String, reason: String)
    /// A tensor whose declared type, dimensions and data disagree, or that is too large.
    case invalidTensor(file: String, tensor: String, reason: String)
    /// A model Perceptron cannot write as ONNX (a custom layer, an activation ONNX lacks).
    case unsupportedModel(reason: String)
    /// The ONNX file cannot be written.
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): not a readable ONNX model: \(reason)"
        case let .unsupportedOperator(file, op, node):
            return "\(file): unsupported ONNX operator \(op) (node \"\(node)\"); Perceptron imports Gemm, MatMul, Add, BatchNormalization, LayerNormalization and the activations Relu, Sigmoid, Tanh, Softmax, LeakyRelu, Elu, Softplus, Gelu, with Flatten, Reshape, Identity, Dropout and Transpose of constants"
        case let .unsupportedUse(file, op, node, reason):
            return "\(file): ONNX operator \(op) (node \"\(node)\"): \(reason)"
        case let .nonFiniteValue(file, op, node, reason):
            return "\(file): ONNX operator \(op) (node \"\(node)\"): \(reason); the imported model would predict NaN or ±inf"
        case let .unsupportedGraph(file, reason):
            return "\(file): unsupported ONNX graph: \(reason)"
        case let .invalidTensor(file, tensor, reason):
            return "\(file): ONNX tensor \"\(tensor)\": \(reason)"
        case let .unsupportedModel(reason):
            return "cannot export to ONNX: \(reason)"
        case let .writeFailed(file, reason):
            return "\(file): cannot write the ONNX model: \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
