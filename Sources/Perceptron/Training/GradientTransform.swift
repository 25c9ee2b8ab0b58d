/// A stage of the training step between the backward pass and the optimizer's update:
/// it sees every trainable parameter's gradient and may rewrite it in place, or hold the
/// update back. A step runs
///
/// ```
/// forward → loss → backward → gradient transforms, in order → update
/// ```
/// ``GradientClipping`` is the first transform when the model is compiled with one; then
/// come ``Sequential/gradientTransforms`` in order. Next in line: gradient accumulation
/// (``GradientTransformOutcome/skipUpdate`` until k batches are summed) and an allreduce
/// that averages gradients across the processes of data-parallel training.
public protocol GradientTransform {
    /// Transforms one step's gradients in place.
    /// - Returns: whether the update goes ahead, is skipped (the step's loss still counts),
    ///   or must not happen because a gradient is not finite (training then stops).
    mutating func transform(_ gradients: inout ModelGradients) -> GradientTransformOutcome
    /// Whether ``transform(_:)`` returns ``GradientTransformOutcome/nonFinite`` whenever a
    /// gradient it received was NaN or ±Inf, so the step need not check again (default false).
    var detectsNonFiniteGradients: Bool { get }
}

extension GradientTransform {
    public var detectsNonFiniteGradients: Bool { false }
}

/// What a ``GradientTransform`` decided for the step.
public enum GradientTransformOutcome: Sendable, Equatable {
    /// Go on to the next transform, then the update.
    case proceed
    /// Leave the parameters as they are this step (e.g. gradients still accumulating).
    case skipUpdate
    /// A gradient is NaN or ±Inf: nothing is applied and ``Sequential/fit(_:_:epochs:batchSize:shuffle:validationSplit:validationData:classWeights:callbacks:initialEpoch:resumeFrom:)`` stops.
    case nonFinite
}

/// The gradients of one training step, in the optimizer's slot order (layer by layer,
/// each layer's parameters in ``Layer/parameterNames`` order), for ``GradientTransform``s
/// to read and rewrite in place. Buffers are not here: they are not trained.
public struct ModelGradients {
    /// The model's layers, moved here for the length of the transforms so that each
    /// gradient is uniquely referenced and rewritten without a copy.
    var layers: [any Layer]

    /// Calls `body(slot, parameter, &gradient)` for every trainable parameter.
    public mutating func forEach(_ body: (_ slot: Int, _ parameter: Matrix, _ gradient: inout Matrix) -> Void) {
        var slot = 0
        for i in layers.indices {
            layers[i].visitParameters { _, parameter, gradient in
                body(slot, parameter, &gradient)
                slot += 1
            }
        }
    }

    /// Σ g² over every gradient, in Double (no overflow for finite float gradients; NaN or
    /// +Inf when any gradient is not finite).
    public mutating func sumOfSquares() -> Double {
        var squares: Double = 0
        forEach { _, _, g in squares += Perceptron.sumOfSquares(g) }
        return squares
    }

    /// Whether every gradient is finite.
    public mutating func allFinite() -> Bool {
        var finite = true
        forEach { _, _, g in finite = finite && g.isFinite }
        return finite
    }

    /// Multiplies every gradient by `factor`.
    public mutating func scale(by factor: Float) {
        forEach { _, _, g in g.withUnsafeMutableBufferPointer { p in for j in p.indices { p[j] *= factor } } }
    }
}
