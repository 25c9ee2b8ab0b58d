import Foundation

/// A loss function L(ŷ, y), averaged over the batch.
///
/// With n rows, k columns and optional sample weights wᵢ (1 when absent):
///
/// | case | per-sample ℓᵢ | L |
/// |---|---|---|
/// | meanSquaredError | (1/k)·Σⱼ (ŷᵢⱼ − yᵢⱼ)² | (1/n)·Σᵢ wᵢ·ℓᵢ |
/// | meanAbsoluteError | (1/k)·Σⱼ |ŷᵢⱼ − yᵢⱼ| | 〃 |
/// | huber (δ = 1) | (1/k)·Σⱼ h(ŷᵢⱼ − yᵢⱼ), h(r) = ½r² if |r| ≤ δ else δ·(|r| − ½δ) | 〃 |
/// | binaryCrossEntropy | −(1/k)·Σⱼ [yᵢⱼ·log p̂ᵢⱼ + (1 − yᵢⱼ)·log(1 − p̂ᵢⱼ)] | 〃 |
/// | binaryCrossEntropyFromLogits | (1/k)·Σⱼ [max(zᵢⱼ, 0) − zᵢⱼ·yᵢⱼ + log(1 + e^−|zᵢⱼ|)] | 〃 |
/// | categoricalCrossEntropy | −Σⱼ yᵢⱼ·log p̂ᵢⱼ (y one-hot) | 〃 |
/// | sparseCategoricalCrossEntropy | −log p̂ᵢ,cᵢ (y an n × 1 column of class indices cᵢ) | 〃 |
///
/// **No log(0).** When the output layer's activation is the loss's natural partner
/// (softmax with either categorical loss, sigmoid with binary cross-entropy), training
/// computes the loss from the logits z with log-sum-exp and its gradient as
/// `∂L/∂z = wᵢ·(ŷ − y)/n` (divided by k too for binary cross-entropy), so no logarithm of a
/// probability is ever taken (seeds 001 and 002). Otherwise, probabilities are clamped
/// to [ε, 1 − ε] with ε = 1e-7 (Keras's choice) before the logarithm.
public enum Loss: String, Codable, CaseIterable, Sendable {
    case meanSquaredError, meanAbsoluteError, huber
    case binaryCrossEntropy, binaryCrossEntropyFromLogits
    case categoricalCrossEntropy, sparseCategoricalCrossEntropy

    /// Clamp for probabilities before a logarithm.
    public static let probabilityEpsilon: Float = 1e-7
    /// Huber's δ (PyTorch's default).
    public static let huberDelta: Float = 1

    /// The output activation whose pairing with this loss has the fused gradient ŷ − y.
    public var fusedActivation: Activation? {
        switch self {
        case .binaryCrossEntropy: return .sigmoid
        case .categoricalCrossEntropy, .sparseCategoricalCrossEntropy: return .softmax
        default: return nil
        }
    }

    /// Whether the targets are class indices (one column) rather than one value per output.
    public var usesClassIndices: Bool { self == .sparseCategoricalCrossEntropy }

    /// Checks that `targets` fit this loss and a model output of `outputSize` columns.
    /// - Throws: ``PerceptronError`` naming the offending row and value.
    public func validate(targets y: Matrix, outputSize: Int, what: String = "y") throws {
        if let bad = y.firstNonFinite() {
            throw PerceptronError.nonFiniteValue(what: what, row: bad.row, column: bad.column, value: bad.value)
        }
        switch self {
        case .sparseCategoricalCrossEntropy:
            guard y.columns == 1 else {
                throw PerceptronError.shapeMismatch(what: "\(what) for sparseCategoricalCrossEntropy",
                                                    expected: "1 column of class indices", got: "\(y.columns) columns")
            }
            for i in 0..<y.rows {
                let label = y[i, 0]
                if label < 0 || label >= Float(outputSize) || label.rounded() != label {
                    throw PerceptronError.labelOutOfRange(row: i, label: label, classCount: outputSize)
                }
            }
        default:
            guard y.columns == outputSize else {
                throw PerceptronError.shapeMismatch(what: "\(what) columns for \(rawValue)",
                                                    expected: "\(outputSize) (the model's output size)", got: "\(y.columns)")
            }
            if self == .binaryCrossEntropy || self == .binaryCrossEntropyFromLogits || self == .categoricalCrossEntropy {
                for i in 0..<y.rows { for j in 0..<y.columns where y[i, j] < 0 || y[i, j] > 1 {
                    throw PerceptronError.labelOutOfRange(row: i, label: y[i, j], classCount: max(outputSize, 2))
                } }
            }
        }
    }

