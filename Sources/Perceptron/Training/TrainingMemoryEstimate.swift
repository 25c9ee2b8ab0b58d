/// The memory, in bytes, that building and training a ``Sequential`` model takes, worked
/// out from its layer settings before anything is allocated (so a caller can refuse a
/// network the machine cannot hold instead of being killed by the allocator).
///
/// With P = Σ over layers of their parameter tensors' sizes (Dense: inᵢ·outᵢ + outᵢ) and
/// S = Σ of their buffers' sizes, both from each configuration's ``LayerTensorLayout``, B the batch size,
/// R the rows of one inference pass and 4 bytes per float:
/// ```
/// weights          2 · 4(P + S)  the parameters and buffers, and the copy fit keeps from the epoch's start
/// gradients        4P            one gradient per parameter
/// optimizerState   s · 4P        s slots per parameter (Adam 2, AMSGrad 3, SGD 0, momentum 1, …)
/// activations      4 · max(B · Σ (3·outᵢ + inᵢ),  R · Σ 2·outᵢ)
///                  training keeps z, f(z), ∂L/∂z (batch × out) and ∂L/∂x (batch × in) per layer;
///                  inference keeps z and f(z) per layer (a Dropout layer counts as out = in)
/// zeroColumnCopies 4 · Σ (B · inᵢ + 2 · inᵢ · outᵢ) over the Dense layers of outᵢ ≥ 256, when B ≥ 64:
///                  what a training pass that leaves its input's zero columns out may copy
///                  (x[:, S], W[S, :], ∂L/∂W[S, :]; at most these, as |S| ≤ inᵢ)
/// ```
/// Sums are in `Double`, so no layer size can overflow them. It is an estimate: the data,
/// the metrics and the allocator's overhead come on top.
public struct TrainingMemoryEstimate: Sendable, Equatable {
    public var weights: Double
    public var gradients: Double
    public var optimizerState: Double
    public var activations: Double
    /// The copies of the Dense layers that may skip zero input columns in training (an upper bound).
    public var zeroColumnCopies: Double

    /// The sum of the parts, in bytes.
    public var total: Double { weights + gradients + optimizerState + activations + zeroColumnCopies }

    /// - Parameters:
    ///   - inputSize: columns of the input.
    ///   - layers: the layers' settings, in order (one whose layout throws counts as a pass-through).
    ///   - batchSize: rows per training step.
    ///   - inferenceRows: rows in one prediction or evaluation pass (``Sequential/predict(_:batchSize:)``
    ///     runs up to 16,384 rows at once).
    ///   - optimizerSlots: floats the optimizer keeps per parameter.
    public init(inputSize: Int, layers: [any LayerConfiguration], batchSize: Int, inferenceRows: Int, optimizerSlots: Int) {
        var parameters: Double = 0
        var buffers: Double = 0
        var trainingFloatsPerRow: Double = 0
        var inferenceFloatsPerRow: Double = 0
        var copies: Double = 0
        var width = Double(inputSize)
        for layer in layers {
            var out = width
            if let layout = try? layer.tensorLayout(inputWidth: Int(width)) {
                out = Double(layout.outputWidth)
                for tensor in layout.tensors {
                    let size = tensor.shape.reduce(1.0) { $0 * Double($1) }
                    if tensor.isBuffer { buffers += size } else { parameters += size }
                }
            }
            if layer is Dense.Configuration, ZeroColumnSkipping.worthLooking(rows: batchSize, columns: Int(width), units: Int(out)) {
                copies += Double(batchSize) * width + 2 * width * out
            }
            trainingFloatsPerRow += 3 * out + width
            inferenceFloatsPerRow += 2 * out
            width = out
        }
        let bytesPerFloat = Double(MemoryLayout<Float>.stride)
        weights = 2 * bytesPerFloat * (parameters + buffers)
        gradients = bytesPerFloat * parameters
        optimizerState = Double(optimizerSlots) * bytesPerFloat * parameters
        zeroColumnCopies = bytesPerFloat * copies
        activations = bytesPerFloat * max(Double(batchSize) * trainingFloatsPerRow, Double(inferenceRows) * inferenceFloatsPerRow)
    }
}
