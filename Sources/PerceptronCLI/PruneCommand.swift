import ArgumentParser
import Foundation
import Perceptron

/// `perceptron prune MODEL --sparsity S [--fine-tune-epochs N] [--method …] -o OUT`.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Zero a model's smallest weights (magnitude pruning) or remove its dead hidden units, then fine-tune.",
        discussion: """
            magnitude: each Dense layer loses the fraction --sparsity of its weights smallest in |w|; \
            global: one threshold over all Dense weights. With --fine-tune-epochs N the model trains on \
            its training rows (--csv/--dataset, by default the data it was trained on) while the sparsity \
            rises to --sparsity (Zhu & Gupta's gradual schedule) and pruned weights are held at zero. \
            neurons: global pruning as above, then every hidden unit whose outgoing weights are all \
            zero, or whose output is constant on the training rows (a ReLU that never activates), is \
            removed: the file holds a narrower network. units: structured pruning, each hidden Dense \
            layer loses the fraction --sparsity of its units with the smallest weight norm \
            (‖outgoing‖·‖incoming‖), then the narrower network is fine-tuned. A pruned file is as \
            large as the original unless units are removed (the weights are stored dense).
            """)

    enum Method: String, ExpressibleByArgument, CaseIterable {
        case magnitude, global, neurons, units
    }

    @Argument(help: ArgumentHelp("A model saved by `perceptron train --output`.", valueName: "model"))
    var modelPath: String

    @Option(name: .long, help: ArgumentHelp("The fraction of Dense weights set to zero (units: of each hidden layer's units removed), in [0, 1).", valueName: "s"))
    var sparsity: Double

    @Option(name: .long, help: ArgumentHelp("Epochs of training with the masks held (0: one-shot pruning).", valueName: "n"))
    var fineTuneEpochs = 0

    @Option(name: .long, help: ArgumentHelp("magnitude (per layer), global, neurons (global, then narrower layers), or units (the weakest units removed).", valueName: "method"))
    var method: Method = .magnitude

    @Option(name: .long, help: ArgumentHelp("Rows per fine-tuning step (default: the model's training batch size, else 32).", valueName: "n"))
    var batchSize: Int?

    @OptionGroup var data: ModelDataOptions

    @Option(name: [.short, .long], help: ArgumentHelp("Where to write the pruned model.", valueName: "file"))
    var output: String

    func validate() throws {
        guard sparsity >= 0, sparsity < 1 else { throw ValidationError("--sparsity takes a fraction in [0, 1), got \(sparsity)") }
        guard fineTuneEpochs >= 0 else { throw ValidationError("--fine-tune-epochs takes an integer ≥ 0, got \(fineTuneEpochs)") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size takes an integer ≥ 1, got \(batchSize)") }
    }

    func run() throws {
        try OutputCheck.check([("--output", output)])
        let saved = try SavedModel(path: modelPath)
        var model = saved.model
        let needsRows = fineTuneEpochs > 0 || method == .neurons
        let rows: ModelRows? = needsRows ? try trainingRows(saved) : nil
        let scope: MagnitudePruning.Scope = method == .magnitude ? .perLayer : .global
        let before = model.parameterCount

        if method == .units {
            var x: Matrix?, targets: Matrix?
            if fineTuneEpochs > 0, let rows {
                guard let loss = model.loss else { throw CLIError("\(modelPath) has no compiled loss to fine-tune with") }
                guard let y = rows.y else { throw CLIError("\(rows.description): no target column to fine-tune on") }
                let classCount = saved.task == .classification ? max(2, model.outputSize) : 0
                (x, targets) = (rows.x, Network.targets(y, loss: loss, classCount: classCount))
                printError("Fine-tuning \(fineTuneEpochs) epochs on \(rows.description), \(rows.x.rows) rows, after removing units")
            }
            let (narrowed, _, report) = try UnitPruning.narrowed(model, fraction: sparsity)
            for layer in report.narrowed {
                printError("layer \(layer.layer): \(layer.unitsBefore) → \(layer.unitsAfter) units (smallest weight norm removed)")
            }
            for skipped in report.skipped { printError("layer \(skipped.layer) not narrowed: \(skipped.reason)") }
            model = narrowed
            if let x, let targets {
                let size = batchSize ?? saved.loaded.metadata.training.batchSize ?? 32
                let history = try model.fit(x, targets, epochs: fineTuneEpochs, batchSize: size,
                                            callbacks: [EpochLine(total: fineTuneEpochs)])
                try TrainedModelCheck.check(history, model: model, trainingRows: x, output: output)
            }
        } else if fineTuneEpochs > 0, let rows {
            guard let loss = model.loss else { throw CLIError("\(modelPath) has no compiled loss to fine-tune with") }
            guard let y = rows.y else { throw CLIError("\(rows.description): no target column to fine-tune on") }
            let classCount = saved.task == .classification ? max(2, model.outputSize) : 0
            let targets = Network.targets(y, loss: loss, classCount: classCount)
            let size = batchSize ?? saved.loaded.metadata.training.batchSize ?? 32
            printError("Fine-tuning \(fineTuneEpochs) epochs on \(rows.description), \(rows.x.rows) rows, sparsity rising to \(sparsity)")
            let history = try model.prune(to: sparsity, scope: scope, fineTuneOn: rows.x, targets, epochs: fineTuneEpochs,
                                          batchSize: size, callbacks: [EpochLine(total: fineTuneEpochs)])
            if let history { try TrainedModelCheck.check(history, model: model, trainingRows: rows.x, output: output) }
        } else {
            try model.prune(to: sparsity, scope: scope)
        }
        if method != .units {
            printError(String(format: "Sparsity %.4f of the Dense weights (%@)", MagnitudePruning.sparsity(of: model.layers),
                              method == .magnitude ? "per layer" : "global threshold"))
        }

        if method == .neurons, let rows {
            let (narrowed, report) = try NeuronPruning.narrowed(model, data: rows.x)
            for layer in report.narrowed {
                printError("layer \(layer.layer): \(layer.unitsBefore) → \(layer.unitsAfter) units "
                    + "(\(layer.outgoingPruned) with every outgoing weight pruned, \(layer.constant) constant on \(rows.description))")
            }
            for skipped in report.skipped { printError("layer \(skipped.layer) not narrowed: \(skipped.reason)") }
            if report.narrowed.isEmpty { printError("No hidden unit could be removed") }
            model = narrowed
        }

        var training = saved.loaded.metadata.training
        training.info["pruning"] = "\(method.rawValue), sparsity \(sparsity), \(fineTuneEpochs) fine-tuning epochs, from \(URL(fileURLWithPath: modelPath).lastPathComponent)"
        try ModelFile.save(model, preprocessor: saved.preprocessor, training: training, to: URL(fileURLWithPath: output))
        printError("Wrote \(output): \(model.parameterCount) parameters (\(before) before)")
    }

    /// The rows the model was trained on (with --csv: that file's rows), through its saved preprocessing.
    func trainingRows(_ saved: SavedModel) throws -> ModelRows {
        do {
            return try ModelRows.load(saved, data, part: .training)
        } catch let error as CLIError {
            throw CLIError("--fine-tune-epochs and --method neurons need the training rows: \(error.description)")
        }
    }
}

/// One line per fine-tuning epoch: its number and loss.
private final class EpochLine: Callback {
    let total: Int
    init(total: Int) { self.total = total }
    func epochDidEnd(_ logs: EpochLogs, model: Sequential) {
        printError("epoch \(logs.epoch + 1)/\(total)  loss \(String(format: "%.4f", Double(logs.values["loss"] ?? .nan)))")
    }
}
