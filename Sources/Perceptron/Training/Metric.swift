/// A quantity reported during ``Sequential/fit(_:_:epochs:batchSize:shuffle:validationSplit:validationData:classWeights:callbacks:initialEpoch:resumeFrom:)``
/// and ``Sequential/evaluate(_:_:batchSize:)``, beside the loss.
///
/// ```
/// accuracy  (1/n)·Σ [ŷᵢ = yᵢ]   with ŷᵢ = argmax of the output row (several outputs),
///           or [output ≥ ½] (one sigmoid output; ≥ 0 for a logit output)
/// meanSquaredError  (1/nk)·Σ (ŷ − y)²     meanAbsoluteError  (1/nk)·Σ |ŷ − y|
/// ```
public enum Metric: String, Codable, CaseIterable, Sendable {
    case accuracy, meanSquaredError, meanAbsoluteError

    /// The key used in logs and ``History`` ("accuracy", "mse", "mae").
    public var key: String {
        switch self {
        case .accuracy: return "accuracy"
        case .meanSquaredError: return "mse"
        case .meanAbsoluteError: return "mae"
        }
    }
}

/// Running sums for metrics over the batches of an epoch.
struct MetricAccumulator {
    let metrics: [Metric]
    let loss: Loss
    var sums: [Double]
    var counts: [Double]

    init(metrics: [Metric], loss: Loss) {
        self.metrics = metrics
        self.loss = loss
        sums = Array(repeating: 0, count: metrics.count)
        counts = Array(repeating: 0, count: metrics.count)
    }

    mutating func reset() {
        for i in sums.indices { sums[i] = 0; counts[i] = 0 }
    }

    /// Adds a batch's outputs `a` against targets `y`.
    mutating func add(output a: Matrix, targets y: Matrix) {
        for (index, metric) in metrics.enumerated() {
            switch metric {
            case .accuracy:
                var correct = 0
                let threshold: Float = loss == .binaryCrossEntropyFromLogits ? 0 : 0.5
                a.withUnsafeBufferPointer { ap in
                    y.withUnsafeBufferPointer { yp in
                        let k = a.columns
                        for i in 0..<a.rows {
                            if k == 1 && !loss.usesClassIndices {
                                if (ap[i] >= threshold) == (yp[i] >= 0.5) { correct += 1 }
                                continue
                            }
                            var best = 0
                            for j in 1..<max(k, 1) where ap[i * k + j] > ap[i * k + best] { best = j }
                            let label: Int
                            if loss.usesClassIndices {
                                label = Int(yp[i])
                            } else {
                                var l = 0
                                for j in 1..<max(k, 1) where yp[i * k + j] > yp[i * k + l] { l = j }
                                label = l
                            }
                            if best == label { correct += 1 }
                        }
                    }
                }
                sums[index] += Double(correct)
                counts[index] += Double(a.rows)
            case .meanSquaredError, .meanAbsoluteError:
                guard !loss.usesClassIndices, a.columns == y.columns else { continue }
                let squared = metric == .meanSquaredError
                a.withUnsafeBufferPointer { ap in
                    y.withUnsafeBufferPointer { yp in
                        var s: Double = 0
                        for i in 0..<ap.count {
                            let d = Double(ap[i] - yp[i])
                            s += squared ? d * d : Swift.abs(d)
                        }
                        sums[index] += s
                    }
                }
                counts[index] += Double(a.count)
            }
        }
    }

    /// Current values by key.
    func values(prefix: String = "") -> [String: Float] {
        var result: [String: Float] = [:]
        for (index, metric) in metrics.enumerated() where counts[index] > 0 {
            result[prefix + metric.key] = Float(sums[index] / counts[index])
        }
        return result
    }
}
