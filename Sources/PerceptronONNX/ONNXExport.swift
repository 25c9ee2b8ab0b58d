import Foundation
import Perceptron
import SwiftProtobuf

/// Writes a ``Sequential`` model, with the preprocessing saved beside it, as an ONNX model
/// (opset 17, IR version 8) that onnxruntime and other ONNX runtimes run.
///
/// The graph, from the caller's raw columns to probabilities:
/// ```
/// inputs        one per used table column, [N, 1]: numeric → float (NaN = missing);
///               categorical → string (ai.onnx.ml OneHotEncoder, the default) or a float
///               [N, k] one-hot the caller builds (CategoricalEncoding.oneHotInput)
/// features      x = Concat(columns);  x = Where(IsNaN(x), median, x);  x = (x − shift) / scale
///               (shift, scale: the saved standardization or min-max; one-hot positions 0, 1)
/// layer i       z = Gemm(a, W, b)  (MatMul without a bias);  a = f(z)  (Relu, Sigmoid, …)
/// outputs       classification: probabilities [N, k] (2 columns, 1 − p and p, for a
///               one-unit sigmoid) and class_index int64 [N] = ArgMax(probabilities);
///               regression: prediction [N, 1] = z·scale + shift in the target's units
/// ```
/// A model without preprocessing has one input, `input` float [N, inputSize]. The
/// model's metadata_props carry `class_names` (JSON), `task`, and Perceptron's own
/// architecture and preprocessing JSON.
///
/// Converters go layer by layer (``LayerConfiguration``) and activation by activation,
/// so a new layer type adds one case in `emitLayer` (as the int8 ``QuantizedDense`` did:
/// DynamicQuantizeLinear or QuantizeLinear, then MatMulInteger).
public enum ONNXExport {
    /// The default-domain opset the graph is written for.
    public static let opsetVersion = 17
    /// The ai.onnx.ml opset (OneHotEncoder).
    public static let mlOpsetVersion = 3
    /// The IR version that goes with opset 17.
    public static let irVersion: Int64 = 8

    /// How categorical columns enter the ONNX graph.
    public enum CategoricalEncoding: String, CaseIterable, Sendable {
        /// A string input per column, one-hot encoded in the graph by ai.onnx.ml's
        /// OneHotEncoder (onnxruntime runs it); "" is a missing value (the most frequent
        /// training category), an unseen category encodes as all zeros, as in Perceptron.
        case encoder
        /// A float [N, k] input per column that the caller fills with the one-hot code
        /// over the categories listed in the input's doc string (default-domain ops only).
        case oneHotInput = "one-hot-input"
    }

    /// Export settings.
    public struct Options: Sendable {
        public var categoricalEncoding: CategoricalEncoding
        /// When true, the graph is the network alone: from `input`, the feature matrix
        /// already preprocessed, to `output`, the last layer's output (a plain MLP, as
        /// PyTorch would export it, and what ``ONNXImport`` reads back).
        public var networkOnly: Bool

        public init(categoricalEncoding: CategoricalEncoding = .encoder, networkOnly: Bool = false) {
            self.categoricalEncoding = categoricalEncoding
            self.networkOnly = networkOnly
        }
    }

    /// The serialized ONNX ModelProto.
    /// - Parameters:
    ///   - task: classification (probability outputs) or regression (a prediction output).
    ///   - classNames: class names in class-index order (classification).
    /// - Throws: ``ONNXError/unsupportedModel(reason:)`` for a layer ONNX export lacks.
    public static func serializedModel(_ model: Sequential, preprocessor: Preprocessor?, task: TaskKind,
                                       classNames: [String], options: Options = Options()) throws -> Data {
        try modelProto(model, preprocessor: preprocessor, task: task, classNames: classNames, options: options).serializedData()
    }

