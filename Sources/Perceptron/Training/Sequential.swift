/// A stack of layers trained by backpropagation, with a Keras-like API:
///
/// ```swift
/// let model = try Sequential(inputSize: 2, layers: [
///     Dense(4, activation: .tanh),
///     Dense(1, activation: .sigmoid),
/// ], seed: 42)
/// try model.compile(loss: .binaryCrossEntropy, optimizer: Adam(learningRate: 0.05), metrics: [.accuracy])
/// let history = try model.fit(x, y, epochs: 500, batchSize: 4)
/// let p = try model.predict(x)
/// ```
///
/// The input size is given once; each layer's input size is inferred from the layer
/// before. A model is a reference type, like a Keras or PyTorch model: callbacks get it
/// and may change its weights or optimizer during ``fit(_:_:epochs:batchSize:shuffle:validationSplit:validationData:classWeights:callbacks:initialEpoch:resumeFrom:)``.
public final class Sequential {
    /// The number of input columns.
    public let inputSize: Int
    /// The layers, in order, built.
    public internal(set) var layers: [any Layer]
    /// The loss, set by ``compile(loss:optimizer:metrics:gradientClipping:learningRateSchedule:)``.
    public private(set) var loss: Loss?
    /// The optimizer; its learning rate may be changed between steps.
    public var optimizer: any Optimizer = Adam()
    /// The metrics reported beside the loss.
    public private(set) var metrics: [Metric] = []
    /// Clipping, the first gradient transform of each step (set by compile).
    public private(set) var gradientClipping: GradientClipping?
    /// Gradient transforms run after clipping, in order, between backward and the update
    /// (see ``GradientTransform``): accumulation, an allreduce, your own.
    public var gradientTransforms: [any GradientTransform] = []
    /// Rules applied to the parameters after every optimizer update, in order (see
    /// ``ParameterConstraint``): a pruning mask that keeps removed weights at zero, your own.
    public var parameterConstraints: [any ParameterConstraint] = []
    public private(set) var learningRateSchedule: LearningRateSchedule = .constant
    /// The optimizer's learning rate when compiled: the base of ``learningRateSchedule``.
    public internal(set) var baseLearningRate: Float = 0.001
    /// The number format of the training products, set by compile (fp32 unless compiled
    /// with `precision: .bfloat16`; see ``ComputePrecision``).
    public internal(set) var trainingPrecision: ComputePrecision = .float32
    /// Set by a callback to end ``fit(_:_:epochs:batchSize:shuffle:validationSplit:validationData:classWeights:callbacks:initialEpoch:resumeFrom:)``
    /// after the current epoch.
    public var stopTraining = false
    /// The seed that fixed the initial weights and the training randomness.
    public let seed: UInt64
    /// Draws for shuffling and dropout.
    var generator: SeededGenerator
    /// Training buffers, reused from step to step.
    var workspace = TrainingWorkspace()
    /// The loss of the most recent training step (finite or not).
    var lastStepLoss: Float = 0
    /// How the output layer and the compiled loss meet (see ``OutputLossPairing``).
    var compiledPairing: OutputLossPairing?

    /// Builds a model for inputs of `inputSize` columns.
    /// - Parameters:
    ///   - seed: fixes the initial weights, shuffling and dropout; a random seed when nil.
    /// - Throws: ``PerceptronError`` for an input size below 1, no layers, a layer's invalid settings,
    ///   or a Dense layer whose in × out weight count overflows `Int`.
    public init(inputSize: Int, layers: [any Layer], seed: UInt64? = nil) throws {
        guard inputSize >= 1 else {
            throw PerceptronError.invalidHyperparameter(name: "inputSize", value: "\(inputSize)", expected: "an integer ≥ 1")
        }
        guard !layers.isEmpty else {
            throw PerceptronError.invalidHyperparameter(name: "layers", value: "[]", expected: "at least one layer")
        }
        let seed = seed ?? UInt64.random(in: .min ... .max)
        self.seed = seed
        self.inputSize = inputSize
        var initGenerator = SeededGenerator(seed: seed)
        var built = layers
        var width = inputSize
        for index in built.indices {
            try built[index].build(inputSize: width, generator: &initGenerator)
            width = built[index].outputSize
        }
        self.layers = built
        self.generator = initGenerator.fork()
    }

    /// Sets the loss, optimizer and metrics for training and evaluation.
    /// - Parameters:
    ///   - gradientClipping: clip gradients by global norm or by value before each update.
    ///   - learningRateSchedule: how the learning rate changes with the epoch.
    /// - Throws: ``PerceptronError`` for invalid hyperparameters, or a loss that cannot
    ///   fit the output layer (e.g. sparse categorical cross-entropy on one output).
    public func compile(loss: Loss, optimizer: any Optimizer = Adam(), metrics: [Metric] = [],
                        gradientClipping: GradientClipping? = nil,
                        learningRateSchedule: LearningRateSchedule = .constant) throws {
        try optimizer.validate()
        try gradientClipping?.validate()
        try learningRateSchedule.validate()
        if loss.usesClassIndices || loss == .categoricalCrossEntropy, outputSize < 2 {
            throw PerceptronError.incompatible("\(loss.rawValue) needs at least 2 outputs, the model has \(outputSize)")
        }
        self.loss = loss
        self.compiledPairing = OutputLossPairing(loss: loss, outputLayer: layers[layers.count - 1])
        self.optimizer = optimizer
        self.metrics = metrics
        self.gradientClipping = gradientClipping
        self.learningRateSchedule = learningRateSchedule
        self.baseLearningRate = optimizer.learningRate
        setTrainingPrecision(.float32)
    }

