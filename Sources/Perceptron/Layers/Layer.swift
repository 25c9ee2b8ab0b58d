/// A layer of a ``Sequential`` model: a function of a batch (rows are samples) with
/// explicit forward and backward passes. The protocol knows nothing about any one kind of
/// layer: Dense's activation and the fused softmax/sigmoid + cross-entropy gradient live
/// in ``ActivatedLayer`` and in the pairing of output layer and loss that ``Sequential`` owns.
///
/// A layer owns its output and gradient buffers and rewrites them in place each step,
/// so training allocates nothing once the buffers exist. The model calls, per step:
/// `forward` on each layer in order, then `backward` in reverse order, then
/// `visitParameters` to let the optimizer update each parameter from its gradient.
///
/// A layer holds two kinds of state, both saved in model files:
/// - **parameters**, trainable: visited by the optimizer, weight-decayed, regularized;
/// - **buffers**, not trainable (BatchNormalization's running mean and variance): updated
///   by the layer itself in `forward`, never seen by the optimizer.
///
/// A new layer type is one file: the layer, its ``LayerConfiguration``, and one line,
/// `LayerRegistry.register(MyLayer.Configuration.self)`, so model files can name it.
public protocol Layer {
    /// The type name shown by ``Sequential/summary()`` (e.g. "Dense").
    var typeName: String { get }
    /// The number of output columns; known once built.
    var outputSize: Int { get }
    /// The number of trainable scalars.
    var parameterCount: Int { get }
    /// The settings that recreate this layer (Keras's `get_config`), saved in model files.
    var configuration: any LayerConfiguration { get }

    /// Creates the parameters and buffers for inputs of `inputSize` columns.
    /// - Throws: ``PerceptronError`` for invalid settings.
    mutating func build(inputSize: Int, generator: inout SeededGenerator) throws

    /// Computes the layer's output for `input` into ``output``; in training a layer may
    /// also update its buffers (running statistics) here.
    mutating func forward(_ input: Matrix, training: Bool, generator: inout SeededGenerator)
    /// The result of the last ``forward(_:training:generator:)``.
    var output: Matrix { get }

    /// Back-propagates `outputGradient` (∂L/∂output), filling the parameter gradients and,
    /// when asked, ``inputGradient`` (∂L/∂input). `input` is the same matrix the last forward saw.
    mutating func backward(input: Matrix, outputGradient: Matrix, needsInputGradient: Bool)
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

    /// The non-trainable state saved with the model (e.g. running statistics); setting
    /// requires the same shapes. Empty for most layers.
    var buffers: [Matrix] { get set }
    /// The names of the buffers, parallel to ``buffers`` (e.g. "moving_mean").
    var bufferNames: [String] { get }
}

extension Layer {
    public func regularizationPenalty() -> Float { 0 }
    public var buffers: [Matrix] {
        get { [] }
        set { precondition(newValue.isEmpty, "\(typeName) has no buffers") }
    }
    public var bufferNames: [String] { [] }
    /// The number of non-trainable scalars (the buffers' elements).
    public var nonTrainableParameterCount: Int { buffers.reduce(0) { $0 + $1.count } }
}

/// A layer whose output is an activation of a pre-activation, `a = f(z)` (Dense).
///
/// When such a layer is the model's output and `f` is the loss's natural partner
/// (softmax with categorical cross-entropy, sigmoid with binary cross-entropy),
/// ``Sequential`` computes the loss from `z` and hands the fused gradient ∂L/∂z = ŷ − y
/// (scaled, see ``Loss/fusedGradient(output:targets:sampleWeights:into:)``) to
/// ``backward(input:preactivationGradient:needsInputGradient:)``, skipping f′ entirely.
public protocol ActivatedLayer: Layer {
    /// f, applied to the pre-activation.
    var activation: Activation { get }
    /// z of the last forward pass.
    var preactivation: Matrix { get }
    /// Back-propagates ∂L/∂z (the gradient before the activation).
    mutating func backward(input: Matrix, preactivationGradient: Matrix, needsInputGradient: Bool)
}

/// A layer whose saved tensors must satisfy more than their shape and dtype (a quantized
/// layer's scales must be positive, its zero point an integer in 0…255). The model-file
/// loader asks before it hands the values to the layer, so a file that breaks the rule is a
/// ``ModelFileError/invalidTensorValue(file:tensor:reason:)``, not a failed precondition.
public protocol TensorValueValidating {
    /// The first tensor (by its name in the layout) whose values the layer cannot take, and
    /// why; nil when all are acceptable. `values` are the layer's parameters then buffers,
    /// in layout order, as row-major floats.
    func invalidTensorValue(_ values: [[Float]]) -> (name: String, reason: String)?
}