    /// L(ŷ, y) for predictions `ŷ` (probabilities, values, or logits for the FromLogits case).
    public func value(predictions p: Matrix, targets y: Matrix, sampleWeights w: [Float]? = nil) -> Float {
        checkShapes(p, y, w)
        let (n, k) = (p.rows, p.columns)
        if n == 0 { return 0 }
        let eps = Loss.probabilityEpsilon
        var total: Double = 0
        for i in 0..<n {
            var sample: Double = 0
            switch self {
            case .sparseCategoricalCrossEntropy:
                let c = Int(y[i, 0])
                sample = -Double(Foundation.log(Swift.min(Swift.max(p[i, c], eps), 1 - eps)))
            case .categoricalCrossEntropy:
                for j in 0..<k where y[i, j] != 0 {
                    sample -= Double(y[i, j] * Foundation.log(Swift.min(Swift.max(p[i, j], eps), 1 - eps)))
                }
            default:
                for j in 0..<k { sample += Double(elementLoss(p[i, j], y[i, j])) }
                sample /= Double(k)
            }
            total += Double(w?[i] ?? 1) * sample
        }
        return Float(total / Double(n))
    }

    /// The loss of one element for the elementwise cases.
    @inline(__always)
    func elementLoss(_ p: Float, _ y: Float) -> Float {
        let eps = Loss.probabilityEpsilon
        switch self {
        case .meanSquaredError: return (p - y) * (p - y)
        case .meanAbsoluteError: return Swift.abs(p - y)
        case .huber:
            let r = Swift.abs(p - y), d = Loss.huberDelta
            return r <= d ? 0.5 * r * r : d * (r - 0.5 * d)
        case .binaryCrossEntropy:
            let q = Swift.min(Swift.max(p, eps), 1 - eps)
            return -(y * Foundation.log(q) + (1 - y) * Foundation.log(1 - q))
        case .binaryCrossEntropyFromLogits:
            return Swift.max(p, 0) - p * y + Foundation.log1p(Foundation.exp(-Swift.abs(p)))
        case .categoricalCrossEntropy, .sparseCategoricalCrossEntropy:
            preconditionFailure("not elementwise")
        }
    }

    /// Writes `∂L/∂ŷ` into `result` (resized to ŷ's shape).
    ///
    /// ```
    /// MSE: 2wᵢ(ŷ − y)/(nk)    MAE: wᵢ·sign(ŷ − y)/(nk)    Huber: wᵢ·clamp(ŷ − y, −δ, δ)/(nk)
    /// BCE: wᵢ(p̂ − y)/(p̂(1 − p̂)·nk)    BCE from logits: wᵢ(σ(z) − y)/(nk)
    /// CCE: −wᵢ·yᵢⱼ/(p̂ᵢⱼ·n)    sparse CCE: −wᵢ/(p̂ᵢ,cᵢ·n) at cᵢ, 0 elsewhere
    /// ```
    public func gradient(predictions p: Matrix, targets y: Matrix, sampleWeights w: [Float]? = nil, into result: inout Matrix) {
        checkShapes(p, y, w)
        let (n, k) = (p.rows, p.columns)
        if result.rows != n || result.columns != k { result.resize(rows: n, columns: k) }
        let eps = Loss.probabilityEpsilon
        let perBatch = 1 / Float(Swift.max(n, 1))
        let perElement = perBatch / Float(Swift.max(k, 1))
        for i in 0..<n {
            let wi = w?[i] ?? 1
            for j in 0..<k {
                let pv = p[i, j]
                var g: Float
                switch self {
                case .meanSquaredError: g = 2 * (pv - y[i, j]) * perElement
                case .meanAbsoluteError:
                    let r = pv - y[i, j]
                    g = (r > 0 ? 1 : (r < 0 ? -1 : 0)) * perElement
                case .huber:
                    g = Swift.min(Swift.max(pv - y[i, j], -Loss.huberDelta), Loss.huberDelta) * perElement
                case .binaryCrossEntropy:
                    let q = Swift.min(Swift.max(pv, eps), 1 - eps)
                    g = (q - y[i, j]) / (q * (1 - q)) * perElement
                case .binaryCrossEntropyFromLogits:
                    g = (Activation.logistic(pv) - y[i, j]) * perElement
                case .categoricalCrossEntropy:
                    g = -y[i, j] / Swift.min(Swift.max(pv, eps), 1 - eps) * perBatch
                case .sparseCategoricalCrossEntropy:
                    g = Int(y[i, 0]) == j ? -1 / Swift.min(Swift.max(pv, eps), 1 - eps) * perBatch : 0
                }
                result[i, j] = wi * g
            }
        }
    }

