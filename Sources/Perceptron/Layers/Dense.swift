/// A fully connected layer (seed 001's `Layer`): the input size comes from the layer
/// before (or the model's input size), so only the output width is given.
///
/// ```
/// z = x·W + b        a = f(z)
/// ∂L/∂z = ∂L/∂a ⊙ f′(z)
/// ∂L/∂W = xᵀ·∂L/∂z + ∂R/∂W     ∂L/∂b = Σᵢ (∂L/∂z)ᵢ     ∂L/∂x = ∂L/∂z·Wᵀ
/// ```
/// Shapes: x is batch × in, **W is in × out** (as in the seeds, Keras and scikit-learn;
/// PyTorch's `Linear.weight` is its transpose), b is 1 × out, z and a are batch × out.
///
/// A training pass of a wide layer leaves out the input columns that are zero in the whole
/// batch when that pays (`ZeroColumnSkipping`: an MNIST batch's background pixels), with
/// the same z and gradients bit for bit.
public struct Dense: ActivatedLayer {
    /// The settings that recreate a Dense layer, saved as `{"dense": {…}}`.
    public struct Configuration: LayerConfiguration, Equatable {
        public static let registeredName = "dense"
        public var units: Int
        public var activation: Activation
        public var useBias: Bool
        public var kernelInitializer: Initializer
        public var biasInitializer: Initializer
        public var kernelRegularizer: Regularizer?

        public func makeLayer() throws -> any Layer {
            Dense(units, activation: activation, useBias: useBias, kernelInitializer: kernelInitializer,
                  biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer)
        }

        /// `weight` [inputWidth, units] and, with a bias, `bias` [units] (1-D, as PyTorch and Keras keep it).
        public func tensorLayout(inputWidth: Int) throws -> LayerTensorLayout {
            guard units >= 1 else {
                throw PerceptronError.invalidHyperparameter(name: "Dense units", value: "\(units)", expected: "an integer ≥ 1")
            }
            var tensors = [LayerTensorLayout.Tensor("weight", shape: [inputWidth, units])]
            if useBias { tensors.append(.init("bias", shape: [units])) }
            return LayerTensorLayout(tensors: tensors, outputWidth: units)
        }
    }

    /// The number of output units.
    public let units: Int
    /// f, applied after the affine map.
    public let activation: Activation
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public let kernelRegularizer: Regularizer?

    /// W, in × out.
    public private(set) var weight = Matrix(rows: 0, columns: 0)
    /// b, 1 × out.
    public private(set) var bias = Matrix(rows: 0, columns: 0)
    /// ∂L/∂W from the last backward pass.
    public private(set) var weightGradient = Matrix(rows: 0, columns: 0)
    /// ∂L/∂b from the last backward pass.
    public private(set) var biasGradient = Matrix(rows: 0, columns: 0)