    /// Writes the model to `url` atomically, through ``AtomicFile`` (a target that is not a
    /// regular file is refused; a failed write leaves any old file intact).
    /// - Throws: ``ONNXError``.
    public static func write(_ model: Sequential, preprocessor: Preprocessor?, task: TaskKind, classNames: [String],
                             options: Options = Options(), to url: URL) throws {
        let data = try serializedModel(model, preprocessor: preprocessor, task: task, classNames: classNames, options: options)
        do {
            try AtomicFile.write(data, to: url)
        } catch let error as OutputFileError {
            throw ONNXError.writeFailed(file: url.path, reason: error.description)
        } catch {
            throw ONNXError.writeFailed(file: url.path, reason: error.localizedDescription)
        }
    }

    /// The ModelProto (internal: the generated types stay out of the public API).
    static func modelProto(_ model: Sequential, preprocessor: Preprocessor?, task: TaskKind, classNames: [String],
                           options: Options) throws -> Onnx_ModelProto {
        var builder = ONNXGraphBuilder(name: "perceptron")
        let usePreprocessing = !options.networkOnly && preprocessor != nil
        var usesML = false
        var a: String
        if usePreprocessing, let preprocessor {
            (a, usesML) = emitPreprocessing(preprocessor, encoding: options.categoricalEncoding, into: &builder)
        } else {
            a = "input"
            builder.input("input", elementType: .float, width: model.inputSize,
                          doc: "the \(model.inputSize) features, as the model's first layer takes them (already preprocessed)")
        }
        for (i, layer) in model.layers.enumerated() {
            a = try emitLayer(layer, index: i, input: a, into: &builder)
        }
        if !options.networkOnly {
            emitHead(a, model: model, preprocessor: usePreprocessing ? preprocessor : nil, task: task,
                     classCount: classNames.count, into: &builder)
        } else {
            builder.node("Identity", [a], output: "output", named: "output")
            builder.output("output", elementType: .float, width: model.outputSize, doc: "the last layer's output")
        }

        var proto = Onnx_ModelProto()
        proto.irVersion = irVersion
        proto.producerName = "perceptron"
        proto.producerVersion = "1"
        proto.docString = "A Perceptron multilayer perceptron (\(model.layers.count) layers, \(model.parameterCount) parameters)."
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(opsetVersion)
        proto.opsetImport = [opset]
        if usesML {
            var ml = Onnx_OperatorSetIdProto()
            ml.domain = "ai.onnx.ml"
            ml.version = Int64(mlOpsetVersion)
            proto.opsetImport.append(ml)
        }
        proto.graph = builder.graph
        proto.metadataProps = try metadata(model, preprocessor: preprocessor, task: task, classNames: classNames)
        return proto
    }

    /// One layer's nodes; returns the name of its output.
    ///
    /// ```
    /// Dense               Gemm(a, W, b) (MatMul(a, W) without a bias), then the activation
    /// QuantizedDense      (Dynamic)QuantizeLinear, MatMulInteger, Cast, Mul, Add (see emitQuantizedDense)
    /// Dropout             nothing (the identity at inference)
    /// BatchNormalization  BatchNormalization(a, γ, β, moving_mean, moving_variance, ε)  (inference form)
    /// LayerNormalization  LayerNormalization(a, γ, β, axis −1, ε)                       (opset 17)
    /// ```
    /// Any other layer type is refused, naming it.
    static func emitLayer(_ layer: any Layer, index i: Int, input a: String, into b: inout ONNXGraphBuilder) throws -> String {
        func vector(_ name: String, _ m: Matrix) -> String { b.constant("layers.\(i).\(name)", shape: [m.count], values: m.elements) }
        switch layer {
        case let dense as Dense:
            let weight = dense.weight
            let w = b.constant("layers.\(i).weight", shape: [weight.rows, weight.columns], values: weight.elements)
            let z: String
            if dense.useBias {
                z = b.node("Gemm", [a, w, vector("bias", dense.bias)], output: "layers.\(i).z")
            } else {
                z = b.node("MatMul", [a, w], output: "layers.\(i).z")
            }
            return try emitActivation(dense.activation, z, layer: i, into: &b)
        case let quantized as QuantizedDense:
            return try emitQuantizedDense(quantized, index: i, input: a, into: &b)
        case is Dropout:
            return a
        case let norm as BatchNormalization:
            return b.node("BatchNormalization",
                          [a, vector("gamma", norm.gamma), vector("beta", norm.beta),
                           vector("moving_mean", norm.movingMean), vector("moving_variance", norm.movingVariance)],
                          output: "layers.\(i).normalized", attributes: [ONNXAttribute.float("epsilon", norm.epsilon)])
        case let norm as LayerNormalization:
            return b.node("LayerNormalization", [a, vector("gamma", norm.gamma), vector("beta", norm.beta)],
                          output: "layers.\(i).normalized",
                          attributes: [ONNXAttribute.int("axis", -1), ONNXAttribute.float("epsilon", norm.epsilon)])
        default:
            throw ONNXError.unsupportedModel(reason: "layer \(i) (\(layer.typeName)) has no ONNX converter")
        }
    }

