import Foundation
import Perceptron

/// The network the command line builds for a task: hidden Dense layers, then an output
/// layer and loss that suit the target.
///
/// ```
/// 2 classes        Dense(1, sigmoid)   binary_crossentropy
/// k > 2 classes    Dense(k, softmax)   sparse_categorical_crossentropy (class-index targets)
/// regression       Dense(1, linear)    mean_squared_error
/// ```
struct Network {
    var model: Sequential
    var loss: Loss
    var classCount: Int

    /// Builds and compiles the network for `data`.
    static func make(_ options: ModelOptions, data: PreparedData, seed: UInt64, plan: FitPlan) throws -> Network {
        let classCount = data.task == .classification ? data.classNames.count : 0
        let loss: Loss
        let output: Dense
        switch data.task {
        case .classification:
            guard classCount >= 2 else {
                throw CLIError("the target has \(classCount) class in the training rows; classification needs at least 2")
            }
            loss = options.loss ?? (classCount == 2 ? .binaryCrossEntropy : .sparseCategoricalCrossEntropy)
            switch loss {
            case .binaryCrossEntropy, .binaryCrossEntropyFromLogits:
                guard classCount == 2 else {
                    throw CLIError("--loss \(loss.kerasName) needs 2 classes, the target has \(classCount); use sparse_categorical_crossentropy")
                }
                output = Dense(1, activation: loss == .binaryCrossEntropy ? .sigmoid : .linear)
            case .categoricalCrossEntropy, .sparseCategoricalCrossEntropy:
                output = Dense(classCount, activation: .softmax)
            case .meanSquaredError, .meanAbsoluteError, .huber:
                throw CLIError("--loss \(loss.kerasName) is a regression loss; the target is classification (override with --task regression)")
            }
        case .regression:
            loss = options.loss ?? .meanSquaredError
            guard [.meanSquaredError, .meanAbsoluteError, .huber].contains(loss) else {
                throw CLIError("--loss \(loss.kerasName) is a classification loss; the target is regression (override with --task classification)")
            }
            output = Dense(1, activation: .linear)
        }
        let hidden = try options.libraryHiddenLayers(defaultUnits: plan.hiddenUnits)
        let outputLayer = Dense(output.units, activation: output.activation, kernelRegularizer: options.controls.regularizer)
        try MemoryBudget.check(layers: hidden + [outputLayer], data: data, batchSize: plan.batchSize, optimizer: options.optimizer)
        let model = try Sequential(inputSize: data.train.x.columns, layers: hidden + [outputLayer], seed: seed)
        let metrics: [Metric] = data.task == .classification ? [.accuracy] : [.meanSquaredError, .meanAbsoluteError]
        try model.compile(loss: loss, optimizer: options.optimizer.make(learningRate: plan.learningRate),
                          metrics: metrics, gradientClipping: options.controls.clipping,
                          learningRateSchedule: options.controls.schedule?.schedule(epochs: plan.epochs) ?? .constant,
                          precision: options.precision.resolved())
        return Network(model: model, loss: loss, classCount: classCount)
    }

    /// Targets in the form `loss` takes: class indices stay n × 1, except one-hot for
    /// categorical cross-entropy.
    static func targets(_ y: Matrix, loss: Loss, classCount: Int) -> Matrix {
        guard loss == .categoricalCrossEntropy else { return y }
        var out = Matrix(rows: y.rows, columns: classCount)
        for i in 0..<y.rows { out[i, Int(y[i, 0])] = 1 }
        return out
    }
}

/// Scores of a model on held-out rows, named as in the JSON output.
struct TestReport {
    /// Metric name → value, in report order.
    var metrics: [(name: String, value: Double)]
    var confusion: ConfusionMatrix?
    var classificationReport: String?
    var classNames: [String]
    var samples: Int

    subscript(name: String) -> Double? { metrics.first { $0.name == name }?.value }

    /// Probabilities per class (n × k, or n × 1 for class 1 of 2) from the model's outputs.
    static func probabilities(_ output: Matrix, loss: Loss) -> Matrix {
        loss == .binaryCrossEntropyFromLogits ? Activation.sigmoid.apply(output) : output
    }

    /// Evaluates `model` on `x` against `y` (class indices or encoded values).
    static func evaluate(_ model: Sequential, x: Matrix, y: Matrix, task: TaskKind, classNames: [String],
                         preprocessor: Preprocessor?) throws -> TestReport {
        guard let loss = model.loss else { throw CLIError("the model was saved without a loss; it cannot be evaluated") }
        let lossValue = try model.evaluate(x, Network.targets(y, loss: loss, classCount: classNames.count))["loss"] ?? .nan
        let output = try model.predictor().outputs(x)
        if let bad = output.firstNonFinite() {
            throw CLIError("the model predicts \(TrainedModelCheck.describe(bad.value)) for row \(bad.row + 1) of the \(x.rows) rows evaluated; it cannot be scored")
        }
        var metrics: [(String, Double)] = []
        switch task {
        case .classification:
            let p = probabilities(output, loss: loss)
            let predicted = Metrics.classIndices(from: p)
            let actual = y.elements.map { Int($0) }
            let scores = try ClassificationScores(actual: actual, predicted: predicted, classCount: classNames.count)
            metrics = [("accuracy", scores.accuracy), ("f1_macro", scores.f1(.macro)),
                       ("precision_macro", scores.precision(.macro)), ("recall_macro", scores.recall(.macro)),
                       ("log_loss", try Metrics.logLoss(actual: actual, probabilities: p))]
            if classNames.count == 2, let auc = try? Metrics.rocAUC(actual: actual, probabilities: p) { metrics.append(("roc_auc", auc)) }
            metrics.append(("loss", Double(lossValue)))
            return TestReport(metrics: metrics, confusion: scores.confusion,
                              classificationReport: scores.report(classNames: classNames, digits: 2),
                              classNames: classNames, samples: x.rows)
        case .regression:
            let actual = preprocessor?.inverseTransformTarget(y) ?? y
            let predicted = preprocessor?.inverseTransformTarget(output) ?? output
            let r = try Metrics.regressionMetrics(actual: actual, predicted: predicted)
            metrics = [("mse", r.mse), ("mae", r.mae), ("rmse", r.rmse), ("r2", r.r2), ("loss", Double(lossValue))]
            return TestReport(metrics: metrics, confusion: nil, classificationReport: nil, classNames: [], samples: x.rows)
        }
    }

    /// The metrics as a JSON object.
    var json: [String: Any] {
        var out: [String: Any] = [:]
        for (name, value) in metrics { out[name] = JSONOutput.number(value) }
        return out
    }

    /// Aligned text: the metrics, then the confusion matrix and classification report.
    func text(title: String) -> String {
        var lines = ["\(title) (\(samples) rows)"]
        let width = metrics.map(\.name.count).max() ?? 0
        for (name, value) in metrics {
            lines.append("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(format: "%.4f", value))
        }
        if let confusion {
            lines.append("")
            lines.append("Confusion matrix (rows: actual, columns: predicted)")
            lines.append(contentsOf: confusion.formatted(classNames: classNames).split(separator: "\n").map { "  " + $0 })
        }
        if let classificationReport {
            lines.append("")
            lines.append("Classification report")
            lines.append(contentsOf: classificationReport.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "" : "  " + $0 })
        }
        while lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
