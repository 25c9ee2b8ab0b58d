import Foundation

/// A trained model frozen for inference: immutable and `Sendable`, so one predictor
/// serves any number of threads at once (a server's requests, a parallel batch job).
///
/// It holds the layers (their weights and buffers, never changed again), the
/// preprocessing to replay on raw rows, the class names and the loss, and decodes the
/// outputs into what a caller wants:
///
/// ```
/// outputs(x)        the network's outputs, inference mode (dropout off, running statistics)
/// probabilities(x)  classification: n × k class probabilities (two columns for a
///                   one-output binary model: 1 − p, p; sigmoid applied to logits)
/// classes(x)        the argmax of the probabilities (≥ ½ for binary)
/// ```
/// Each call works on its own copy of the layers: the weights are shared (copy-on-write,
/// never written), the outputs each forward pass writes are the call's own scratch, kept
/// for a later call to reuse (``PredictorScratch``: at most two copies, each as large as
/// the biggest batch it ran). A
/// ``Sequential`` keeps its own buffers and is for one thread at a time; make a predictor
/// from it (or from a model file) for concurrent use.
public struct Predictor: @unchecked Sendable {
    // @unchecked: `layers` holds `any Layer` values, which the compiler cannot prove
    // Sendable; they are never mutated in place here: every call runs in its own copy of
    // the array (a kept one from `scratchLayers`, or a fresh copy) and its forward passes
    // write that copy's own output buffers (copy-on-write).
    private let layers: [any Layer]
    /// Layer copies kept between calls, so a call reuses the last one's buffers.
    private let scratchLayers = PredictorScratch()
    /// The number of input features (after preprocessing).
    public let inputSize: Int
    /// The number of network outputs.
    public let outputSize: Int
    /// The loss the model was trained with (decides how outputs become probabilities).
    public let loss: Loss?
    /// The preprocessing that turns raw table rows into features, if the model has one
    /// (`PerceptronData` replays it: `outputs(table:)`, `Preprocessor.transformFeatures`).
    public let preprocessor: Preprocessor?
    /// The class names in class-index order; empty for regression.
    public let classNames: [String]

    /// A predictor from the current weights of `model`, which may go on training.
    /// - Parameters:
    ///   - preprocessor: replayed on raw rows by `outputs(table:)` (in `PerceptronData`).
    ///   - classNames: names of the classes in index order (default: the preprocessor's, else
    ///     "0", "1", … for a classification loss; none for regression).
    public init(model: Sequential, preprocessor: Preprocessor? = nil, classNames: [String]? = nil) {
        layers = model.layers
        inputSize = model.inputSize
        outputSize = model.outputSize
        loss = model.loss
        self.preprocessor = preprocessor
        if let classNames {
            self.classNames = classNames
        } else if let names = preprocessor?.classNames, !names.isEmpty {
            self.classNames = names
        } else if let loss = model.loss, Predictor.isClassification(loss) {
            self.classNames = (0..<(model.outputSize == 1 ? 2 : model.outputSize)).map(String.init)
        } else {
            self.classNames = []
        }
    }

    /// A predictor from a model file, with its saved preprocessing and class names.
    /// - Throws: what ``ModelFile/load(from:)`` throws.
    public init(contentsOf url: URL) throws {
        let loaded = try ModelFile.load(from: url)
        self.init(model: loaded.model, preprocessor: loaded.preprocessor)
    }

    /// Whether the predictor classifies (it has class names).
    public var isClassifier: Bool { !classNames.isEmpty }

