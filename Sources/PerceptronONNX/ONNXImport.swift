import Foundation
import Perceptron
import SwiftProtobuf

/// Reads an ONNX model that is a plain multilayer perceptron, as PyTorch
/// (`torch.onnx.export` of `nn.Sequential(Linear, ReLU, …)`) or Keras through tf2onnx
/// write it, and rebuilds it as a ``Sequential`` model of ``Dense`` layers.
///
/// The graph must be one chain from one float input to one output:
/// ```
/// [Flatten | Reshape to [-1, k] | Identity]*          only before the first layer
/// ( Gemm(a, B, C)  |  MatMul(a, B) [Add(·, C)] )       → Dense: W = B (Bᵀ when transB = 1,
///                                                        times alpha), b = beta·C
/// [Relu | Sigmoid | Tanh | Softmax(last axis) | LeakyRelu(α = 0.01) | Elu(α = 1)
///  | Softplus | Gelu(approximate = none)]             → that Dense layer's activation
/// BatchNormalization (inference), LayerNormalization (last axis), with constant
///   scale, bias and (batch) running mean and variance → those Perceptron layers
/// Identity, Dropout                                   → nothing (inference)
/// ```
/// B and C are constants: initializers, Constant nodes, or Identity/Transpose of them.
/// Anything else is refused with ``ONNXError/unsupportedOperator(file:op:node:)`` naming
/// the operator. Every size in the file is checked before it decides an allocation
/// (``ONNXTensorReader``).
///
/// The model is compiled for further training with the loss its output implies:
/// softmax → sparse categorical cross-entropy, one sigmoid unit → binary cross-entropy,
/// otherwise mean squared error (regression).
public enum ONNXImport {
    /// The largest file read (protobuf's own limit is 2 GiB).
    public static let maxFileBytes = 1 << 31

    /// A model read from ONNX, with what the file says about its outputs.
    public struct ImportedModel {
        public var model: Sequential
        public var task: TaskKind
        /// Class names in class-index order: from metadata_props "class_names" when the
        /// file has them (as Perceptron's export writes), else "0", "1", ….
        public var classNames: [String]
        /// The producer ("pytorch 2.9.0"), for the model file's notes.
        public var producer: String
    }

    /// Reads and converts the ONNX model at `url`.
    /// - Throws: ``ONNXError`` naming the file, the operator or the tensor.
    public static func read(from url: URL, seed: UInt64 = 42) throws -> ImportedModel {
        let file = url.path
        let size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            guard attributes[.type] as? FileAttributeType == .typeRegular else {
                throw ONNXError.unreadable(file: file, reason: "not a regular file")
            }
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch let error as ONNXError {
            throw error
        } catch {
            throw ONNXError.unreadable(file: file, reason: error.localizedDescription)
        }
        guard size <= maxFileBytes else {
            throw ONNXError.unreadable(file: file, reason: "\(size) bytes, more than the \(maxFileBytes) a protobuf message may hold")
        }
        let data: Data
        do {
            data = try FileContents.read(url)
        } catch .notFound {
            throw ONNXError.unreadable(file: file, reason: "no such file")
        } catch .isDirectory {
            throw ONNXError.unreadable(file: file, reason: "is a directory")
        } catch let .unreadable(reason) {
            throw ONNXError.unreadable(file: file, reason: reason)
        }
        return try convert(data, file: file, seed: seed)
    }

    /// Converts the serialized ModelProto `data` (read from `file`, named in errors).
    public static func convert(_ data: Data, file: String, seed: UInt64 = 42) throws -> ImportedModel {
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw ONNXError.unreadable(file: file, reason: "protobuf decoding failed (\(error))")
        }
        return try convert(proto, file: file, seed: seed)
    }

    /// Converts a parsed ModelProto.
    static func convert(_ proto: Onnx_ModelProto, file: String, seed: UInt64) throws -> ImportedModel {
        guard proto.hasGraph, !proto.graph.node.isEmpty else {
            throw ONNXError.unreadable(file: file, reason: "no graph (an empty or non-ONNX file)")
        }
        // The default domain's opset (absent: the oldest rules, which read the same for these operators).
        let opset = proto.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version ?? 1
        var reader = ONNXChainReader(graph: proto.graph, file: file, opset: opset)
        let chain = try reader.read()
        var layers: [any Layer] = []
        var weights: [[Matrix]] = []
        var buffers: [[Matrix]] = []
        for layer in chain.layers {
            switch layer {
            case let .dense(dense):
                layers.append(Dense(dense.weight.columns, activation: dense.activation, useBias: dense.bias != nil))
                weights.append([dense.weight] + (dense.bias.map { [$0] } ?? []))
                buffers.append([])
            case let .batchNormalization(gamma, beta, mean, variance, epsilon, momentum):
                layers.append(BatchNormalization(momentum: momentum, epsilon: epsilon))
                weights.append([gamma, beta])
                buffers.append([mean, variance])
            case let .layerNormalization(gamma, beta, epsilon):
                layers.append(LayerNormalization(epsilon: epsilon))
                weights.append([gamma, beta])
                buffers.append([])
            }
        }
        let model: Sequential
        do {
            model = try Sequential(inputSize: chain.inputSize, layers: layers, seed: seed)
            try model.setWeights(weights)
            try model.setBuffers(buffers)
        } catch {
            throw ONNXError.unsupportedGraph(file: file, reason: "\(error)")
        }
        let task: TaskKind
        let loss: Loss
        let last: ONNXChainReader.DenseLayer? = if case let .dense(dense) = chain.layers.last { dense } else { nil }
        switch last?.activation {
        case .softmax?:
            (task, loss) = (.classification, .sparseCategoricalCrossEntropy)
        case .sigmoid? where last?.weight.columns == 1:
            (task, loss) = (.classification, .binaryCrossEntropy)
        default:
            (task, loss) = (.regression, .meanSquaredError)
        }
        try model.compile(loss: loss, optimizer: Adam(), metrics: task == .classification ? [.accuracy] : [])
        let props = Dictionary(proto.metadataProps.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        var classNames: [String] = []
        if task == .classification {
            let k = model.outputSize == 1 ? 2 : model.outputSize
            if let text = props["class_names"],
               let names = try? JSONDecoder().decode([String].self, from: Data(text.utf8)), names.count == k {
                classNames = names
            } else {
                classNames = (0..<k).map(String.init)
            }
        }
        let producer = [proto.producerName, proto.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        return ImportedModel(model: model, task: task, classNames: classNames, producer: producer.isEmpty ? "unknown" : producer)
    }
}
