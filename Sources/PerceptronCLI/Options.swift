import ArgumentParser
import Foundation
import Perceptron
import PerceptronData

/// The optimizers the command line offers.
enum OptimizerName: String, CaseIterable, ExpressibleByArgument {
    case sgd, momentum, nesterov, adagrad, rmsprop, adam, amsgrad, adamw

    /// The optimizer with learning rate `lr` (nil: the optimizer's default).
    func make(learningRate lr: Float?) -> any Optimizer {
        switch self {
        case .sgd: return SGD(learningRate: lr ?? 0.01)
        case .momentum: return SGD(learningRate: lr ?? 0.01, momentum: 0.9)
        case .nesterov: return SGD(learningRate: lr ?? 0.01, momentum: 0.9, nesterov: true)
        case .adagrad: return AdaGrad(learningRate: lr ?? 0.01)
        case .rmsprop: return RMSProp(learningRate: lr ?? 0.01)
        case .adam: return Adam(learningRate: lr ?? 0.001)
        case .amsgrad: return Adam(learningRate: lr ?? 0.001, amsgrad: true)
        case .adamw: return AdamW(learningRate: lr ?? 0.001)
        }
    }
}

/// Where training data comes from: a bundled dataset, MNIST, a generator, or a CSV file.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A bundled dataset, mnist (with --data-dir) or a generator (see `perceptron datasets list`).",
                                            valueName: "name"))
    var dataset: String?

    @Option(name: .long, help: ArgumentHelp("A CSV file to train on (with --target).", valueName: "file"))
    var csv: String?

    @Option(name: .long, help: ArgumentHelp("The target column of --csv: a name, or a 1-based index.", valueName: "column"))
    var target: String?

    @Flag(name: .long, help: "The CSV file has no header row (columns are then named 1, 2, …).")
    var noHeader = false

    @OptionGroup var csvReading: CSVReadOptions

    @Option(name: .long, help: ArgumentHelp("The folder holding MNIST's four IDX files (raw or .gz).", valueName: "dir"))
    var dataDir: String?

    @Option(name: .long, help: "Classification or regression (default: chosen from the target).")
    var task: TaskKind?

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Set a column's role: NAME=numeric|categorical|ignore (repeatable; default: guessed from the values).", valueName: "name=role"))
    var columnRole: [String] = []

    func validate() throws {
        if csv != nil && dataset != nil { throw ValidationError("Give either --dataset or --csv, not both.") }
        if csv != nil && target == nil { throw ValidationError("--csv needs --target COLUMN (a name or a 1-based index).") }
        if csv == nil && target != nil { throw ValidationError("--target applies to --csv only.") }
        if dataset?.lowercased() == "mnist" && dataDir == nil {
            throw ValidationError("--dataset mnist needs --data-dir DIR (fetch it with `perceptron datasets fetch mnist`).")
        }
        _ = try columnRoles()
    }

    /// The source as described in reports and saved in the model file.
    var sourceName: String { csv ?? (dataset ?? "titanic").lowercased() }
}

/// The network and how to train it.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Hidden layers, comma-separated: N, N:activation, dropout:RATE, batchnorm or layernorm, e.g. 64:relu,dropout:0.2,32:tanh or 16,8 (default: 100 units as scikit-learn; 15 for seed 001's Titanic network).",
                                            valueName: "layers"))
    var layers: String?

    @Option(name: .long, help: "The activation of hidden layers that name none in --layers.")
    var activation: Activation = .relu

    @Option(name: .long, help: "The loss (default: binary_crossentropy for 2 classes, sparse_categorical_crossentropy for more, mean_squared_error for regression).")
    var loss: Loss?

    @Option(name: .long, help: "The optimizer.")
    var optimizer: OptimizerName = .adam

    @Option(name: .long, help: "The learning rate (default: 0.01; 0.02 for seed 001's Titanic network; the optimizer's default on MNIST).")
    var lr: Float?

    @Option(name: .long, help: "Passes over the training rows (default: until the training loss improves by less than 1e-4 for 11 epochs, at most 200; 10 for MNIST).")
    var epochs: Int?

    @Option(name: .long, help: "Rows per gradient step (default: min(200, rows); 100 for seed 001's Titanic network).")
    var batchSize: Int?

    @Option(name: .long, help: "Share of the training rows held out to report val_ metrics after each epoch.")
    var validationSplit: Double = 0

    @Option(name: .long, help: ArgumentHelp("Stop after this many epochs without improvement (val_loss, or loss).",
                                            valueName: "patience"))
    var earlyStopping: Int?

    @OptionGroup var controls: TrainingControls

    @OptionGroup var precision: PrecisionOption

    func validate() throws {
        try validateLayers()
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number, got \(lr).") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs).") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize).") }
        if !(validationSplit >= 0 && validationSplit < 1) {
            throw ValidationError("--validation-split must be in [0, 1), got \(validationSplit).")
        }
        if let p = earlyStopping, p < 0 { throw ValidationError("--early-stopping must be ≥ 0, got \(p).") }
    }

    /// The hidden layers from `--layers` (default: one of `defaultUnits` units); see ``LayerSpec``.
    func hiddenLayers(defaultUnits: Int = 15) throws -> [LayerSpec] {
        try layers.map(LayerSpec.parse) ?? [.dense(units: defaultUnits, activation: nil)]
    }

    /// The hidden Dense layers' widths.
    func hiddenWidths(defaultUnits: Int = 15) throws -> [Int] {
        try hiddenLayers(defaultUnits: defaultUnits).compactMap { if case let .dense(units, _) = $0 { return units } else { return nil } }
    }
}

/// Settings every training command shares.
struct RunOptions: ParsableArguments {
    @Option(name: .long, help: "The seed for the split, the initial weights and the shuffling.")
    var seed: UInt64 = 42

    @Option(name: .long, help: "Threads for the matrix kernels (default: the CPUs the process may use, or PERCEPTRON_NUM_THREADS).")
    var threads: Int?

    @Flag(name: .long, help: "Print one JSON object to standard output instead of tables.")
    var json = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads).") }
    }

    func applyThreads() throws {
        if let threads { try ComputeSettings.setThreadCount(threads) }
    }
}
