extension Sequential {
    /// One training step on the batch in `workspace`:
    ///
    /// ```
    /// forward → loss → backward → gradient transforms → update → parameter constraints
    /// ```
    /// Returns the batch's loss (with regularization) before the update, or nil, with
    /// nothing applied, when the loss or a gradient is not finite.
    func trainStep(loss: Loss, useSampleWeights: Bool) -> Float? {
        if let parallel = dataParallel { return dataParallelStep(parallel, loss: loss, useSampleWeights: useSampleWeights) }
        let value = forwardBackward(loss: loss, useSampleWeights: useSampleWeights, training: true)
        lastStepLoss = value
        guard value.isFinite else { return nil }
        switch transformGradients() {
        case .nonFinite: return nil
        case .skipUpdate: return value
        case .proceed:
            applyUpdate()
            applyParameterConstraints()
            return value
        }
    }

    /// Runs the gradient transforms in order: the compiled ``GradientClipping`` (which also
    /// catches a non-finite gradient) or else a finiteness check, then ``gradientTransforms``.
    /// The first outcome other than `.proceed` ends the stage.
    func transformGradients() -> GradientTransformOutcome {
        // The layers move into the view and back, so each gradient stays uniquely referenced.
        var gradients = ModelGradients(layers: layers)
        layers = []
        defer { layers = gradients.layers }
        // Data-parallel training sums the ranks' gradients first: clipping needs the global gradient.
        let parallelIndex = gradientTransforms.firstIndex { $0 is DataParallel }
        if let parallelIndex {
            let outcome = gradientTransforms[parallelIndex].transform(&gradients)
            guard outcome == .proceed else { return outcome }
        }
        if let clipping = gradientClipping {
            let outcome = clipping.transform(&gradients)
            guard outcome == .proceed else { return outcome }
        } else if parallelIndex == nil && !gradients.allFinite() {
            return .nonFinite
        }
        for index in gradientTransforms.indices where index != parallelIndex {
            let outcome = gradientTransforms[index].transform(&gradients)
            guard outcome == .proceed else { return outcome }
        }
        return .proceed
    }

    /// Runs ``parameterConstraints`` in order on the updated parameters.
    func applyParameterConstraints() {
        for index in parameterConstraints.indices { parameterConstraints[index].constrain(&layers) }
    }

    /// The optimizer's update of every trainable parameter from its (transformed) gradient.
    func applyUpdate() {
        optimizer.beginStep()
        var slot = 0
        for i in layers.indices {
            layers[i].visitParameters { _, parameter, gradient in
                optimizer.update(&parameter, gradient: gradient, slot: slot)
                slot += 1
            }
        }
    }

    /// Runs the batch in `workspace` forward and backward; returns the loss.
    /// With `parallel`, hands it the loss before the backward pass and tells it when each
    /// layer's gradients are done (it may start summing them across ranks).
    func forwardBackward(loss: Loss, useSampleWeights: Bool, training: Bool, parallel: DataParallel? = nil) -> Float {
        let x = workspace.xBatch
        let y = workspace.yBatch
        let weights = useSampleWeights ? workspace.sampleWeights : nil
        forward(x, training: training)
        let last = layers.count - 1
        let pairing = outputPairing(for: loss)
        var value = pairing.value(layers[last], targets: y, sampleWeights: weights)
        pairing.gradient(layers[last], targets: y, sampleWeights: weights, into: &workspace.lossGradient)
        value += regularizationPenalty()
        parallel?.setLocalLoss(value)
        for i in stride(from: last, through: 0, by: -1) {
            let input = i == 0 ? x : layers[i - 1].output
            if i == last {
                pairing.backward(&layers[i], input: input, gradient: workspace.lossGradient, needsInputGradient: i > 0)
            } else {
                layers[i].backward(input: input, outputGradient: layers[i + 1].inputGradient, needsInputGradient: i > 0)
            }
            parallel?.layerBackwardDone(i, layers: &layers)
        }
        return value
    }

    /// Runs `x` through every layer; the result is the last layer's `output`.
    func forward(_ x: Matrix, training: Bool) {
        for i in layers.indices {
            let input = i == 0 ? x : layers[i - 1].output
            layers[i].forward(input, training: training, generator: &generator)
        }
    }

    /// How the output layer and `loss` meet (fused or not): the compiled pairing when it is for `loss`.
    func outputPairing(for loss: Loss) -> OutputLossPairing {
        if let pairing = compiledPairing, pairing.loss == loss { return pairing }
        return OutputLossPairing(loss: loss, outputLayer: layers[layers.count - 1])
    }

    /// The data loss of the last forward pass against `y` (no regularization).
    func outputLoss(_ loss: Loss, targets y: Matrix, sampleWeights: [Float]? = nil) -> Float {
        outputPairing(for: loss).value(layers[layers.count - 1], targets: y, sampleWeights: sampleWeights)
    }
}
