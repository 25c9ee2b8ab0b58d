/// Neuron pruning: removes the hidden units of Dense layers that contribute nothing, giving
/// a genuinely narrower network (smaller and faster with the ordinary dense kernels).
///
/// A hidden unit u of Dense layer l, whose outputs reach Dense layer m through
/// BatchNormalization and Dropout layers only, is removed when
/// ```
/// outgoing pruned:  W_m[u, ·] = 0                          it adds nothing to layer m
/// constant:         v_u, its value entering layer m, is one number c
///                   - on every row of the data given (a ReLU that never activates: c = 0), or
///                   - for every input, because W_l[·, u] = 0 (v_u = f(b_l[u]) after normalization)
///                   then b_m ← b_m + c·W_m[u, ·]             (needs layer m to have a bias)
/// ```
/// Removing u deletes column u of W_l and b_l[u], the normalization's γ, β, moving mean and
/// variance at u, and row u of W_m. The narrowed network's outputs equal the original's for
/// every input when only outgoing-pruned and zero-input units go, and on the data given
/// when units dead on that data go too (up to the rounding of the bias fold when c ≠ 0).
///
/// Left whole, with the reason in ``Report/skipped``: a layer with softmax (its units
/// are not independent), one followed by LayerNormalization (it normalizes over all units,
/// so removing one changes the others) or by any other layer type before the next Dense.
/// The output layer's units are never removed.
public enum NeuronPruning {
    /// What was removed.
    public struct Report: Sendable, Equatable {
        public struct Narrowed: Sendable, Equatable {
            /// The Dense layer's index in the model.
            public var layer: Int
            public var unitsBefore: Int
            public var unitsAfter: Int
            /// Units removed because every outgoing weight was zero.
            public var outgoingPruned: Int
            /// Units removed because their value was constant (dead on the data, or no inputs).
            public var constant: Int
        }
        public struct Skipped: Sendable, Equatable {
            public var layer: Int
            public var reason: String
        }
        public var narrowed: [Narrowed] = []
        public var skipped: [Skipped] = []
        /// Hidden units removed in all.
        public var removedUnits: Int { narrowed.reduce(0) { $0 + $1.unitsBefore - $1.unitsAfter } }
    }

    /// Rows run through the model at a time when measuring which units are constant.
    static let chunkRows = 4096