    /// The network's outputs for the feature rows `x`, in inference mode.
    /// - Parameter batchSize: rows per forward pass (default up to 16,384).
    /// - Throws: ``PerceptronError`` for an empty input, a feature count other than
    ///   ``inputSize``, or NaN/Inf in `x`.
    public func outputs(_ x: Matrix, batchSize: Int? = nil) throws -> Matrix {
        guard x.rows > 0 else { throw PerceptronError.emptyData(what: "x") }
        guard x.columns == inputSize else {
            throw PerceptronError.shapeMismatch(what: "feature count of x", expected: "\(inputSize) columns (the model's input size)",
                                                got: "\(x.columns)")
        }
        if let bad = x.firstNonFinite() {
            throw PerceptronError.nonFiniteValue(what: "x", row: bad.row, column: bad.column, value: bad.value)
        }
        let chunk = batchSize ?? 16_384
        guard chunk >= 1 else {
            throw PerceptronError.invalidHyperparameter(name: "batchSize", value: "\(chunk)", expected: "an integer ≥ 1")
        }
        var scratch = scratchLayers.take() ?? layers
        defer { scratchLayers.give(scratch) }
        var unused = SeededGenerator(seed: 0)
        if chunk >= x.rows { return Self.forward(x, through: &scratch, generator: &unused) }
        var result = Matrix(rows: x.rows, columns: outputSize)
        var batch = Matrix(rows: 0, columns: 0)
        var start = 0
        while start < x.rows {
            let end = min(start + chunk, x.rows)
            x.gatherRows(start..<end, into: &batch)
            let output = Self.forward(batch, through: &scratch, generator: &unused)
            for i in 0..<output.rows { for j in 0..<outputSize { result[start + i, j] = output[i, j] } }
            start = end
        }
        return result
    }

    /// Class probabilities, n × (number of classes): softmax outputs as they are, one
    /// sigmoid output p as (1 − p, p), logits (binaryCrossEntropyFromLogits) through σ first.
    /// - Throws: ``PerceptronError/incompatible(_:)`` for a regression model.
    public func probabilities(_ x: Matrix, batchSize: Int? = nil) throws -> Matrix {
        try probabilities(fromOutputs: try outputs(x, batchSize: batchSize))
    }

    /// The predicted class index of each row (the most probable class).
    public func classes(_ x: Matrix, batchSize: Int? = nil) throws -> [Int] {
        classes(fromProbabilities: try probabilities(x, batchSize: batchSize))
    }

    /// The most probable class of each row of ``probabilities(fromOutputs:)``'s result: for a
    /// one-output binary model, class 1 when p ≥ ½ (the ties go to 1, as ``Sequential/predictClasses(_:batchSize:)``).
    public func classes(fromProbabilities p: Matrix) -> [Int] {
        if outputSize == 1 && p.columns == 2 { return (0..<p.rows).map { p[$0, 1] >= 0.5 ? 1 : 0 } }
        return p.argmaxRows()
    }

    /// The predicted class name of each row.
    public func classNames(_ x: Matrix, batchSize: Int? = nil) throws -> [String] {
        try classes(x, batchSize: batchSize).map { classNames[$0] }
    }

    /// Decodes outputs (from ``outputs(_:batchSize:)``) into class probabilities.
    public func probabilities(fromOutputs output: Matrix) throws -> Matrix {
        guard isClassifier else { throw PerceptronError.incompatible("a regression model has no class probabilities") }
        let logits = loss == .binaryCrossEntropyFromLogits
        guard output.columns == 1 else { return output }
        var p = Matrix(rows: output.rows, columns: 2)
        for i in 0..<output.rows {
            let positive = logits ? Activation.logistic(output[i, 0]) : output[i, 0]
            p[i, 0] = 1 - positive
            p[i, 1] = positive
        }
        return p
    }

    private static func forward(_ x: Matrix, through layers: inout [any Layer], generator: inout SeededGenerator) -> Matrix {
        for i in layers.indices {
            let input = i == 0 ? x : layers[i - 1].output
            layers[i].forward(input, training: false, generator: &generator)
        }
        return layers[layers.count - 1].output
    }

    private static func isClassification(_ loss: Loss) -> Bool {
        switch loss {
        case .meanSquaredError, .meanAbsoluteError, .huber: return false
        default: return true
        }
    }
}

extension Sequential {
    /// An immutable, thread-safe ``Predictor`` with the model's current weights.
    public func predictor(preprocessor: Preprocessor? = nil, classNames: [String]? = nil) -> Predictor {
        Predictor(model: self, preprocessor: preprocessor, classNames: classNames)
    }
}
