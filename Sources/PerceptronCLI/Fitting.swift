import Foundation
import Perceptron
import PerceptronData

/// The command line's defaults for one run: how long, in what batches, at what
/// learning rate and with how many hidden units, for the options and the data.
///
/// - epochs: without `--epochs`, training runs until the training loss stops improving
///   (``ConvergenceStop``: scikit-learn's `tol = 1e-4`, `n_iter_no_change = 10`), at most
///   200 epochs (scikit-learn's `max_iter`); MNIST, 60,000 rows, keeps a fixed 10 epochs.
/// - batch: min(200, n) rows (scikit-learn's `batch_size='auto'`); seed 001's network: 100.
/// - hidden layer: 100 ReLU units (scikit-learn's `hidden_layer_sizes=(100,)`); seed 001's
///   network: 15.
/// - learning rate: 0.01, ten times Adam's usual 0.001, because the small tables the
///   command line is mostly used on give only a few batches per epoch (400 steps in 200
///   epochs of 400 rows), too few at 0.001; seed 001's network: 0.02; MNIST (300 batches
///   an epoch): the optimizer's own default.
struct FitPlan: Equatable {
    static let maximumEpochs = 200
    var epochs: Int
    var batchSize: Int
    var untilConverged: Bool
    var hiddenUnits: Int
    /// nil: the optimizer's own default.
    var learningRate: Float?

    /// - Parameter seedNetwork: whether this is seed 001's Titanic network (the bundled
    ///   Titanic data with no --csv).
    init(_ options: ModelOptions, sourceName: String, trainingRows: Int, seedNetwork: Bool) {
        let isMNIST = sourceName == "mnist"
        let fixedEpochs = options.epochs ?? (isMNIST ? 10 : nil)
        epochs = fixedEpochs ?? Self.maximumEpochs
        untilConverged = fixedEpochs == nil
        batchSize = options.batchSize ?? (seedNetwork ? 100 : max(1, min(200, trainingRows)))
        hiddenUnits = seedNetwork ? 15 : 100
        learningRate = options.lr ?? (seedNetwork ? 0.02 : (isMNIST ? nil : 0.01))
    }
}

/// A finished `fit`: its history, why it stopped (in words), and the last epoch's values
/// (in the target's units for a regression).
struct FitResult {
    var history: History
    var reason: String
    var final: [String: Float]
}

/// The one place the training commands call `fit`: targets, class weights, validation
/// rows, early stopping, plateau schedule and the convergence rule from the options.
enum Fitting {
    /// Trains `net` on `data.train`.
    /// - Parameters:
    ///   - labels: the training rows' class indices, for `--class-weight balanced`.
    ///   - display: callbacks that show progress; they see regression errors in the target's units.
    ///   - callbacks: other callbacks, passed as they are.
    ///   - state: a checkpoint's training state to resume from (`train --resume`).
    ///   - reader: how to read `--validation-data` (the training data's --delimiter and --na-values).
    /// - Throws: `CLIError` for a validation split that leaves no rows, a class weight
    ///   naming no class, validation data that cannot be read; the library's errors.
    @discardableResult
    static func run(_ net: Network, data: PreparedData, options: ModelOptions, plan: FitPlan,
                    display: [any Callback] = [], callbacks extra: [any Callback] = [],
                    resumeFrom state: TrainingState? = nil, reader: CSVReadOptions? = nil) throws -> FitResult {
        let y = Network.targets(data.train.y, loss: net.loss, classCount: net.classCount)
        let controls = options.controls
        var validation: (x: Matrix, y: Matrix)? = nil
        if let file = controls.validationData {
            let v = try validationRows(file, data: data, reader: reader)
            validation = (v.x, Network.targets(v.y, loss: net.loss, classCount: net.classCount))
        } else if options.validationSplit > 0 {
            let held = Int(Float(data.train.x.rows) * Float(options.validationSplit))
            guard held > 0 else {
                throw CLIError("--validation-split \(options.validationSplit) of \(data.train.x.rows) training rows "
                    + "holds out no row (it rounds down to 0); use a larger share, or --validation-data FILE")
            }
        }
        let monitor = validation != nil || options.validationSplit > 0 ? "val_loss" : "loss"

        var classWeights: [Int: Float]? = nil
        if let spec = controls.classWeights {
            guard data.task == .classification else { throw CLIError("--class-weight applies to classification only") }
            classWeights = try spec.weights(classNames: data.classNames, labels: data.train.y.elements.map { Int($0) })
        }

        let units = TargetUnits(data: data, loss: net.loss)
        var all: [any Callback] = display.map { units.wrap($0) } + extra
        var early: EarlyStopping? = nil
        if let patience = options.earlyStopping {
            early = try EarlyStopping(monitor: monitor, patience: patience)
            all.append(early!)
        }
        if case let .plateau(patience, factor)? = controls.schedule {
            all.append(try ReduceLearningRateOnPlateau(monitor: monitor, factor: factor, patience: patience))
        }
        let convergence = plan.untilConverged ? ConvergenceStop() : nil
        if let convergence { all.append(convergence) }

        let history = try net.model.fit(data.train.x, y, epochs: plan.epochs, batchSize: plan.batchSize,
                                        validationSplit: validation == nil ? Float(options.validationSplit) : 0,
                                        validationData: validation, classWeights: classWeights, callbacks: all,
                                        resumeFrom: state)
        var reason = Train.describe(history.stopReason)
        if case .stoppedByCallback = history.stopReason {
            if let convergence, convergence.stoppedEpoch != nil, early?.stoppedEpoch == nil {
                reason = convergence.reason
            }
        } else if history.stopReason == .completed && plan.untilConverged {
            reason = "stopped at the \(plan.epochs)-epoch limit before the loss settled (give --epochs to train longer)"
        }
        return FitResult(history: history, reason: reason, final: units.rescale(history.epochs.last?.values ?? [:]))
    }

    /// The rows of `--validation-data`, through the training data's preprocessing.
    static func validationRows(_ file: String, data: PreparedData, reader: CSVReadOptions?) throws -> (x: Matrix, y: Matrix) {
        guard let preprocessor = data.preprocessor else {
            throw CLIError("--validation-data needs a table dataset (a CSV file, a bundled or generated dataset), not MNIST's IDX files")
        }
        let table = try reader.map { try $0.read(file, hasHeader: true) } ?? CSVTable.read(contentsOf: URL(fileURLWithPath: file))
        let (x, y) = try preprocessor.transform(table)
        guard let y else {
            throw CLIError("\(file): no target column \"\(preprocessor.target?.column ?? "?")\" to validate against")
        }
        guard x.rows > 0 else { throw CLIError("\(file): no rows") }
        return (x, y)
    }
}
