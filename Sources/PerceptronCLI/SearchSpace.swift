import ArgumentParser
import Perceptron

/// The candidates of `perceptron tune --grid`: every combination of the listed values
/// (scikit-learn's `GridSearchCV`), or `--random N` of them drawn without replacement
/// with the seed (`RandomizedSearchCV` over a discrete grid).
///
/// ```
/// --grid "layers=16|32,16;lr=0.01|0.001;l2=0|1e-4"     → 2 × 2 × 2 = 8 candidates
/// ```
/// Parameters are separated by `;`, values by `|`; a parameter is any training option of
/// `perceptron train` without its dashes (`layers`, `activation`, `lr`, `optimizer`,
/// `batch-size`, `epochs`, `l1`, `l2`, `dropout`, `class-weight`, `lr-schedule`,
/// `clip-norm`, `loss`, `early-stopping`, `validation-split`; `_` may stand for `-`), and
/// each value is checked as that option would check it.
struct SearchSpace {
    /// The parameters in the order given, each with its values.
    var parameters: [(name: String, values: [String])]

    static let names = ["layers", "activation", "lr", "optimizer", "batch-size", "epochs", "l1", "l2", "dropout",
                        "class-weight", "lr-schedule", "clip-norm", "loss", "early-stopping", "validation-split"]

    /// Parses `--grid`.
    /// - Throws: `ValidationError` naming an unknown parameter, an empty value list, a
    ///   repeated parameter or a value its option refuses.
    init(_ text: String) throws {
        parameters = []
        for part in text.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            guard let eq = part.firstIndex(of: "=") else {
                throw ValidationError("--grid takes NAME=V1|V2;NAME=… (e.g. \"layers=16|32,16;lr=0.01|0.001\"), got \"\(part)\".")
            }
            let name = part[..<eq].trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "-")
            guard Self.names.contains(name) else {
                throw ValidationError("--grid: unknown parameter \"\(name)\" (one of \(Self.names.joined(separator: ", "))).")
            }
            guard !parameters.contains(where: { $0.name == name }) else { throw ValidationError("--grid: \"\(name)\" is given twice.") }
            let values = part[part.index(after: eq)...].split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard !values.isEmpty, !values.contains("") else { throw ValidationError("--grid: \"\(name)\" has an empty value in \"\(part)\".") }
            let defaults = try ModelOptions.parse([])
            for value in values { _ = try defaults.setting(name, to: value) }
            parameters.append((name, values))
        }
        guard !parameters.isEmpty else { throw ValidationError("--grid needs at least one NAME=V1|V2 parameter.") }
    }

    /// The number of combinations.
    var count: Int { parameters.reduce(1) { $0 * $1.values.count } }

    /// Every combination, the last parameter varying fastest (as scikit-learn's ParameterGrid
    /// with the keys in the order given).
    var grid: [[(name: String, value: String)]] {
        var out: [[(name: String, value: String)]] = [[]]
        for (name, values) in parameters {
            out = out.flatMap { prefix in values.map { prefix + [(name, $0)] } }
        }
        return out
    }

    /// `n` combinations drawn without replacement with `seed` (all when n ≥ count), in grid order.
    func random(_ n: Int, seed: UInt64) -> [[(name: String, value: String)]] {
        let all = grid
        guard n < all.count else { return all }
        var generator = SeededGenerator(seed: seed)
        var indices = Array(all.indices)
        indices.shuffle(using: &generator)
        return indices.prefix(n).sorted().map { all[$0] }
    }
}

extension ModelOptions {
    /// These options with `--name value` applied, `value` parsed and checked as the
    /// option's own.
    /// - Throws: the option's `ValidationError`.
    func setting(_ name: String, to value: String) throws -> ModelOptions {
        let parsed: ModelOptions
        do {
            parsed = try ModelOptions.parse(["--\(name)", value])
        } catch {
            throw ValidationError("--grid \(name)=\(value): " + ModelOptions.message(for: error))
        }
        var out = self
        switch name {
        case "layers": out.layers = parsed.layers
        case "activation": out.activation = parsed.activation
        case "lr": out.lr = parsed.lr
        case "optimizer": out.optimizer = parsed.optimizer
        case "batch-size": out.batchSize = parsed.batchSize
        case "epochs": out.epochs = parsed.epochs
        case "loss": out.loss = parsed.loss
        case "early-stopping": out.earlyStopping = parsed.earlyStopping
        case "validation-split": out.validationSplit = parsed.validationSplit
        case "l1": out.controls.l1 = parsed.controls.l1
        case "l2": out.controls.l2 = parsed.controls.l2
        case "dropout": out.controls.dropout = parsed.controls.dropout
        case "class-weight": out.controls.classWeight = parsed.controls.classWeight
        case "lr-schedule": out.controls.lrSchedule = parsed.controls.lrSchedule
        case "clip-norm": out.controls.clipNorm = parsed.controls.clipNorm
        default: throw ValidationError("--grid: unknown parameter \"\(name)\".")
        }
        try out.validate()
        return out
    }
}
