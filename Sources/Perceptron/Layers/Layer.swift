/// A layer of a ``Sequential`` model: a function of a batch (rows are samples) with
/// explicit forward and backward passes.
///
/// A layer owns its output and gradient buffers and rewrites them in place each step,
/// so training allocates nothing once the buffers exist. The model calls, per step:
/// `forward` on each layer in order, then `backward` in reverse order, then
/// `visitParameters` to let the optimizer update each parameter from its gradient.
public protocol Layer {
    /// The type name shown by ``Sequential/summary()`` (e.g. "Dense").
    var typeName: String { get }
    /// The number of output columns; known once built.
    var outputSize: Int { get }
    /// The number of trainable scalars.
    var parameterCount: Int { get }
    /// The activation at the layer's output, if it has one (a loss may fuse with it).
    var activation: Activation? { get }
    /// The settings that recreate this layer (for model files).
    var configuration: LayerConfiguration { get }

    /// Creates the parameters for inputs of `inputSize` columns.
    /// - Throws: ``PerceptronError`` for invalid settings.
    mutating func build(inputSize: Int, generator: inout SeededGenerator) throws

    /// Computes the layer's output for `input` into ``output``.
    mutating func forward(_ input: Matrix, training: Bool, generator: inout SeededGenerator)
    /// The result of the last ``forward(_:training:generator:)``.
    var output: Matrix { get }

    /// Back-propagates `outputGradient` (∂L/∂output, or ∂L/∂z before the activation when
    /// `gradientIsPreactivation`), filling the parameter gradients and, when asked,
    /// ``inputGradient`` (∂L/∂input). `input` is the same matrix the last forward saw.
    mutating func backward(input: Matrix, outputGradient: Matrix, gradientIsPreactivation: Bool, needsInputGradient: Bool)
    /// ∂L/∂input from the last backward pass.
    var inputGradient: Matrix { get }

    /// Calls `body(index, parameter, gradient)` for each trainable parameter, in a fixed order.
    mutating func visitParameters(_ body: (Int, inout Matrix, inout Matrix) -> Void)
    /// The trainable parameters (a copy is a checkpoint); setting requires the same shapes.
    var parameters: [Matrix] { get set }
    /// The names of the parameters, parallel to ``parameters`` (e.g. "weight", "bias").
    var parameterNames: [String] { get }
    /// The regularization penalty this layer adds to the loss.
    func regularizationPenalty() -> Float
    /// z, the value before the output activation in the last forward pass, where the
    /// layer has one (a fused loss is computed from it).
    var lastPreactivation: Matrix? { get }
}

extension Layer {
    public var activation: Activation? { nil }
    public var lastPreactivation: Matrix? { nil }
    public func regularizationPenalty() -> Float { 0 }
}

/// The settings of a built-in layer, enough to recreate it (saved in model files).
public enum LayerConfiguration: Codable, Sendable, Equatable {
    case dense(units: Int, activation: Activation, useBias: Bool,
               kernelInitializer: Initializer, biasInitializer: Initializer, kernelRegularizer: Regularizer?)
    case dropout(rate: Float)
    /// A user-defined layer; cannot be recreated from a file.
    case custom(typeName: String)

    /// A fresh, unbuilt layer with these settings.
    /// - Throws: ``PerceptronError/incompatible(_:)`` for a custom layer.
    public func makeLayer() throws -> any Layer {
        switch self {
        case let .dense(units, activation, useBias, kernelInitializer, biasInitializer, regularizer):
            return Dense(units, activation: activation, useBias: useBias, kernelInitializer: kernelInitializer,
                         biasInitializer: biasInitializer, kernelRegularizer: regularizer)
        case let .dropout(rate):
            return Dropout(rate)
        case let .custom(typeName):
            throw PerceptronError.incompatible("layer type \(typeName) cannot be recreated from its configuration")
        }
    }
}