    /// The number of output columns.
    public var outputSize: Int { layers.last!.outputSize }

    /// The total number of trainable scalars.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    /// The total number of non-trainable scalars: the layers' buffers (e.g. running statistics).
    public var nonTrainableParameterCount: Int { layers.reduce(0) { $0 + $1.nonTrainableParameterCount } }

    /// The buffers of each layer (non-trainable state such as running statistics).
    public var buffers: [[Matrix]] { layers.map { $0.buffers } }

    /// Replaces every layer's buffers.
    /// - Throws: ``PerceptronError/shapeMismatch(what:expected:got:)`` naming the first
    ///   layer and buffer whose count or shape differs, or
    ///   ``PerceptronError/nonFiniteValue(what:row:column:value:)``.
    public func setBuffers(_ newBuffers: [[Matrix]]) throws {
        try checkReplacement(newBuffers, current: buffers, names: layers.map(\.bufferNames), what: "buffers")
        for index in layers.indices { layers[index].buffers = newBuffers[index] }
    }

    /// The parameters of each layer (for Dense: `[W, b]`). A copy is a checkpoint.
    public var weights: [[Matrix]] { layers.map { $0.parameters } }

    /// Replaces every layer's parameters.
    /// - Throws: ``PerceptronError/shapeMismatch(what:expected:got:)`` naming the first
    ///   layer and parameter whose count or shape differs, or
    ///   ``PerceptronError/nonFiniteValue(what:row:column:value:)``.
    public func setWeights(_ newWeights: [[Matrix]]) throws {
        try checkReplacement(newWeights, current: weights, names: layers.map(\.parameterNames), what: "weights")
        for index in layers.indices { layers[index].parameters = newWeights[index] }
    }

    /// Checks per-layer replacement matrices against the current ones: counts, shapes, finiteness.
    private func checkReplacement(_ new: [[Matrix]], current: [[Matrix]], names: [[String]], what: String) throws {
        guard new.count == layers.count else {
            throw PerceptronError.shapeMismatch(what: what, expected: "\(layers.count) layers", got: "\(new.count)")
        }
        for index in layers.indices {
            guard current[index].count == new[index].count else {
                throw PerceptronError.shapeMismatch(what: "\(what) of layer \(index)", expected: "\(current[index].count) matrices",
                                                    got: "\(new[index].count)")
            }
            for (p, (old, replacement)) in zip(current[index], new[index]).enumerated() {
                guard old.rows == replacement.rows && old.columns == replacement.columns else {
                    throw PerceptronError.shapeMismatch(what: "layer \(index) \(names[index][p])",
                                                        expected: "\(old.rows)×\(old.columns)", got: "\(replacement.rows)×\(replacement.columns)")
                }
                if let bad = replacement.firstNonFinite() {
                    throw PerceptronError.nonFiniteValue(what: "layer \(index) \(names[index][p])",
                                                         row: bad.row, column: bad.column, value: bad.value)
                }
            }
        }
    }

    /// Keras-style layer names: "dense", "dense_1", "dropout", …
    public var layerNames: [String] {
        var seen: [String: Int] = [:]
        return layers.map { layer in
            let base = layer.typeName.lowercased()
            let n = seen[base, default: 0]
            seen[base] = n + 1
            return n == 0 ? base : "\(base)_\(n)"
        }
    }

    /// A table of layers, output shapes and parameter counts, as Keras's `model.summary()`:
    /// a layer's "Param #" counts its trainable parameters and its buffers; the totals
    /// split the two.
    public func summary() -> String {
        func grouped(_ n: Int) -> String {
            let digits = Array(String(n))
            var out = ""
            for (i, d) in digits.enumerated() {
                if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
                out.append(d)
            }
            return out
        }
        let rows = zip(layerNames, layers).map { name, layer in
            ("\(name) (\(layer.typeName))", "(None, \(layer.outputSize))",
             grouped(layer.parameterCount + layer.nonTrainableParameterCount))
        }
        let w0 = max(29, rows.map { $0.0.count }.max() ?? 0) + 2
        let w1 = max(22, rows.map { $0.1.count }.max() ?? 0) + 2
        let w2 = 15
        func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, w - 1 - s.count))
            return right ? fill + s + " " : " " + s + fill
        }
        func line(_ l: String, _ m: String, _ r: String, _ f: String) -> String {
            l + String(repeating: f, count: w0) + m + String(repeating: f, count: w1) + m + String(repeating: f, count: w2) + r
        }
        var out = ["Model: \"sequential\" (input size \(inputSize))"]
        out.append(line("┏", "┳", "┓", "━"))
        out.append("┃" + pad("Layer (type)", w0) + "┃" + pad("Output Shape", w1) + "┃" + pad("Param #", w2, right: true) + "┃")
        out.append(line("┡", "╇", "┩", "━"))
        for (i, r) in rows.enumerated() {
            out.append("│" + pad(r.0, w0) + "│" + pad(r.1, w1) + "│" + pad(r.2, w2, right: true) + "│")
            if i < rows.count - 1 { out.append(line("├", "┼", "┤", "─")) }
        }
        out.append(line("└", "┴", "┘", "─"))
        out.append(" Total params: \(grouped(parameterCount + nonTrainableParameterCount))")
        out.append(" Trainable params: \(grouped(parameterCount))")
        out.append(" Non-trainable params: \(grouped(nonTrainableParameterCount))")
        return out.joined(separator: "\n")
    }
}