    /// The narrowed copy of `model` (compiled like it, with a fresh optimizer state), and what
    /// was removed. `data`: rows (already preprocessed, `model.inputSize` columns) on which a
    /// unit that stays constant counts as dead; nil removes only units constant for any input
    /// and those whose outgoing weights are all zero.
    /// - Throws: ``PerceptronError/shapeMismatch(what:expected:got:)`` for data of another
    ///   width, ``PerceptronError/emptyData(what:)`` for data without rows.
    public static func narrowed(_ model: Sequential, data: Matrix? = nil) throws -> (model: Sequential, report: Report) {
        if let data {
            guard data.columns == model.inputSize else {
                throw PerceptronError.shapeMismatch(what: "neuron pruning data", expected: "\(model.inputSize) columns", got: "\(data.columns)")
            }
            guard data.rows > 0 else { throw PerceptronError.emptyData(what: "neuron pruning data") }
        }
        // Each layer's output range over the data, and its output on one zero row (for units
        // with no inputs, whose value is the same for any row).
        let ranges = data.map { columnRanges(model, $0) }
        let probe = columnRanges(model, Matrix(rows: 1, columns: model.inputSize))

        var configurations = model.layers.map(\.configuration)
        var weights = model.weights
        var buffers = model.buffers
        var report = Report()
        let denseIndices = model.layers.indices.filter { model.layers[$0] is Dense }
        for (l, m) in zip(denseIndices, denseIndices.dropFirst()) {
            let layer = model.layers[l] as! Dense
            if let reason = refusal(model.layers, from: l, to: m) {
                report.skipped.append(.init(layer: l, reason: reason))
                continue
            }
            let next = model.layers[m] as! Dense
            let valueLayer = m - 1  // whose output enters layer m
            var keep: [Int] = []
            var outgoingPruned = 0, constant = 0
            for u in 0..<layer.units {
                let outgoing = weights[m][0].row(u)
                if outgoing.allSatisfy({ $0 == 0 }) {
                    outgoingPruned += 1
                    continue
                }
                let noInputs = (0..<weights[l][0].rows).allSatisfy { weights[l][0][$0, u] == 0 }
                let c: Float?
                if noInputs {
                    c = probe[valueLayer].low[u]
                } else if let ranges, ranges[valueLayer].low[u] == ranges[valueLayer].high[u] {
                    c = ranges[valueLayer].low[u]
                } else {
                    c = nil
                }
                guard let c, c == 0 || next.useBias, c.isFinite else {
                    keep.append(u)
                    continue
                }
                if c != 0 {
                    for k in 0..<next.units { weights[m][1][0, k] += c * outgoing[k] }
                }
                constant += 1
            }
            guard keep.count < layer.units else { continue }
            guard !keep.isEmpty else {
                report.skipped.append(.init(layer: l, reason: "every unit is removable; one is kept so that the network stays connected"))
                continue
            }
            // Column u of W_l and b_l, the normalizations' per-unit tensors, row u of W_m.
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
            report.narrowed.append(.init(layer: l, unitsBefore: layer.units, unitsAfter: keep.count,
                                         outgoingPruned: outgoingPruned, constant: constant))
        }

        let narrowed = try Sequential(inputSize: model.inputSize, layers: configurations.map { try $0.makeLayer() }, seed: model.seed)
        try narrowed.setWeights(weights)
        try narrowed.setBuffers(buffers)
        if let loss = model.loss {
            try narrowed.compile(loss: loss, optimizer: model.optimizer.configuration.makeOptimizer(), metrics: model.metrics,
                                 gradientClipping: model.gradientClipping, learningRateSchedule: model.learningRateSchedule)
        }
        return (narrowed, report)
    }

    /// Why the units of Dense layer `l` cannot be removed (nil: they can), given the layers up
    /// to the next Dense layer `m`.
    static func refusal(_ layers: [any Layer], from l: Int, to m: Int) -> String? {
        let layer = layers[l] as! Dense
        if !layer.activation.isElementwise {
            return "its activation \(layer.activation) is not elementwise (each unit's output depends on the others)"
        }
        for k in (l + 1)..<m {
            switch layers[k] {
            case is BatchNormalization, is Dropout:
                continue
            case is LayerNormalization:
                return "layer \(k) (LayerNormalization) normalizes over all its units, so removing one would change the others"
            default:
                return "layer \(k) (\(layers[k].typeName)) between it and the next Dense layer is not one neuron pruning can narrow"
            }
        }
        return nil
    }

    /// Per layer, the lowest and highest value of each output column over the rows of `x`
    /// (inference mode), run `chunkRows` rows at a time.
    static func columnRanges(_ model: Sequential, _ x: Matrix) -> [(low: [Float], high: [Float])] {
        var ranges = model.layers.map { (low: [Float](repeating: .infinity, count: $0.outputSize),
                                         high: [Float](repeating: -.infinity, count: $0.outputSize)) }
        var start = 0
        while start < x.rows {
            let end = min(x.rows, start + chunkRows)
            model.forward(x.gatherRows(start..<end), training: false)
            for (i, layer) in model.layers.enumerated() {
                let output = layer.output
                for r in 0..<output.rows {
                    for c in 0..<output.columns {
                        let v = output[r, c]
                        if v < ranges[i].low[c] { ranges[i].low[c] = v }
                        if v > ranges[i].high[c] { ranges[i].high[c] = v }
                    }
                }
            }
            start = end
        }
        return ranges
    }
}

extension Matrix {
    /// The columns at `indices`, in that order.
    func selectingColumns(_ indices: [Int]) -> Matrix {
        var out = Matrix(rows: rows, columns: indices.count)
        for r in 0..<rows { for (k, c) in indices.enumerated() { out[r, k] = self[r, c] } }
        return out
    }
}
