extension Sequential {
    /// The ``DataParallel`` stage among ``gradientTransforms``, if any.
    var dataParallel: DataParallel? {
        for transform in gradientTransforms { if let parallel = transform as? DataParallel { return parallel } }
        return nil
    }

    /// Checks that the model can be trained data-parallel and makes every rank start from
    /// rank 0's weights and buffers.
    func beginDataParallelFit(_ parallel: DataParallel) throws {
        for layer in layers where layer is Dropout || layer is BatchNormalization {
            throw PerceptronError.incompatible(
                "data-parallel training does not support \(layer.typeName) layers: their masks and batch statistics would depend on each rank's shard")
        }
        try setWeights(parallel.broadcastFromRankZero(weights))
        try setBuffers(parallel.broadcastFromRankZero(buffers))
    }

    /// One data-parallel step on this rank's shard in `workspace` (possibly empty): forward
    /// and backward on the shard, the gradients' and loss's sum over the ranks (started
    /// during the backward pass when it overlaps), the other transforms, the update.
    /// Returns the global batch's loss, or nil when it or a reduced gradient is not finite
    /// (the same on every rank, so every rank stops at the same step).
    func dataParallelStep(_ parallel: DataParallel, loss: Loss, useSampleWeights: Bool) -> Float? {
        parallel.setUnbegunRows(workspace.xBatch.rows)
        if workspace.xBatch.rows > 0 {
            _ = forwardBackward(loss: loss, useSampleWeights: useSampleWeights, training: true, parallel: parallel)
        } else {
            // An empty shard (a batch with fewer rows than ranks) still takes part in the sums.
            parallel.setLocalLoss(0)
            for i in layers.indices { layers[i].visitParameters { _, _, g in g.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } } }
        }
        let outcome = transformGradients()
        lastStepLoss = parallel.reducedLoss
        switch outcome {
        case .nonFinite: return nil
        case .skipUpdate: return parallel.reducedLoss
        case .proceed:
            applyUpdate()
            return parallel.reducedLoss
        }
    }
}

extension MetricAccumulator {
    /// Sums the counts and sums over the ranks, so ``values(prefix:)`` is the whole epoch's.
    mutating func reduce(with parallel: DataParallel) {
        var all = sums + counts
        parallel.sum(&all)
        sums = Array(all[0..<sums.count])
        counts = Array(all[sums.count...])
    }
}
