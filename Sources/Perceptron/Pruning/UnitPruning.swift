/// Structured (unit-wise) magnitude pruning: in each hidden Dense layer the fraction s of
/// the units with the smallest weights is removed, giving a genuinely narrower dense network,
/// smaller and faster with the ordinary dense kernels (no sparse product needed). Fine-tuning
/// the narrower network then recovers most of the accuracy.
///
/// Unit u of Dense layer l, whose outputs reach Dense layer m through BatchNormalization and
/// Dropout layers only, scores
/// ```
/// score_u = ‖W_m[u, ·]‖₂ · ‖(W_l[·, u], b_l[u])‖₂     nothing between l and m
/// score_u = ‖W_m[u, ·]‖₂                              a normalization between (it resets the scale)
/// ```
/// (the product is unchanged when a ReLU unit's incoming weights are scaled by c > 0 and its
/// outgoing ones by 1/c). Per layer, the ⌊s·units⌋ lowest scores go (ties: lowest index
/// first; at least one unit stays). Layers are narrowed in order, each scored on the weights
/// left by the narrowing before it. Removing u deletes column u of W_l and b_l[u], the
/// normalizations' per-unit tensors at u and row u of W_m: the narrower network computes
/// exactly what the wide one computes with those rows of W_m set to zero.
///
/// The output layer, a softmax layer and one followed by LayerNormalization or another layer
/// type before the next Dense are left whole, with the reason in the report (as
/// ``NeuronPruning``).
public enum UnitPruning {
    /// Which units of each narrowed layer go: Dense layer index → removed units, ascending.
    public typealias Selection = [Int: [Int]]

    /// The narrower copy of `model` (compiled like it, with a fresh optimizer state at the
    /// rate it holds), the units removed (`selection`) and the report (every removal counts
    /// under ``NeuronPruning/Report/Narrowed/outgoingPruned``: it is as if those outgoing
    /// weights were pruned).
    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)`` unless
    ///   0 ≤ `fraction` < 1; ``PerceptronError/incompatible(_:)`` for a model without a hidden
    ///   Dense layer.
    public static func narrowed(_ model: Sequential, fraction: Double) throws
        -> (model: Sequential, selection: Selection, report: NeuronPruning.Report) {
        guard fraction >= 0, fraction < 1 else {
            throw PerceptronError.invalidHyperparameter(name: "unit pruning fraction", value: "\(fraction)",
                                                        expected: "a fraction in [0, 1)")
        }
        let denseIndices = model.layers.indices.filter { model.layers[$0] is Dense }
        guard denseIndices.count >= 2 else {
            throw PerceptronError.incompatible("the model has no hidden Dense layer whose units could be removed")
        }
        var configurations = model.layers.map(\.configuration)
        var weights = model.weights
        var buffers = model.buffers
        var report = NeuronPruning.Report()
        var selection: Selection = [:]
        for (l, m) in zip(denseIndices, denseIndices.dropFirst()) {
            let layer = model.layers[l] as! Dense
            if let reason = NeuronPruning.refusal(model.layers, from: l, to: m) {
                report.skipped.append(.init(layer: l, reason: reason))
                continue
            }
            let scores = unitScores(weights: weights, from: l, to: m, useBias: layer.useBias)
            let count = min(MagnitudePruning.prunedCount(layer.units, fraction), layer.units - 1)
            guard count > 0 else { continue }
            let removed = MagnitudePruning.magnitudeOrder(scores).prefix(count).sorted()
            let removedSet = Set(removed)
            let keep = (0..<layer.units).filter { !removedSet.contains($0) }
            weights[l][0] = weights[l][0].selectingColumns(keep)
            if layer.useBias { weights[l][1] = weights[l][1].selectingColumns(keep) }
            for k in (l + 1)..<m {
                weights[k] = weights[k].map { $0.selectingColumns(keep) }
                buffers[k] = buffers[k].map { $0.selectingColumns(keep) }
            }
            weights[m][0] = weights[m][0].gatherRows(keep)
            var narrowedConfiguration = layer.configuration as! Dense.Configuration
            narrowedConfiguration.units = keep.count
            configurations[l] = narrowedConfiguration
            selection[l] = removed
            report.narrowed.append(.init(layer: l, unitsBefore: layer.units, unitsAfter: keep.count,
                                         outgoingPruned: removed.count, constant: 0))
        }
        let narrowed = try Sequential(inputSize: model.inputSize, layers: configurations.map { try $0.makeLayer() }, seed: model.seed)
        try narrowed.setWeights(weights)
        try narrowed.setBuffers(buffers)
        if let loss = model.loss {
            try narrowed.compile(loss: loss, optimizer: model.optimizer.configuration.makeOptimizer(), metrics: model.metrics,
                                 gradientClipping: model.gradientClipping, learningRateSchedule: model.learningRateSchedule)
        }
        return (narrowed, selection, report)
    }

    /// ``narrowed(_:fraction:)``, then `epochs` of training of the narrower network on (`x`, `y`)
    /// (from the learning rate `model`'s optimizer holds, as ``Sequential/prune(to:scope:fineTuneOn:_:epochs:batchSize:callbacks:)``).
    /// - Returns: the narrower model, the selection, the report and the fine-tuning's history
    ///   (nil for `epochs` = 0).
    /// - Throws: as ``narrowed(_:fraction:)``; ``PerceptronError`` for negative epochs, a batch
    ///   size below 1, fine-tuning without a compiled loss, and whatever `fit` throws.
    public static func prune(_ model: Sequential, fraction: Double, fineTuneOn x: Matrix, _ y: Matrix, epochs: Int,
                             batchSize: Int = 32, callbacks: [any Callback] = []) throws
        -> (model: Sequential, selection: Selection, report: NeuronPruning.Report, history: History?) {
        guard epochs >= 0 else {
            throw PerceptronError.invalidHyperparameter(name: "fine-tuning epochs", value: "\(epochs)", expected: "an integer ≥ 0")
        }
        guard batchSize >= 1 else {
            throw PerceptronError.invalidHyperparameter(name: "batchSize", value: "\(batchSize)", expected: "an integer ≥ 1")
        }
        if epochs > 0 { _ = try model.compiledLoss() }
        let (narrowed, selection, report) = try narrowed(model, fraction: fraction)
        guard epochs > 0 else { return (narrowed, selection, report, nil) }
        let history = try narrowed.fit(x, y, epochs: epochs, batchSize: batchSize, callbacks: callbacks)
        return (narrowed, selection, report, history)
    }

    /// score_u for each unit u of Dense layer l (see the type's equation), on `weights`.
    static func unitScores(weights: [[Matrix]], from l: Int, to m: Int, useBias: Bool) -> [Float] {
        let incoming = weights[l][0], outgoing = weights[m][0]
        let normalizedBetween = m > l + 1 && (l + 1..<m).contains { !weights[$0].isEmpty }
        return (0..<incoming.columns).map { u in
            var out: Float = 0
            for k in 0..<outgoing.columns { out += outgoing[u, k] * outgoing[u, k] }
            guard !normalizedBetween else { return out.squareRoot() }
            var inSquared: Float = 0
            for r in 0..<incoming.rows { inSquared += incoming[r, u] * incoming[r, u] }
            if useBias { inSquared += weights[l][1][0, u] * weights[l][1][0, u] }
            return (out * inSquared).squareRoot()
        }
    }
}