    /// `∂L/∂ŷ` as a new matrix.
    public func gradient(predictions p: Matrix, targets y: Matrix, sampleWeights w: [Float]? = nil) -> Matrix {
        var result = Matrix(rows: p.rows, columns: p.columns)
        gradient(predictions: p, targets: y, sampleWeights: w, into: &result)
        return result
    }

    /// The loss computed from the output layer's pre-activation `z`, for a loss paired
    /// with its ``fusedActivation``: log-sum-exp for softmax, the logit form for sigmoid.
    ///
    /// ```
    /// softmax + CCE:  ℓᵢ = Σⱼ yᵢⱼ·(log Σₖ e^zᵢₖ − zᵢⱼ)
    /// sigmoid + BCE:  ℓᵢ = (1/k)·Σⱼ [max(zᵢⱼ, 0) − zᵢⱼ·yᵢⱼ + log(1 + e^−|zᵢⱼ|)]
    /// ```
    public func fusedValue(logits z: Matrix, targets y: Matrix, sampleWeights w: [Float]? = nil) -> Float {
        precondition(fusedActivation != nil, "\(self) has no fused form")
        let (n, k) = (z.rows, z.columns)
        if n == 0 { return 0 }
        var total: Double = 0
        z.withUnsafeBufferPointer { zp in
            y.withUnsafeBufferPointer { yp in
                for i in 0..<n {
                    let row = i * k
                    var sample: Double = 0
                    if self == .binaryCrossEntropy {
                        for j in 0..<k {
                            let zv = zp[row + j]
                            sample += Double(Swift.max(zv, 0) - zv * yp[row + j] + Foundation.log1p(Foundation.exp(-Swift.abs(zv))))
                        }
                        sample /= Double(k)
                    } else {
                        var maximum = -Float.infinity
                        for j in 0..<k { maximum = Swift.max(maximum, zp[row + j]) }
                        var s: Double = 0
                        for j in 0..<k { s += Double(Foundation.exp(zp[row + j] - maximum)) }
                        let lse = Double(maximum) + Foundation.log(s)
                        if self == .sparseCategoricalCrossEntropy {
                            sample = lse - Double(zp[row + Int(yp[i])])
                        } else {
                            for j in 0..<k where yp[row + j] != 0 { sample += Double(yp[row + j]) * (lse - Double(zp[row + j])) }
                        }
                    }
                    total += Double(w?[i] ?? 1) * sample
                }
            }
        }
        return Float(total / Double(n))
    }

    /// Writes the fused gradient `∂L/∂z` into `result`, given the output `ŷ = f(z)` of
    /// the paired activation:
    ///
    /// ```
    /// ∂L/∂zᵢⱼ = wᵢ·(ŷᵢⱼ − yᵢⱼ)/n        (softmax + categorical; y one-hot, or 1 at cᵢ)
    /// ∂L/∂zᵢⱼ = wᵢ·(ŷᵢⱼ − yᵢⱼ)/(n·k)    (sigmoid + binary cross-entropy)
    /// ```
    public func fusedGradient(output a: Matrix, targets y: Matrix, sampleWeights w: [Float]? = nil, into result: inout Matrix) {
        precondition(fusedActivation != nil, "\(self) has no fused form")
        let (n, k) = (a.rows, a.columns)
        if result.rows != n || result.columns != k { result.resize(rows: n, columns: k) }
        let scale = 1 / Float(Swift.max(n, 1)) / (self == .binaryCrossEntropy ? Float(k) : 1)
        a.withUnsafeBufferPointer { ap in
            y.withUnsafeBufferPointer { yp in
                result.withUnsafeMutableBufferPointer { out in
                    for i in 0..<n {
                        let row = i * k
                        let s = scale * (w?[i] ?? 1)
                        if self == .sparseCategoricalCrossEntropy {
                            let c = Int(yp[i])
                            for j in 0..<k { out[row + j] = (ap[row + j] - (j == c ? 1 : 0)) * s }
                        } else {
                            for j in 0..<k { out[row + j] = (ap[row + j] - yp[row + j]) * s }
                        }
                    }
                }
            }
        }
    }

    private func checkShapes(_ p: Matrix, _ y: Matrix, _ w: [Float]?) {
        precondition(p.rows == y.rows, "Loss: predictions have \(p.rows) rows, targets \(y.rows)")
        if usesClassIndices {
            precondition(y.columns == 1, "Loss: sparse targets must be one column, got \(y.columns)")
        } else {
            precondition(p.columns == y.columns, "Loss: predictions have \(p.columns) columns, targets \(y.columns)")
        }
        precondition(w == nil || w!.count == p.rows, "Loss: \(w?.count ?? 0) sample weights for \(p.rows) rows")
    }
}
