/// How far data-parallel training (``DataParallel``) may move the weights away from a single
/// process's, from the order in which the batch's gradient terms are summed. Append it to a
/// **single-process** model's ``Sequential/gradientTransforms`` (SGD, Dense layers, no
/// regularizer) and train; ``bound`` is then an elementwise bound on |w_N − w_1|.
///
/// Derivation. A Dense layer's weight gradient is a dot product over the B rows of the batch,
/// g_jk = Σ_i p_i with p_i = x_ij·δ_ik (bias: p_i = δ_ik). A row's forward and backward pass
/// do not depend on the other rows, and with N a power of two dividing B each rank's
/// 1/b scaling is the single process's 1/B times an exact power of two, so both runs sum
/// the same B terms p_i, in different orders:
///
/// ```
/// one process:  fl(Σ_{i<B} p_i)                       |error| ≤ γ_B · S,   S = Σ_i |p_i|
/// N ranks:      fl(Σ_r fl(Σ_{i in shard r} p_i))      |error| ≤ γ_{b+N−1} · S ≤ γ_B · S
/// ⇒ |g_N − g_1| ≤ 2γ_B · S   per step,   γ_n = n·u / (1 − n·u),  u = 2⁻²⁴
/// ```
/// (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1: any summation order, with
/// or without fused multiply-adds.) SGD's update w ← fl(w − fl(η·g)) rounds twice more, so
/// two runs whose gradients differ may differ by a further 2u·(|w| + 2η|g|); after T steps,
/// to first order (a weight difference feeds back into later gradients; that term is not
/// bounded):
///
/// ```
/// |w_N − w_1| ≤ Σ_t [ η_t · 2γ_B · S_t + 2u · (|w_t| + 2η_t·|g_t|) ]
/// ```
/// S_t = |X|ᵀ|δ| (Σ_i |δ_i| for the bias) is computed here at each step, one extra GEMM
/// per layer. The bound is a worst case: rounding errors of a long sum mostly cancel
/// (typically √B·u rather than B·u), which leaves room for the first-order feedback.
public final class SummationErrorBound: GradientTransform {
    unowned let model: Sequential
    private var accumulated: [[Matrix]]

    /// - Throws: ``PerceptronError/incompatible(_:)`` unless the model is compiled with SGD
    ///   without momentum or weight decay, and every layer is a Dense layer without a regularizer.
    public init(model: Sequential) throws {
        guard let sgd = model.optimizer as? SGD, sgd.momentum == 0, sgd.weightDecay == 0 else {
            throw PerceptronError.incompatible("the summation error bound is derived for SGD without momentum or weight decay")
        }
        for layer in model.layers {
            guard let dense = layer as? Dense, dense.kernelRegularizer == nil else {
                throw PerceptronError.incompatible("the summation error bound covers Dense layers without a regularizer, not \(layer.typeName)")
            }
        }
        self.model = model
        accumulated = model.weights.map { $0.map { Matrix(rows: $0.rows, columns: $0.columns) } }
    }

    /// The elementwise bound on |w_N − w_1| so far, shaped as ``Sequential/weights``.
    public var bound: [[Matrix]] { accumulated }

    /// γ_n = n·u / (1 − n·u) for float32.
    public static func gamma(_ n: Int) -> Double {
        let nu = Double(n) * 0x1p-24
        return nu / (1 - nu)
    }

    public func transform(_ gradients: inout ModelGradients) -> GradientTransformOutcome {
        let x = model.workspace.xBatch
        let rate = model.optimizer.learningRate
        let step = Float(Double(rate) * 2 * Self.gamma(x.rows))
        let fused = model.compiledPairing?.isFused ?? false
        let layers = gradients.layers.map { $0 as! Dense }
        let last = layers.count - 1
        var delta = Matrix(rows: 0, columns: 0)
        var terms = Matrix(rows: 0, columns: 0)
        for i in layers.indices {
            let layer = layers[i]
            let upstream = i == last ? model.workspace.lossGradient : layers[i + 1].inputGradient
            if i == last && fused {
                delta = upstream
            } else {
                layer.activation.backward(outputGradient: upstream, input: layer.preactivation, output: layer.output, into: &delta)
            }
            let input = i == 0 ? x : layers[i - 1].output
            let absoluteDelta = Self.absolute(delta)
            Matrix.multiply(Self.absolute(input), absoluteDelta, transposeA: true, into: &terms)
            Self.add(terms, times: step, to: &accumulated[i][0])
            if layer.useBias { Self.add(absoluteDelta.sumColumns(), times: step, to: &accumulated[i][1]) }
        }
        // The update's two roundings: 2u·(|w| + 2η|g|), with 2γ_1 for 2u so it rounds upwards.
        let twoU = Float(2 * Self.gamma(1))
        for i in accumulated.indices {
            for p in accumulated[i].indices {
                let (w, g) = (layers[i].parameters[p], p == 0 ? layers[i].weightGradient : layers[i].biasGradient)
                w.withUnsafeBufferPointer { wp in
                    g.withUnsafeBufferPointer { gp in
                        accumulated[i][p].withUnsafeMutableBufferPointer { b in
                            for j in b.indices { b[j] += twoU * (Swift.abs(wp[j]) + 2 * rate * Swift.abs(gp[j])) }
                        }
                    }
                }
            }
        }
        return .proceed
    }

    private static func absolute(_ m: Matrix) -> Matrix {
        var copy = m
        copy.withUnsafeMutableBufferPointer { for j in $0.indices { $0[j] = Swift.abs($0[j]) } }
        return copy
    }

    private static func add(_ m: Matrix, times factor: Float, to sum: inout Matrix) {
        m.withUnsafeBufferPointer { p in sum.withUnsafeMutableBufferPointer { s in for j in s.indices { s[j] += factor * p[j] } } }
    }
}
