import ArgumentParser
import Perceptron

/// The hidden layers of `--layers`, Keras-like: a comma-separated list of
///
/// ```
/// N             a Dense layer of N units with --activation
/// N:act         a Dense layer of N units with activation act (relu, tanh, leaky_relu, …)
/// dropout:R     a Dropout layer dropping a share R ∈ [0, 1) of its inputs while training
/// batchnorm     a BatchNormalization layer (Keras' defaults: momentum 0.99, ε 1e-3)
/// layernorm     a LayerNormalization layer (ε 1e-3)
/// ```
///
/// so `64:relu,dropout:0.2,32:tanh` and plain `16,8` are both valid; `none` (or an empty
/// value) means no hidden layer. Softmax is refused for a hidden layer: it forces a
/// layer's outputs to sum to 1, which throws away all but k − 1 degrees of freedom and
/// saturates its gradient; the output layer's softmax comes from the loss.
enum LayerSpec: Equatable {
    case dense(units: Int, activation: Activation?)
    case dropout(rate: Float)
    case batchNormalization
    case layerNormalization

    /// Parses a `--layers` value.
    /// - Throws: `ValidationError` naming the part that is wrong.
    static func parse(_ text: String) throws -> [LayerSpec] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.lowercased() == "none" { return [] }
        return try trimmed.split(separator: ",", omittingEmptySubsequences: false).map { part in
            try parseOne(part.trimmingCharacters(in: .whitespaces), whole: text)
        }
    }

    private static func parseOne(_ part: String, whole: String) throws -> LayerSpec {
        let pieces = part.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let usage = "--layers takes layers separated by commas, each N (units), N:activation, dropout:RATE, batchnorm or layernorm "
            + "(e.g. 64:relu,dropout:0.2,32:tanh or 64,32)"
        switch OptionName.folded(part) {
        case "batchnorm", "batchnormalization": return .batchNormalization
        case "layernorm", "layernormalization": return .layerNormalization
        default: break
        }
        if pieces[0].lowercased() == "dropout" {
            guard pieces.count == 2, let rate = Float(pieces[1]), rate >= 0, rate < 1 else {
                throw ValidationError("\(usage); \"\(part)\" needs a rate in [0, 1), e.g. dropout:0.2.")
            }
            return .dropout(rate: rate)
        }
        guard let units = Int(pieces[0]), units >= 1 else {
            throw ValidationError("\(usage); got \"\(part)\" in \"\(whole)\".")
        }
        guard pieces.count == 2 else { return .dense(units: units, activation: nil) }
        guard let activation = Activation(argument: pieces[1]) else {
            throw ValidationError("\(usage); unknown activation \"\(pieces[1])\" in \"\(part)\" "
                + "(one of \(Activation.allValueStrings.joined(separator: ", "))).")
        }
        try refuseHidden(activation, in: "--layers \(part)")
        return .dense(units: units, activation: activation)
    }

    /// Throws when `activation` cannot be a hidden layer's (softmax).
    static func refuseHidden(_ activation: Activation, in option: String) throws {
        if activation == .softmax {
            throw ValidationError("\(option): softmax cannot be a hidden layer's activation: it makes the layer's "
                + "outputs sum to 1, which discards their scale and stalls learning (a network that way scores near "
                + "chance). The output layer's softmax is chosen from the loss; use relu, tanh, leaky_relu, elu or gelu here.")
        }
    }

    /// The library layers: Dense layers get `defaultActivation` when they name none, and
    /// `regularizer` on their kernels.
    static func layers(_ specs: [LayerSpec], defaultActivation: Activation, regularizer: Regularizer?) -> [any Layer] {
        specs.map { spec in
            switch spec {
            case let .dense(units, activation):
                return Dense(units, activation: activation ?? defaultActivation, kernelRegularizer: regularizer)
            case let .dropout(rate):
                return Dropout(rate)
            case .batchNormalization:
                return BatchNormalization()
            case .layerNormalization:
                return LayerNormalization()
            }
        }
    }
}

extension ModelOptions {
    /// Checks `--layers`, and refuses a softmax `--activation` for hidden layers that use it.
    func validateLayers() throws {
        let specs = try hiddenLayers()
        let usesDefault = specs.contains { if case .dense(_, nil) = $0 { return true } else { return false } }
        if usesDefault {
            try LayerSpec.refuseHidden(activation, in: "--activation \(activation.kerasName)")
        }
    }

    /// The library's hidden layers: `--layers` with `--activation`, a `--dropout` layer after
    /// each Dense layer that `--layers` does not follow with its own, and the `--l1`/`--l2` penalty on each Dense kernel.
    func libraryHiddenLayers(defaultUnits: Int) throws -> [any Layer] {
        let given = try hiddenLayers(defaultUnits: defaultUnits)
        var specs: [LayerSpec] = []
        for (i, spec) in given.enumerated() {
            specs.append(spec)
            let followedByDropout = i + 1 < given.count && { if case .dropout = given[i + 1] { return true } else { return false } }()
            if controls.dropout > 0, case .dense = spec, !followedByDropout { specs.append(.dropout(rate: controls.dropout)) }
        }
        return LayerSpec.layers(specs, defaultActivation: activation, regularizer: controls.regularizer)
    }
}
