import ArgumentParser
import Foundation
import Perceptron

/// `train --checkpoint FILE [--checkpoint-every N]` and `train --resume FILE`.
///
/// A checkpoint is a model file with the optimizer's moments, the random state and the
/// training state (epochs done, history, learning rates, early stopping's state), written
/// atomically after every N epochs. It also records the `train` arguments that made it
/// (paths made absolute), so `train --resume FILE` alone rebuilds the same data, split,
/// preprocessing and network, checks them against the checkpoint, and continues to the
/// requested total of epochs: the result equals the uninterrupted run's bit for bit at the
/// same thread count (the checkpoint's thread count is used unless --threads is given).
///
/// Arguments given with --resume are added to the recorded ones. Those that change the run
/// (data set, split, seed, network, optimizer, batch size, …) must agree with the recorded
/// ones: a resume that differs is refused, naming the option. These may differ: --epochs
/// (the new total), the outputs (--output, --checkpoint, --checkpoint-every, --json,
/// --history-csv, --report, --save-optimizer-state), --threads when it names the
/// checkpoint's count, and the paths --csv and --data-dir (the data itself is compared by
/// fingerprint).
struct CheckpointOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Save a checkpoint (model, optimizer state, random state, epoch, history) to this file, atomically, during training.",
                                            valueName: "file"))
    var checkpoint: String?

    @Option(name: .long, help: ArgumentHelp("Save the checkpoint every N epochs (and after the last).", valueName: "n"))
    var checkpointEvery: Int = 1

    @Option(name: .long, help: ArgumentHelp("Continue the training a --checkpoint file recorded, with its arguments, to the total --epochs.",
                                            valueName: "file"))
    var resume: String?

    func validate() throws {
        if checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1, got \(checkpointEvery).") }
    }
}

/// The metadata notes a checkpoint's arguments are kept under.
enum CheckpointNotes {
    static let arguments = "train_arguments"
    static let threads = "threads"
    /// Options that a resume may change; all others must agree with the checkpoint's.
    static let mayDiffer: Set<String> = ["epochs", "output", "checkpoint", "checkpointEvery", "resume", "json", "csv", "dataDir",
                                         "threads", "historyCSV", "report", "saveOptimizerState"]
    /// Options whose value is a path, recorded absolute.
    static let pathOptions: Set<String> = ["--csv", "--data-dir", "--checkpoint", "--output", "-o", "--history-csv", "--report"]

    /// The `train` arguments of this process (after the subcommand), without --resume, paths absolute.
    static func recordedArguments() -> [String] {
        let all = PerceptronCommand.invocation
        guard let start = all.firstIndex(of: "train") else { return [] }
        var out: [String] = []
        var tokens = all[(start + 1)...].makeIterator()
        while let token = tokens.next() {
            let parts = token.split(separator: "=", maxSplits: 1).map(String.init)
            if parts[0] == "--resume" {
                if parts.count == 1 { _ = tokens.next() }
                continue
            }
            guard pathOptions.contains(parts[0]) else { out.append(token); continue }
            if parts.count == 2 {
                out.append(parts[0] + "=" + absolute(parts[1]))
            } else {
                out.append(token)
                if let value = tokens.next() { out.append(absolute(value)) }
            }
        }
        return out
    }

    static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    static func encode(_ arguments: [String]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: arguments)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func decode(_ text: String) -> [String]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String]
    }
}

extension Train {
    /// The --checkpoint callback, with the notes a model file gets and the `train` arguments
    /// to record (this process's, or a resumed checkpoint's with this process's added).
    func checkpointWriter(source: DataSource, prepared: PreparedData, epochs: Int, arguments: [String]?) throws -> ModelCheckpoint? {
        guard let file = checkpointing.checkpoint else { return nil }
        var info = ["data": source.name, "task": prepared.task.rawValue, "test_split": String(testSplit),
                    "split_seed": String(common.seed),
                    CheckpointNotes.arguments: CheckpointNotes.encode(arguments ?? CheckpointNotes.recordedArguments()),
                    CheckpointNotes.threads: String(ComputeSettings.threadCount)]
        if prepared.preprocessor == nil && prepared.task == .classification {
            info["class_names"] = SavedModel.encodeClassNames(prepared.classNames)
        }
        return try ModelCheckpoint(url: URL(fileURLWithPath: file), every: checkpointing.checkpointEvery, preprocessor: prepared.preprocessor,
                                   training: .init(epochs: epochs, batchSize: network.batchSize, seed: common.seed, info: info))
    }