    /// A ``QuantizedDense`` as integer ONNX operators, the same arithmetic as the layer:
    ///
    /// ```
    /// dynamic:  A, s_a, z_a = DynamicQuantizeLinear(a)            (u8; the range widened to hold 0)
    /// static:   A = QuantizeLinear(a, s_a, z_a)                   (the calibrated constants)
    /// acc = MatMulInteger(A, q, z_a)                             (int32: Σ_p (A − z_a)·q, q an int8 initializer)
    /// z = Cast(acc, float) · (s_a · s) + b ;  a = f(z)
    /// ```
    static func emitQuantizedDense(_ layer: QuantizedDense, index i: Int, input a: String, into b: inout ONNXGraphBuilder) throws -> String {
        let q = b.int8Constant("layers.\(i).weight", shape: [layer.inputSize, layer.units], values: layer.quantizedWeights)
        let weightScale = b.constant("layers.\(i).weight_scale", shape: [layer.units], values: layer.weightScales)
        let bytes, scale, zeroPoint: String
        if let input = layer.calibratedInput {
            scale = b.constant("layers.\(i).input_scale", shape: [], values: [input.scale])
            zeroPoint = b.uint8Constant("layers.\(i).input_zero_point", shape: [], values: [UInt8(input.zeroPoint)])
            bytes = b.node("QuantizeLinear", [a, scale, zeroPoint], output: "layers.\(i).x_u8")
        } else {
            let outputs = b.node("DynamicQuantizeLinear", [a], outputs: ["layers.\(i).x_u8", "layers.\(i).x_scale", "layers.\(i).x_zero_point"])
            (bytes, scale, zeroPoint) = (outputs[0], outputs[1], outputs[2])
        }
        let sums = b.node("MatMulInteger", [bytes, q, zeroPoint], output: "layers.\(i).acc")
        let real = b.node("Cast", [sums], output: "layers.\(i).acc_float",
                          attributes: [ONNXAttribute.int("to", Int(Onnx_TensorProto.DataType.float.rawValue))])
        let combined = b.node("Mul", [scale, weightScale], output: "layers.\(i).scale")
        var z = b.node("Mul", [real, combined], output: "layers.\(i).z")
        if layer.useBias {
            let bias = b.constant("layers.\(i).bias", shape: [layer.units], values: layer.bias)
            z = b.node("Add", [z, bias], output: "layers.\(i).z")
        }
        return try emitActivation(layer.activation, z, layer: i, into: &b)
    }

