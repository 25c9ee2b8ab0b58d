import ArgumentParser
import Perceptron

/// Option values in the spellings users bring from Keras and from other command lines.
///
/// A value is matched after lower-casing it and dropping `_` and `-`, so `leaky_relu`,
/// `leaky-relu` and the library's own `leakyReLU` all name ``Activation/leakyReLU``, and
/// `binary_crossentropy`, `binary-crossentropy` and `binaryCrossEntropy` all name
/// ``Loss/binaryCrossEntropy``. Help and messages show Keras' snake_case spelling.
enum OptionName {
    /// `value` lower-cased, without `_` and `-`.
    static func folded(_ value: String) -> String {
        String(value.lowercased().filter { $0 != "_" && $0 != "-" })
    }
}

extension Activation: ExpressibleByArgument {
    /// Keras' name: `relu`, `leaky_relu`, `softmax`, …
    var kerasName: String {
        switch self {
        case .leakyReLU: return "leaky_relu"
        default: return rawValue
        }
    }

    public init?(argument: String) {
        let key = OptionName.folded(argument)
        guard let match = Activation.choices.first(where: { OptionName.folded($0.rawValue) == key }) else { return nil }
        self = match
    }

    /// The built-ins in their order, then any activation a program linking this command registered.
    static var choices: [Activation] {
        let builtIn = Set(allCases.map(\.rawValue))
        return allCases + ActivationRegistry.registeredNames.filter { !builtIn.contains($0) }.compactMap(Activation.init(rawValue:))
    }

    public static var allValueStrings: [String] { choices.map(\.kerasName) }
    public var defaultValueDescription: String { kerasName }
}

extension Loss: ExpressibleByArgument {
    /// Keras' name: `binary_crossentropy`, `sparse_categorical_crossentropy`, `mean_squared_error`, …
    var kerasName: String {
        switch self {
        case .meanSquaredError: return "mean_squared_error"
        case .meanAbsoluteError: return "mean_absolute_error"
        case .huber: return "huber"
        case .binaryCrossEntropy: return "binary_crossentropy"
        case .binaryCrossEntropyFromLogits: return "binary_crossentropy_from_logits"
        case .categoricalCrossEntropy: return "categorical_crossentropy"
        case .sparseCategoricalCrossEntropy: return "sparse_categorical_crossentropy"
        }
    }

    public init?(argument: String) {
        let key = OptionName.folded(argument)
        switch key {
        case "mse": self = .meanSquaredError
        case "mae": self = .meanAbsoluteError
        default:
            guard let match = Loss.allCases.first(where: {
                OptionName.folded($0.rawValue) == key || OptionName.folded($0.kerasName) == key
            }) else { return nil }
            self = match
        }
    }

    public static var allValueStrings: [String] { allCases.map(\.kerasName) }
    public var defaultValueDescription: String { kerasName }
}

extension TaskKind: ExpressibleByArgument {
    public init?(argument: String) {
        guard let match = TaskKind.allCases.first(where: { OptionName.folded($0.rawValue) == OptionName.folded(argument) }) else {
            return nil
        }
        self = match
    }
}
