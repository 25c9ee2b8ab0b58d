extension Sequential {
    /// ``compile(loss:optimizer:metrics:gradientClipping:learningRateSchedule:)`` with the
    /// precision of the training products.
    ///
    /// With `.bfloat16` the GEMMs of every training step (forward `x·W`, backward `δ·Wᵀ` and
    /// `xᵀ·δ` of each ``Dense`` layer) take bf16 operands and accumulate in fp32 (see
    /// ``ComputePrecision``); weights, optimizer state, loss and softmax stay fp32, and
    /// predictions, evaluation and the saved model are fp32. Other layer types train in fp32.
    ///
    /// - Throws: ``PerceptronError/unsupportedPrecision(precision:reason:)`` when this CPU
    ///   cannot run `precision` (check ``ComputePrecision/isSupported`` first, or pass
    ///   `precision.orFloat32Fallback` to fall back to fp32), and whatever the plain
    ///   compile throws.
    public func compile(loss: Loss, optimizer: any Optimizer = Adam(), metrics: [Metric] = [],
                        gradientClipping: GradientClipping? = nil,
                        learningRateSchedule: LearningRateSchedule = .constant,
                        precision: ComputePrecision) throws {
        if let reason = precision.unsupportedReason {
            throw PerceptronError.unsupportedPrecision(precision: precision.rawValue, reason: reason)
        }
        try compile(loss: loss, optimizer: optimizer, metrics: metrics, gradientClipping: gradientClipping,
                    learningRateSchedule: learningRateSchedule)
        setTrainingPrecision(precision)
    }

    /// Sets ``trainingPrecision`` and hands it to every Dense layer.
    func setTrainingPrecision(_ precision: ComputePrecision) {
        trainingPrecision = precision
        for index in layers.indices {
            guard var dense = layers[index] as? Dense, dense.trainingPrecision != precision else { continue }
            dense.trainingPrecision = precision
            layers[index] = dense
        }
    }
}