    /// z = x·W + b of the last forward pass; empty after an inference pass (`training:
    /// false`) of a ReLU or linear layer, which applies f in the product's store and keeps
    /// no z (only a training pass's backward reads it).
    public private(set) var preactivation = Matrix(rows: 0, columns: 0)
    public private(set) var output = Matrix(rows: 0, columns: 0)
    private var preactivationGradient = Matrix(rows: 0, columns: 0)
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)
    /// The precision of this layer's products in training forward and backward passes
    /// (set by ``Sequential/compile(loss:optimizer:metrics:gradientClipping:learningRateSchedule:precision:)``);
    /// inference is always fp32.
    public internal(set) var trainingPrecision: ComputePrecision = .float32
    /// The precision of the last forward pass, which its backward pass uses too.
    private var passPrecision: ComputePrecision = .float32
    /// Names the current state of `weight`: a fresh ``WeightVersion`` whenever it may have
    /// changed (build, optimizer update, parameters set).
    private var weightVersion: UInt64 = 0
    /// W packed for inference products, repacked when `weightVersion` moves on. Shared by
    /// copies of the layer (a ``Predictor``'s), thread-safe.
    private var inferenceWeights = PackedWeightCache()
    /// A training pass's input and W without the input's zero columns, when that pays.
    private var zeroColumns = ZeroColumnSkipping()

    /// A dense layer of `units` outputs.
    /// - Parameters:
    ///   - activation: f, applied after the affine map (default linear).
    ///   - kernelInitializer: how W starts (default Glorot uniform, as Keras).
    ///   - biasInitializer: how b starts (default zeros).
    ///   - kernelRegularizer: an L1/L2 penalty on W.
    public init(_ units: Int, activation: Activation = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
                kernelRegularizer: Regularizer? = nil) {
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
    }

    public var typeName: String { "Dense" }
    public var outputSize: Int { units }
    public var parameterCount: Int { weight.count + bias.count }

    /// Dense's settings as its ``Configuration``.
    public var configuration: any LayerConfiguration {
        Configuration(units: units, activation: activation, useBias: useBias, kernelInitializer: kernelInitializer,
                      biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer)
    }

    public mutating func build(inputSize: Int, generator: inout SeededGenerator) throws {
        guard units >= 1 else {
            throw PerceptronError.invalidHyperparameter(name: "Dense units", value: "\(units)", expected: "an integer ≥ 1")
        }
        guard inputSize >= 1 else {
            throw PerceptronError.invalidHyperparameter(name: "Dense input size", value: "\(inputSize)", expected: "an integer ≥ 1")
        }
        // W holds in × out floats: the product (and its size in bytes) must be an Int, or
        // the allocation below would trap instead of throwing.
        let (count, overflow) = inputSize.multipliedReportingOverflow(by: units)
        guard !overflow, !count.multipliedReportingOverflow(by: MemoryLayout<Float>.stride).overflow else {
            throw PerceptronError.invalidHyperparameter(
                name: "Dense size", value: "\(inputSize) inputs × \(units) units",
                expected: "a weight matrix of at most \(Int.max / MemoryLayout<Float>.stride) values")
        }
        try kernelRegularizer?.validate(layer: "Dense")
        weight = kernelInitializer.make(fanIn: inputSize, fanOut: units, generator: &generator)
        bias = useBias ? biasInitializer.make(fanIn: 1, fanOut: units, generator: &generator) : Matrix(rows: 0, columns: 0)
        weightGradient = Matrix(rows: inputSize, columns: units)
        biasGradient = Matrix(rows: bias.rows, columns: bias.columns)
        weightVersion = WeightVersion.next()
    }

    public mutating func forward(_ input: Matrix, training: Bool, generator: inout SeededGenerator) {
        precondition(input.columns == weight.rows, "Dense expects \(weight.rows) input columns, got \(input.columns)")
        passPrecision = training ? trainingPrecision : .float32
        // Inference reuses W packed once (few-row products read W as it is, unpacked).
        let packed = !training && input.rows > GEMM.smallRowLimit
            ? inferenceWeights.panels(of: weight, version: weightVersion) : nil
        // A training pass skips the input's zero columns when that pays (same z, see
        // ZeroColumnSkipping); its backward then reads the compact input too.
        let skipping = training ? zeroColumns.prepare(input: input, weight: weight) : false
        if !training { zeroColumns.clear() }
        let (x, w) = skipping ? (zeroColumns.input, zeroColumns.weight) : (input, weight)
        if activation == .relu || activation == .linear {
            // Bias and activation ride on the product's row blocks (same bits, no extra
            // passes). Inference writes f(z) alone; z is kept only for a training pass's backward.
            let bias = useBias ? bias : nil, relu = activation == .relu
            if training {
                Matrix.multiplyDense(x, w, bias: bias, relu: relu, precision: passPrecision,
                                     prepackedB: packed, into: &preactivation, activated: &output)
            } else {
                Matrix.multiplyDense(x, w, bias: bias, relu: relu, precision: passPrecision,
                                     prepackedB: packed, activatedInPlace: &output)
                if preactivation.count > 0 { preactivation = Matrix(rows: 0, columns: 0) }
            }
            return
        }
        Matrix.multiply(x, w, precision: passPrecision, prepackedB: packed, into: &preactivation)
        if useBias { preactivation.addRowVector(bias) }
        activation.apply(preactivation, into: &output)
    }

    public mutating func backward(input: Matrix, outputGradient: Matrix, needsInputGradient: Bool) {
        // After an inference pass (``lossAndGradients`` runs one by default) a ReLU or linear
        // layer kept no z. Their derivatives read the same from a: a = max(z, 0) > 0 exactly
        // where z > 0 (a NaN z gives a = 0, as the test z > 0 fails), and the identity's is 1.
        let z = preactivation.count == 0 && output.count > 0 && (activation == .relu || activation == .linear)
            ? output : preactivation
        activation.backward(outputGradient: outputGradient, input: z, output: output, into: &preactivationGradient)
        let delta = preactivationGradient
        backward(input: input, preactivationGradient: delta, needsInputGradient: needsInputGradient)
    }

    /// Back-propagates ∂L/∂z: the weight and bias gradients and, when asked, ∂L/∂x.
    public mutating func backward(input: Matrix, preactivationGradient delta: Matrix, needsInputGradient: Bool) {
        if zeroColumns.holds(input) {
            // The forward pass skipped x's zero columns: ∂L/∂W's rows for them are +0.
            Self.products(input: zeroColumns.input, delta: delta, weight: weight, precision: passPrecision,
                          needsInputGradient: needsInputGradient,
                          weightGradient: &zeroColumns.weightGradient, inputGradient: &inputGradient)
            zeroColumns.expandWeightGradient(into: &weightGradient, columns: input.columns)
        } else {
            Self.products(input: input, delta: delta, weight: weight, precision: passPrecision,
                          needsInputGradient: needsInputGradient,
                          weightGradient: &weightGradient, inputGradient: &inputGradient)
        }
        kernelRegularizer?.addGradient(of: weight, to: &weightGradient)
        if useBias { delta.sumColumns(into: &biasGradient) }
    }

    /// xᵀ·δ into `weightGradient` and, when asked, δ·Wᵀ into `inputGradient`.
    private static func products(input: Matrix, delta: Matrix, weight: Matrix, precision: ComputePrecision,
                                 needsInputGradient: Bool, weightGradient: inout Matrix, inputGradient: inout Matrix) {
        if needsInputGradient && precision == .float32 {
            // ∂L/∂W and ∂L/∂x are independent: with two threads they run side by side.
            Matrix.multiplyPair(input, delta, transposeA1: true, into: &weightGradient,
                                delta, weight, transposeB2: true, into: &inputGradient)
        } else if needsInputGradient && precision == .bfloat16 {
            Matrix.multiplyBF16Pair(weightGradientOf: input, delta, into: &weightGradient,
                                    inputGradientOf: delta, weight, into: &inputGradient)
        } else {
            Matrix.multiply(input, delta, transposeA: true, precision: precision, into: &weightGradient)
            if needsInputGradient {
                Matrix.multiply(delta, weight, transposeB: true, precision: precision, into: &inputGradient)
            }
        }
    }

    public mutating func visitParameters(_ body: (Int, inout Matrix, inout Matrix) -> Void) {
        body(0, &weight, &weightGradient)
        weightVersion = WeightVersion.next()
        if useBias { body(1, &bias, &biasGradient) }
    }

    public var parameters: [Matrix] {
        get { useBias ? [weight, bias] : [weight] }
        set {
            precondition(newValue.count == (useBias ? 2 : 1), "Dense takes \(useBias ? 2 : 1) parameters, got \(newValue.count)")
            precondition(newValue[0].rows == weight.rows && newValue[0].columns == weight.columns,
                         "Dense weight must be \(weight.rows)×\(weight.columns)")
            weight = newValue[0]
            weightVersion = WeightVersion.next()
            if useBias {
                precondition(newValue[1].rows == 1 && newValue[1].columns == units, "Dense bias must be 1×\(units)")
                bias = newValue[1]
            }
        }
    }

    public var parameterNames: [String] { useBias ? ["weight", "bias"] : ["weight"] }

    public func regularizationPenalty() -> Float { kernelRegularizer?.penalty(weight) ?? 0 }

    /// The former name of ``activation``.
    @available(*, deprecated, renamed: "activation")
    public var activationFunction: Activation { activation }
}
