/// How a model's output layer and its loss meet, decided by ``Sequential`` when it is compiled.
///
/// When the output layer is an ``ActivatedLayer`` whose activation is the loss's
/// ``Loss/fusedActivation`` (softmax with either categorical cross-entropy, sigmoid with
/// binary cross-entropy), the pair is **fused**: the loss is computed from the layer's
/// pre-activation z with log-sum-exp, and the gradient handed back is ∂L/∂z = ŷ − y (scaled),
/// so no logarithm of a probability and no softmax Jacobian is ever formed (seeds 001, 002).
/// Otherwise the loss sees the layer's output ŷ and hands back ∂L/∂ŷ, and the layer applies
/// its own derivative. No layer knows which happened: the pairing belongs to the model.
struct OutputLossPairing {
    let loss: Loss
    /// Whether the loss works on the output layer's pre-activation.
    let isFused: Bool

    init(loss: Loss, outputLayer: any Layer) {
        self.loss = loss
        if let fused = loss.fusedActivation, let activated = outputLayer as? any ActivatedLayer {
            isFused = activated.activation == fused
        } else {
            isFused = false
        }
    }

    /// The data loss of the output layer's last forward pass against `y`.
    func value(_ outputLayer: any Layer, targets y: Matrix, sampleWeights: [Float]?) -> Float {
        if isFused, let activated = outputLayer as? any ActivatedLayer {
            return loss.fusedValue(logits: activated.preactivation, targets: y, sampleWeights: sampleWeights)
        }
        return loss.value(predictions: outputLayer.output, targets: y, sampleWeights: sampleWeights)
    }

    /// The gradient the output layer's backward pass starts from: ∂L/∂z when fused, else ∂L/∂ŷ.
    func gradient(_ outputLayer: any Layer, targets y: Matrix, sampleWeights: [Float]?, into result: inout Matrix) {
        if isFused {
            loss.fusedGradient(output: outputLayer.output, targets: y, sampleWeights: sampleWeights, into: &result)
        } else {
            loss.gradient(predictions: outputLayer.output, targets: y, sampleWeights: sampleWeights, into: &result)
        }
    }

    /// Runs the output layer's backward pass from `gradient` (from ``gradient(_:targets:sampleWeights:into:)``).
    func backward(_ outputLayer: inout any Layer, input: Matrix, gradient: Matrix, needsInputGradient: Bool) {
        guard isFused, var activated = outputLayer as? any ActivatedLayer else {
            outputLayer.backward(input: input, outputGradient: gradient, needsInputGradient: needsInputGradient)
            return
        }
        // The cast copied the layer; release the original so the copy's buffers are uniquely
        // referenced and the backward pass writes them in place instead of copying them.
        outputLayer = VacantLayer()
        activated.backward(input: input, preactivationGradient: gradient, needsInputGradient: needsInputGradient)
        outputLayer = activated
    }
}

/// A placeholder that holds a layer's slot for the length of one call.
private struct VacantLayer: Layer {
    struct Configuration: LayerConfiguration {
        static let registeredName = "vacant"
        func makeLayer() throws -> any Layer { VacantLayer() }
        func tensorLayout(inputWidth: Int) throws -> LayerTensorLayout { LayerTensorLayout(outputWidth: inputWidth) }
    }
    var typeName: String { "Vacant" }
    var outputSize: Int { 0 }
    var parameterCount: Int { 0 }
    var configuration: any LayerConfiguration { Configuration() }
    mutating func build(inputSize: Int, generator: inout SeededGenerator) throws {}
    mutating func forward(_ input: Matrix, training: Bool, generator: inout SeededGenerator) {}
    var output: Matrix { Matrix(rows: 0, columns: 0) }
    mutating func backward(input: Matrix, outputGradient: Matrix, needsInputGradient: Bool) {}
    var inputGradient: Matrix { Matrix(rows: 0, columns: 0) }
    mutating func visitParameters(_ body: (Int, inout Matrix, inout Matrix) -> Void) {}
    var parameters: [Matrix] { get { [] } set {} }
    var parameterNames: [String] { [] }
}
