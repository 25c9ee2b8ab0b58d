/// Magnitude pruning of the Dense layers' weights (Han et al. 2015; the gradual schedule
/// of Zhu & Gupta 2017): the fraction s of weights smallest in |w| is set to zero, and a
/// mask keeps them at zero while the model trains on.
///
/// ```
/// per layer:  mask_l = 1[|W_l| > the ⌊s·|W_l|⌋-th smallest |W_l|]     (ties: lowest index pruned first)
/// global:     one threshold over the weights of every Dense layer together, ⌊s·Σ|W_l|⌋ pruned
/// W_l ← W_l ⊙ mask_l
/// ```
/// Biases, normalization parameters and buffers are never pruned. As a
/// ``ParameterConstraint`` (in ``Sequential/parameterConstraints``) it re-applies the
/// masks after every optimizer step, and at the schedule's pruning steps recomputes them
/// from the current magnitudes at s_t (weights pruned before are zero, so they stay pruned
/// while s_t rises).
public struct MagnitudePruning: ParameterConstraint {
    /// Which weights compete for the same threshold.
    public enum Scope: String, Sendable, Codable, CaseIterable {
        /// Each Dense layer loses the same fraction of its weights.
        case perLayer
        /// All Dense weights are ranked together (small layers can lose less, large ones more).
        case global
    }

    public let scope: Scope
    public let schedule: PruningSchedule
    /// The current masks, by layer index (Dense layers only), 1 where a weight is kept.
    public private(set) var masks: [Int: Matrix] = [:]
    /// The optimizer steps constrained so far (t of the schedule).
    public private(set) var step = 0

    public init(scope: Scope, schedule: PruningSchedule) {
        self.scope = scope
        self.schedule = schedule
    }

    /// Prunes `layers` to `sparsity` now: computes the masks from the weights' magnitudes and
    /// applies them.
    public mutating func prune(_ layers: inout [any Layer], to sparsity: Double) {
        masks = Self.masks(for: layers, sparsity: sparsity, scope: scope)
        apply(to: &layers)
    }

    /// After optimizer step t (counted from 0 by this value): at a pruning step of the
    /// schedule, new masks at s_t; then W ← W ⊙ mask.
    public mutating func constrain(_ layers: inout [any Layer]) {
        if schedule.isPruningStep(step) || masks.isEmpty {
            masks = Self.masks(for: layers, sparsity: schedule.sparsity(atStep: step), scope: scope)
        }
        apply(to: &layers)
        step += 1
    }

    /// W ← W ⊙ mask for every masked layer.
    public func apply(to layers: inout [any Layer]) {
        for (index, mask) in masks {
            Self.visitWeight(of: &layers[index]) { weight in
                precondition(weight.count == mask.count, "MagnitudePruning: a mask of \(mask.count) for \(weight.count) weights")
                mask.withUnsafeBufferPointer { m in
                    weight.withUnsafeMutableBufferPointer { w in for j in w.indices { w[j] *= m[j] } }
                }
            }
        }
    }

    /// The masks that prune the fraction `sparsity` of the Dense weights with the smallest |w|.
    public static func masks(for layers: [any Layer], sparsity: Double, scope: Scope) -> [Int: Matrix] {
        let dense = layers.indices.compactMap { i in (layers[i] as? Dense).map { (index: i, weight: $0.weight) } }
        var masks: [Int: Matrix] = [:]
        switch scope {
        case .perLayer:
            for (index, weight) in dense {
                var mask = Matrix(rows: weight.rows, columns: weight.columns, repeating: 1)
                let order = magnitudeOrder(weight.elements)
                mask.withUnsafeMutableBufferPointer { m in
                    for j in order.prefix(prunedCount(weight.count, sparsity)) { m[j] = 0 }
                }
                masks[index] = mask
            }
        case .global:
            let all = dense.flatMap(\.weight.elements)
            var offsets: [Int] = []
            var offset = 0
            for (index, weight) in dense {
                offsets.append(offset)
                offset += weight.count
                masks[index] = Matrix(rows: weight.rows, columns: weight.columns, repeating: 1)
            }
            for j in magnitudeOrder(all).prefix(prunedCount(all.count, sparsity)) {
                // The layer holding flat index j: the last whose offset is ≤ j.
                var k = offsets.count - 1
                while offsets[k] > j { k -= 1 }
                masks[dense[k].index]!.withUnsafeMutableBufferPointer { $0[j - offsets[k]] = 0 }
            }
        }
        return masks
    }

    /// The fraction of the Dense layers' weights that are exactly zero.
    public static func sparsity(of layers: [any Layer]) -> Double {
        var zeros = 0, total = 0
        for case let dense as Dense in layers {
            zeros += dense.weight.elements.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
            total += dense.weight.count
        }
        return total == 0 ? 0 : Double(zeros) / Double(total)
    }

    /// ⌊s·n⌋ (s·n rounded to the nearest when within 1e-9 of an integer, so 0.9·10 prunes 9).
    static func prunedCount(_ n: Int, _ sparsity: Double) -> Int {
        let exact = sparsity * Double(n)
        let rounded = exact.rounded()
        return min(n, max(0, abs(exact - rounded) < 1e-9 ? Int(rounded) : Int(exact.rounded(.down))))
    }

    /// Indices of `values` by |v| ascending, ties by index.
    static func magnitudeOrder(_ values: [Float]) -> [Int] {
        values.indices.sorted { a, b in
            let (x, y) = (abs(values[a]), abs(values[b]))
            return x < y || (x == y && a < b)
        }
    }

    /// Calls `body` on the Dense layer's weight (its parameter named "weight"), in place.
    static func visitWeight(of layer: inout any Layer, _ body: (inout Matrix) -> Void) {
        let names = layer.parameterNames
        layer.visitParameters { k, parameter, _ in
            if names[k] == "weight" { body(&parameter) }
        }
    }
}
