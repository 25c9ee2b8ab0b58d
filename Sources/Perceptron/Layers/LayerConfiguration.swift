import Foundation

/// A layer type's settings, enough to recreate the layer (Keras's `get_config` /
/// `from_config`). Each layer type owns one, registers it under ``registeredName`` with
/// ``LayerRegistry/register(_:)``, and model files store it as
/// `{"<registeredName>": <its JSON>}` in the architecture's layer list.
///
/// ```swift
/// struct Scale: Layer {
///     struct Configuration: LayerConfiguration {
///         static let registeredName = "scale"
///         var factor: Float
///         func makeLayer() throws -> any Layer { Scale(factor) }
///         func tensorLayout(inputWidth: Int) throws -> LayerTensorLayout { .init(outputWidth: inputWidth) }
///     }
///     …
/// }
/// LayerRegistry.register(Scale.Configuration.self)   // once, before loading a model file
/// ```
public protocol LayerConfiguration: Codable, Sendable {
    /// The name the type is saved and registered under (e.g. "dense"); unique per type.
    static var registeredName: String { get }
    /// A fresh, unbuilt layer with these settings.
    /// - Throws: ``PerceptronError`` for settings that make no layer.
    func makeLayer() throws -> any Layer
    /// The tensors (parameters, then buffers) a layer with these settings holds for inputs of
    /// `inputWidth` columns, with their shapes in the model file, and the layer's output
    /// width, computed from the settings alone: the loader compares these shapes with the
    /// file before anything is allocated.
    /// - Throws: ``PerceptronError`` for settings that make no layer (e.g. 0 units).
    func tensorLayout(inputWidth: Int) throws -> LayerTensorLayout
}

/// The tensors of one layer in a model file and the width it passes on.
public struct LayerTensorLayout: Sendable, Equatable {
    /// Name (e.g. "weight", "moving_mean") and shape in the file, in save order:
    /// parameters (as ``Layer/parameterNames``), then buffers (as ``Layer/bufferNames``).
    public var tensors: [Tensor]
    /// The number of output columns.
    public var outputWidth: Int

    public struct Tensor: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        /// Whether the tensor is a buffer (non-trainable state) rather than a parameter.
        public var isBuffer: Bool
        /// The element type in the file: F32, or I8 for quantized weights (the layer then
        /// holds the integers as floats in its ``Layer/buffers``; saving refuses any value that
        /// is not an integer in −128…127).
        public var dtype: SafeTensors.DType
        public init(_ name: String, shape: [Int], isBuffer: Bool = false, dtype: SafeTensors.DType = .f32) {
            self.name = name
            self.shape = shape
            self.isBuffer = isBuffer
            self.dtype = dtype
        }
    }

    public init(tensors: [Tensor] = [], outputWidth: Int) {
        self.tensors = tensors
        self.outputWidth = outputWidth
    }
}

/// Any registered layer configuration, as one value: `Codable` through the
/// ``LayerRegistry`` (`{"dense": {…}}`), and `Equatable` by name and settings.
public struct AnyLayerConfiguration: Codable, Sendable, Equatable, CustomStringConvertible {
    public let base: any LayerConfiguration

    public init(_ base: any LayerConfiguration) { self.base = base }

    /// The registered name of the configuration's type.
    public var registeredName: String { type(of: base).registeredName }

    public init(from decoder: any Decoder) throws {
        base = try LayerRegistry.shared.decode(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try LayerRegistry.shared.encode(base, to: encoder)
    }

    public static func == (lhs: AnyLayerConfiguration, rhs: AnyLayerConfiguration) -> Bool {
        lhs.registeredName == rhs.registeredName && canonicalJSON(lhs.base) == canonicalJSON(rhs.base)
    }

    public var description: String { "\(registeredName)\(canonicalJSON(base))" }
}

/// The layer configuration types model files can name. Dense, Dropout, BatchNormalization,
/// LayerNormalization and QuantizedDense are registered from the start; register your own before saving
/// or loading a model that uses them.
public enum LayerRegistry {
    static let shared = ConfigurationRegistry<any LayerConfiguration>(kind: "layer", builtIns: [
        entry(Dense.Configuration.self), entry(Dropout.Configuration.self),
        entry(BatchNormalization.Configuration.self), entry(LayerNormalization.Configuration.self),
        entry(QuantizedDense.Configuration.self),
    ])

    private static func entry<C: LayerConfiguration>(_ type: C.Type)
        -> (String, ObjectIdentifier, ConfigurationRegistry<any LayerConfiguration>.Decode) {
        (C.registeredName, ObjectIdentifier(type), { try C(from: $0) })
    }

    /// Registers `type` under its ``LayerConfiguration/registeredName`` (again is harmless).
    /// - Throws: ``PerceptronError/incompatible(_:)`` when another type holds that name.
    public static func register<C: LayerConfiguration>(_ type: C.Type) throws {
        try shared.register(name: C.registeredName, typeID: ObjectIdentifier(type)) { try C(from: $0) }
    }

    /// Whether `type`'s name is registered to it.
    public static func isRegistered<C: LayerConfiguration>(_ type: C.Type) -> Bool {
        shared.holds(name: C.registeredName, typeID: ObjectIdentifier(type))
    }

    /// The registered names, sorted.
    public static var registeredNames: [String] { shared.names }
}
