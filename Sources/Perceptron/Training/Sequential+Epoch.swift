import Foundation

/// What one call of `fit` carries from epoch to epoch.
struct FitRun {
    let x: Matrix
    let y: Matrix
    let loss: Loss
    let batchSize: Int
    /// Rows used for training (the first `trainingCount` of x, after a validation split).
    let trainingCount: Int
    let shuffle: Bool
    /// A weight per row of x, from class weights.
    let rowWeights: [Float]?
    let validation: (x: Matrix, y: Matrix)?
    let callbacks: [any Callback]
    var history: History
    var metrics: MetricAccumulator
    /// ⌈trainingCount / batchSize⌉.
    let batchCount: Int
    /// When this call began, and the seconds earlier (resumed) epochs took.
    let start = ContinuousClock.now
    let earlierSeconds: Double

    init(x: Matrix, y: Matrix, loss: Loss, batchSize: Int, trainingCount: Int, shuffle: Bool, rowWeights: [Float]?,
         validation: (x: Matrix, y: Matrix)?, callbacks: [any Callback], history: History, metrics: MetricAccumulator) {
        self.x = x
        self.y = y
        self.loss = loss
        self.batchSize = batchSize
        self.trainingCount = trainingCount
        self.shuffle = shuffle
        self.rowWeights = rowWeights
        self.validation = validation
        self.callbacks = callbacks
        self.history = history
        self.metrics = metrics
        batchCount = (trainingCount + batchSize - 1) / batchSize
        earlierSeconds = history.epochs.last?.elapsed ?? 0
    }

    /// Seconds of training so far, earlier (resumed) epochs included.
    func elapsed() -> Double {
        let d = ContinuousClock.now - start
        return earlierSeconds + Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}

extension Sequential {
    /// One epoch: the learning rate for it, a fresh order of the rows, every batch, then the
    /// epoch's metrics (and validation metrics) to the history and the callbacks.
    /// - Returns: false when a step's loss or gradient was not finite (the history says
    ///   where; the weights are those before that step, or the epoch's first if an earlier
    ///   update overflowed them): training ends there.
    func trainEpoch(_ epoch: Int, _ run: inout FitRun) throws -> Bool {
        if learningRateSchedule != .constant {
            optimizer.learningRate = learningRateSchedule.learningRate(base: baseLearningRate, epoch: epoch)
        }
        for callback in run.callbacks { callback.epochWillBegin(epoch, model: self) }
        // Shares storage until the first update of the epoch: one copy per epoch, kept in
        // case an update overflows the weights themselves.
        let epochStartWeights = weights
        let epochStartBuffers = buffers
        // Each epoch's order depends only on the generator's state, so consecutive fits
        // (or a fit resumed from a saved generator) continue one stream: fit 2 epochs +
        // fit 2 epochs equals fit 4 epochs from the same seed.
        workspace.order.removeAll(keepingCapacity: true)
        workspace.order.append(contentsOf: 0..<run.trainingCount)
        if run.shuffle { workspace.order.shuffle(using: &generator) }
        run.metrics.reset()
        var lossSum: Double = 0
        for batch in 0..<run.batchCount {
            guard trainBatch(batch, epoch: epoch, &run, lossSum: &lossSum) else {
                run.history.stopReason = .nonFiniteLoss(epoch: epoch, batch: batch, loss: lastStepLoss)
                if !weights.allSatisfy({ $0.allSatisfy(\.isFinite) }) {
                    // A finite gradient times a huge learning rate overflowed an earlier
                    // update: fall back to the weights this epoch began with.
                    try setWeights(epochStartWeights)
                    try setBuffers(epochStartBuffers)
                }
                return false
            }
        }
        let parallel = dataParallel
        if let parallel { run.metrics.reduce(with: parallel) }
        var values = run.metrics.values()
        values["loss"] = Float(lossSum / Double(max(run.trainingCount, 1)))
        values["lr"] = optimizer.learningRate
        if let validation = run.validation {
            for (key, value) in try evaluate(validation.x, validation.y) { values["val_" + key] = value }
        }
        // Every rank's callbacks see rank 0's values, so they decide alike (early stopping).
        parallel?.agree(&values)
        let logs = EpochLogs(epoch: epoch, values: values, elapsed: run.elapsed())
        run.history.epochs.append(logs)
        for callback in run.callbacks { callback.epochDidEnd(logs, model: self) }
        return true
    }

    /// One batch: gathers its rows (and row weights), takes a step, adds the batch to the
    /// epoch's loss sum and metrics, and tells the callbacks.
    /// - Returns: false when the step's loss or gradient was not finite (nothing applied).
    func trainBatch(_ batch: Int, epoch: Int, _ run: inout FitRun, lossSum: inout Double) -> Bool {
        let range = (batch * run.batchSize)..<min((batch + 1) * run.batchSize, run.trainingCount)
        // Data-parallel: this rank's contiguous shard of the global batch.
        let parallel = dataParallel
        let shard = parallel?.shard(of: range) ?? range
        parallel?.beginStep(localRows: shard.count, globalRows: range.count)
        let indices = workspace.order[shard]
        run.x.gatherRows(indices, into: &workspace.xBatch)
        run.y.gatherRows(indices, into: &workspace.yBatch)
        if let rowWeights = run.rowWeights {
            workspace.sampleWeights.removeAll(keepingCapacity: true)
            for i in indices { workspace.sampleWeights.append(rowWeights[i]) }
        }
        guard let stepLoss = trainStep(loss: run.loss, useSampleWeights: run.rowWeights != nil) else { return false }
        lossSum += Double(stepLoss) * Double(range.count)
        if !shard.isEmpty { run.metrics.add(output: layers[layers.count - 1].output, targets: workspace.yBatch) }
        if !run.callbacks.isEmpty {
            var values = run.metrics.values()
            values["loss"] = Float(lossSum / Double(range.upperBound))
            let logs = BatchLogs(epoch: epoch, batch: batch, batchCount: run.batchCount, values: values, elapsed: run.elapsed())
            for callback in run.callbacks { callback.batchDidEnd(logs, model: self) }
        }
        return true
    }
}
