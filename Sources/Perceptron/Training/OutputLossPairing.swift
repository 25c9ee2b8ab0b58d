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
        if isFused, let logits = Self.preactivation(of: outputLayer) {
            return loss.fusedValue(logits: logits, targets: y, sampleWeights: sampleWeights)
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
        if isFused, Self.backwardFromPreactivation(&outputLayer, input: input, gradient: gradient,
                                                  needsInputGradient: needsInputGradient) {
            return
        }
        outputLayer.backward(input: input, outputGradient: gradient, needsInputGradient: needsInputGradient)
    }

    // The layer is reached through its concrete type L (the existential opened in place),
    // never cast to `any ActivatedLayer`: such a cast boxes a copy of the layer (a heap
    // allocation per call for a layer as large as Dense), and writing back the copy boxes
    // it again. Only the metatype is cast, which allocates nothing.

    /// z of an ``ActivatedLayer``'s last forward pass; nil for another layer.
    private static func preactivation<L: Layer>(of layer: L) -> Matrix? {
        guard let activated = L.self as? any ActivatedLayer.Type else { return nil }
        return preactivation(of: layer, as: activated)
    }

    private static func preactivation<L: Layer, A: ActivatedLayer>(of layer: L, as _: A.Type) -> Matrix {
        withUnsafePointer(to: layer) { $0.withMemoryRebound(to: A.self, capacity: 1) { $0.pointee.preactivation } }
    }

    /// Runs an ``ActivatedLayer``'s backward pass from ∂L/∂z in place; false (nothing run)
    /// for another layer.
    private static func backwardFromPreactivation<L: Layer>(_ layer: inout L, input: Matrix, gradient: Matrix,
                                                            needsInputGradient: Bool) -> Bool {
        guard let activated = L.self as? any ActivatedLayer.Type else { return false }
        backwardFromPreactivation(&layer, as: activated, input: input, gradient: gradient,
                                  needsInputGradient: needsInputGradient)
        return true
    }

    private static func backwardFromPreactivation<L: Layer, A: ActivatedLayer>(
        _ layer: inout L, as _: A.Type, input: Matrix, gradient: Matrix, needsInputGradient: Bool
    ) {
        // L is A (the metatype cast succeeded on L itself): the same type seen twice.
        precondition(L.self == A.self, "backwardFromPreactivation: \(L.self) is not \(A.self)")
        withUnsafeMutablePointer(to: &layer) {
            $0.withMemoryRebound(to: A.self, capacity: 1) {
                $0.pointee.backward(input: input, preactivationGradient: gradient, needsInputGradient: needsInputGradient)
            }
        }
    }
}