    /// a = f(z) as ONNX nodes. Every built-in ``Activation`` has an exact ONNX form: GELU
    /// (exact, erf) is written with Erf, Mul and Add because the Gelu operator only exists
    /// from opset 20. A registered activation from outside the library has no converter and
    /// is refused with ``ONNXError/unsupportedModel(reason:)`` naming it.
    static func emitActivation(_ activation: Activation, _ z: String, layer i: Int, into b: inout ONNXGraphBuilder) throws -> String {
        let stem = "layers.\(i).a"
        switch activation {
        case .linear: return z
        case .sigmoid: return b.node("Sigmoid", [z], output: stem)
        case .tanh: return b.node("Tanh", [z], output: stem)
        case .relu: return b.node("Relu", [z], output: stem)
        case .leakyReLU:
            return b.node("LeakyRelu", [z], output: stem, attributes: [ONNXAttribute.float("alpha", Activation.leakyReLUSlope)])
        case .elu: return b.node("Elu", [z], output: stem, attributes: [ONNXAttribute.float("alpha", 1)])
        case .softplus: return b.node("Softplus", [z], output: stem)
        case .softmax: return b.node("Softmax", [z], output: stem, attributes: [ONNXAttribute.int("axis", -1)])
        case .gelu:
            // ½·z·(1 + erf(z/√2))
            let invSqrt2 = b.constant(b.fresh("gelu.inv_sqrt2"), shape: [], values: [0.707_106_78])
            let one = b.constant(b.fresh("gelu.one"), shape: [], values: [1])
            let half = b.constant(b.fresh("gelu.half"), shape: [], values: [0.5])
            let scaled = b.node("Mul", [z, invSqrt2], output: "\(stem).scaled")
            let erf = b.node("Erf", [scaled], output: "\(stem).erf")
            let onePlus = b.node("Add", [erf, one], output: "\(stem).one_plus_erf")
            let product = b.node("Mul", [z, onePlus], output: "\(stem).z_times")
            return b.node("Mul", [product, half], output: stem)
        default:
            throw ONNXError.unsupportedModel(reason: "layer \(i)'s activation \(activation.name) has no ONNX converter")
        }
    }

    /// The outputs: probabilities and class_index, or the prediction in the target's units.
    static func emitHead(_ a: String, model: Sequential, preprocessor: Preprocessor?, task: TaskKind, classCount: Int,
                         into b: inout ONNXGraphBuilder) {
        switch task {
        case .classification:
            var p = a
            if model.loss == .binaryCrossEntropyFromLogits { p = b.node("Sigmoid", [p], output: "sigmoid") }
            let k: Int
            if model.outputSize == 1 {
                let one = b.constant("one", shape: [], values: [1])
                let q = b.node("Sub", [one, p], output: "one_minus_p")
                b.node("Concat", [q, p], output: "probabilities", attributes: [ONNXAttribute.int("axis", 1)], named: "probabilities")
                k = 2
            } else {
                b.node("Identity", [p], output: "probabilities", named: "probabilities")
                k = model.outputSize
            }
            b.node("ArgMax", ["probabilities"], output: "class_index",
                   attributes: [ONNXAttribute.int("axis", 1), ONNXAttribute.int("keepdims", 0)], named: "class_index")
            let names = classCount == k ? " (class names in metadata_props \"class_names\")" : ""
            b.output("probabilities", elementType: .float, width: k, doc: "class probabilities, one column per class\(names)")
            b.output("class_index", elementType: .int64, width: nil, doc: "the most probable class's index")
        case .regression:
            var y = a
            if let target = preprocessor?.target, target.shift != 0 || target.scale != 1 {
                let scale = b.constant("target.scale", shape: [], values: [Float(target.scale)])
                let shift = b.constant("target.shift", shape: [], values: [Float(target.shift)])
                y = b.node("Mul", [y, scale], output: "target.scaled")
                y = b.node("Add", [y, shift], output: "prediction", named: "prediction")
            } else {
                y = b.node("Identity", [y], output: "prediction", named: "prediction")
            }
            b.output("prediction", elementType: .float, width: model.outputSize, doc: "the predicted value, in the target's units")
        }
    }

    /// metadata_props: what a consumer needs to read the outputs, and Perceptron's own description.
    static func metadata(_ model: Sequential, preprocessor: Preprocessor?, task: TaskKind,
                         classNames: [String]) throws -> [Onnx_StringStringEntryProto] {
        func entry(_ key: String, _ value: String) -> Onnx_StringStringEntryProto {
            var e = Onnx_StringStringEntryProto()
            e.key = key
            e.value = value
            return e
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var entries = [entry("task", task.rawValue)]
        if task == .classification {
            entries.append(entry("class_names", String(decoding: try encoder.encode(classNames), as: UTF8.self)))
        }
        if let preprocessor {
            entries.append(entry("perceptron.preprocessing", String(decoding: try encoder.encode(preprocessor), as: UTF8.self)))
        }
        let layers = model.layers.map { AnyLayerConfiguration($0.configuration) }
        entries.append(entry("perceptron.layers", String(decoding: try encoder.encode(layers), as: UTF8.self)))
        return entries
    }
}
