extension Sequential {
    /// The model's outputs for `x` (rows are samples), in inference mode (dropout off).
    /// - Parameter batchSize: rows per forward pass; nil runs up to 16,384 rows at once.
    /// - Throws: ``PerceptronError`` for an empty input, a feature count other than
    ///   ``inputSize``, or NaN/Inf in `x`.
    public func predict(_ x: Matrix, batchSize: Int? = nil) throws -> Matrix {
        try validate(features: x, name: "x")
        let chunk = try chunkSize(batchSize, rows: x.rows)
        if chunk >= x.rows {
            forward(x, training: false)
            return layers[layers.count - 1].output
        }
        var result = Matrix(rows: x.rows, columns: outputSize)
        var start = 0
        var batch = Matrix(rows: 0, columns: 0)
        while start < x.rows {
            let end = min(start + chunk, x.rows)
            x.gatherRows(start..<end, into: &batch)
            forward(batch, training: false)
            let output = layers[layers.count - 1].output
            result.withUnsafeMutableBufferPointer { dst in
                output.withUnsafeBufferPointer { src in
                    (dst.baseAddress! + start * outputSize).update(from: src.baseAddress!, count: src.count)
                }
            }
            start = end
        }
        return result
    }

    /// The predicted class of each row: the argmax of the outputs, or output ≥ ½ for one
    /// sigmoid output (≥ 0 for a logit output).
    public func predictClasses(_ x: Matrix, batchSize: Int? = nil) throws -> [Int] {
        let p = try predict(x, batchSize: batchSize)
        if p.columns == 1 {
            let threshold: Float = loss == .binaryCrossEntropyFromLogits ? 0 : 0.5
            return (0..<p.rows).map { p[$0, 0] >= threshold ? 1 : 0 }
        }
        return p.argmaxRows()
    }

    /// The loss (with regularization, as in training) and each compiled metric on `x`, `y`.
    /// - Returns: "loss" and each metric's key ("accuracy", "mse", "mae").
    /// - Throws: ``PerceptronError`` as ``fit(_:_:epochs:batchSize:shuffle:validationSplit:validationData:classWeights:callbacks:initialEpoch:resumeFrom:)`` does.
    public func evaluate(_ x: Matrix, _ y: Matrix, batchSize: Int? = nil) throws -> [String: Float] {
        let loss = try compiledLoss()
        try validate(x: x, y: y, loss: loss, names: ("x", "y"))
        let chunk = try chunkSize(batchSize, rows: x.rows)
        var accumulator = MetricAccumulator(metrics: metrics, loss: loss)
        var total: Double = 0
        var xBatch = Matrix(rows: 0, columns: 0), yBatch = Matrix(rows: 0, columns: 0)
        var start = 0
        let last = layers.count - 1
        while start < x.rows {
            let end = min(start + chunk, x.rows)
            if start == 0 && end == x.rows {
                xBatch = x; yBatch = y
            } else {
                x.gatherRows(start..<end, into: &xBatch)
                y.gatherRows(start..<end, into: &yBatch)
            }
            forward(xBatch, training: false)
            let value = outputLoss(loss, targets: yBatch)
            total += Double(value) * Double(end - start)
            accumulator.add(output: layers[last].output, targets: yBatch)
            start = end
        }
        var values = accumulator.values()
        values["loss"] = Float(total / Double(x.rows)) + regularizationPenalty()
        return values
    }

    private func chunkSize(_ batchSize: Int?, rows: Int) throws -> Int {
        if let batchSize {
            guard batchSize >= 1 else {
                throw PerceptronError.invalidHyperparameter(name: "batchSize", value: "\(batchSize)", expected: "an integer ≥ 1")
            }
            return batchSize
        }
        return 16_384
    }
}