    /// `train --resume FILE …`: the recorded arguments plus these, checked, then trained from the checkpoint.
    func runResumed(from path: String) throws {
        let checkpoint = try ModelFile.loadCheckpoint(from: URL(fileURLWithPath: path))
        let info = checkpoint.metadata.training.info
        guard let recordedText = info[CheckpointNotes.arguments], let recorded = CheckpointNotes.decode(recordedText) else {
            throw CLIError("\(path): the checkpoint records no train arguments; resume it from a Swift program with fit(…, resumeFrom:)")
        }
        let given = CheckpointNotes.recordedArguments()
        var merged: Train
        let original: Train
        do {
            original = try Train.parse(recorded)
            merged = try Train.parse(recorded + given)
        } catch {
            throw CLIError("\(path): the recorded train arguments do not parse with these: \(Train.message(for: error))")
        }
        let before = Self.settings(of: original), after = Self.settings(of: merged)
        // nil: the option was not given, so its default applies.
        for name in Set(before.keys).union(after.keys).sorted() where !CheckpointNotes.mayDiffer.contains(name) && before[name] != after[name] {
            throw CLIError("\(path): cannot resume with --\(Self.kebab(name)) \(after[name]!): "
                + "the checkpoint was trained with \(before[name] == "nil" ? "its default" : before[name]!)")
        }
        // Bit-exact at the same thread count only.
        if let text = info[CheckpointNotes.threads], let threads = Int(text) {
            if let asked = merged.common.threads, asked != threads {
                throw CLIError("\(path): cannot resume with --threads \(asked): the checkpoint was trained with \(threads) "
                    + "(a resumed run equals the uninterrupted one only at the same thread count)")
            }
            try ComputeSettings.setThreadCount(threads)
        }
        // Keep checkpointing into the file resumed from (wherever it now is), unless told otherwise.
        if !given.contains(where: { $0 == "--checkpoint" || $0.hasPrefix("--checkpoint=") }) {
            merged.checkpointing.checkpoint = CheckpointNotes.absolute(path)
        }
        merged.checkpointing.resume = nil
        try merged.train(resuming: (checkpoint, path, recorded + given))
    }

    /// Uses the checkpoint's model in place of the one these arguments built, once the two
    /// agree on the network and the preprocessing.
    static func adopt(_ checkpoint: ModelFile.LoadedCheckpoint, from path: String, built: Network, prepared: PreparedData) throws -> Sequential {
        let saved = checkpoint.model, fresh = built.model
        let same = saved.inputSize == fresh.inputSize && saved.loss == fresh.loss
            && saved.layers.map({ AnyLayerConfiguration($0.configuration) }) == fresh.layers.map({ AnyLayerConfiguration($0.configuration) })
        guard same else {
            throw CLIError("\(path): the checkpoint's network (\(describe(saved))) differs from the one the data and arguments build (\(describe(fresh)))")
        }
        guard checkpoint.preprocessor == prepared.preprocessor else {
            throw CLIError("\(path): the data's preprocessing (columns, categories, scalings fitted on the training rows) differs from the checkpoint's; is it the same data?")
        }
        return saved
    }

    private static func describe(_ model: Sequential) -> String {
        "\(model.inputSize) inputs → " + model.layers.map { "\($0.outputSize)" }.joined(separator: " → ")
    }

    /// Every parsed option of `command` by property name ("batchSize": "100"), read through
    /// reflection so that options added later are compared too.
    static func settings(of value: Any) -> [String: String] {
        var out: [String: String] = [:]
        for child in Mirror(reflecting: value).children {
            guard let label = child.label else { continue }
            let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
            let inner = unwrap(child.value)
            if inner is any ParsableArguments {
                out.merge(settings(of: inner)) { a, _ in a }
            } else {
                out[name] = plain(String(describing: inner))
            }
        }
        return out
    }

    /// The value inside argument-parser's property wrappers (Option, Flag, OptionGroup hold it in a parsed-value enum).
    private static func unwrap(_ value: Any) -> Any {
        var current = value
        for _ in 0..<4 {
            let typeName = String(describing: type(of: current))
            guard ["Option<", "Flag<", "OptionGroup<", "Argument<", "Parsed<"].contains(where: typeName.hasPrefix),
                  let child = Mirror(reflecting: current).children.first else { return current }
            current = child.value
        }
        return current
    }

    /// "Optional(5)" → "5".
    private static func plain(_ text: String) -> String {
        if text.hasPrefix("Optional("), text.hasSuffix(")") { return String(text.dropFirst(9).dropLast()) }
        return text
    }

    static func kebab(_ name: String) -> String {
        name.reduce(into: "") { out, c in
            if c.isUppercase { out += "-" + c.lowercased() } else { out.append(c) }
        }
    }
}
