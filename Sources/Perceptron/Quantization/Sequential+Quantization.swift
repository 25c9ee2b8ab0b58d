/// How ``Sequential/quantized(activations:)`` quantizes the inputs of each quantized layer.
public enum ActivationCalibration {
    /// Per batch, at inference time, from the batch's range (as PyTorch's `quantize_dynamic`).
    case dynamic
    /// Once, from the range each layer's input takes on these sample feature rows (static
    /// quantization): inference then skips the range pass, and values outside the
    /// calibrated range saturate.
    case calibrated(Matrix)
}

extension Sequential {
    /// Post-training int8 quantization: a new model in which every ``Dense`` layer is a
    /// ``QuantizedDense`` (int8 weights, one symmetric scale per output unit; inputs
    /// quantized to u8 per batch or with calibrated ranges) and every other layer is kept
    /// as it is (a copy). The new model has the same loss and metrics, so `predict`,
    /// `evaluate`, ``Predictor`` and ``ModelFile`` take it like any other; this model is
    /// left unchanged.
    ///
    /// Calibration runs this (float) model in inference mode over the sample rows, 4,096 at a
    /// time, and records each Dense layer's input range [min, max]; ``AffineQuantization``
    /// turns it into a scale and zero point.
    /// - Throws: ``PerceptronError/incompatible(_:)`` for a model with no Dense layer or a
    ///   Dense layer too wide to quantize; ``PerceptronError/emptyData(what:)``,
    ///   ``PerceptronError/shapeMismatch(what:expected:got:)`` or
    ///   ``PerceptronError/nonFiniteValue(what:row:column:value:)`` for calibration rows that
    ///   are empty, of the wrong width or not finite.
    public func quantized(activations: ActivationCalibration = .dynamic) throws -> Sequential {
        guard layers.contains(where: { $0 is Dense }) else {
            throw PerceptronError.incompatible("the model has no Dense layer to quantize")
        }
        var ranges: [Int: (min: Float, max: Float)] = [:]
        if case .calibrated(let rows) = activations { ranges = try denseInputRanges(rows) }
        var quantizedLayers: [any Layer] = []
        for (index, layer) in layers.enumerated() {
            guard let dense = layer as? Dense else {
                quantizedLayers.append(layer)
                continue
            }
            let input = ranges[index].map { AffineQuantization(min: $0.min, max: $0.max) }
            quantizedLayers.append(try QuantizedDense(quantizing: dense, input: input))
        }
        let model = try Sequential(inputSize: inputSize, layers: quantizedLayers, seed: seed)
        // The layers were built already (and keep their running statistics): not rebuilt.
        model.layers = quantizedLayers
        if let loss {
            try model.compile(loss: loss, optimizer: optimizer.configuration.makeOptimizer(), metrics: metrics,
                              gradientClipping: gradientClipping, learningRateSchedule: learningRateSchedule)
        }
        return model
    }

    /// The smallest and largest value each Dense layer's input takes over `x`, by layer index.
    private func denseInputRanges(_ x: Matrix) throws -> [Int: (min: Float, max: Float)] {
        guard x.rows > 0 else { throw PerceptronError.emptyData(what: "calibration rows") }
        guard x.columns == inputSize else {
            throw PerceptronError.shapeMismatch(what: "feature count of the calibration rows",
                                                expected: "\(inputSize) columns (the model's input size)", got: "\(x.columns)")
        }
        if let bad = x.firstNonFinite() {
            throw PerceptronError.nonFiniteValue(what: "calibration rows", row: bad.row, column: bad.column, value: bad.value)
        }
        var ranges: [Int: (min: Float, max: Float)] = [:]
        var scratch = layers
        var generator = SeededGenerator(seed: 0)
        var batch = Matrix(rows: 0, columns: 0)
        var start = 0
        while start < x.rows {
            let end = min(start + 4_096, x.rows)
            x.gatherRows(start..<end, into: &batch)
            for i in scratch.indices {
                let input = i == 0 ? batch : scratch[i - 1].output
                if scratch[i] is Dense {
                    let (low, high) = input.elements.reduce((Float.infinity, -Float.infinity)) { (min($0.0, $1), max($0.1, $1)) }
                    let old = ranges[i] ?? (low, high)
                    ranges[i] = (min(old.min, low), max(old.max, high))
                }
                scratch[i].forward(input, training: false, generator: &generator)
            }
            start = end
        }
        for (index, range) in ranges where !(range.min.isFinite && range.max.isFinite) {
            throw PerceptronError.incompatible("layer \(index)'s input is not finite on the calibration rows")
        }
        return ranges
    }
}
