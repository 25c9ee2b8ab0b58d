import Foundation

/// An activation function `a = f(z)`, applied elementwise (softmax: row-wise), named by
/// its registered name in model files and on the command line.
///
/// The built-ins (their formulas are in the table below, their code in
/// `BuiltInActivation.swift`):
///
/// | name | f(z) | f′(z) |
/// |---|---|---|
/// | linear | z | 1 |
/// | sigmoid | σ(z) = 1 / (1 + e⁻ᶻ) | a·(1 − a) |
/// | tanh | tanh z | 1 − a² |
/// | relu | max(0, z) | 1 if z > 0 else 0 |
/// | leakyReLU | z if z > 0 else 0.01·z | 1 if z > 0 else 0.01 |
/// | elu | z if z > 0 else eᶻ − 1 | 1 if z > 0 else a + 1 |
/// | gelu | z·Φ(z) = ½·z·(1 + erf(z/√2)) | Φ(z) + z·φ(z) |
/// | softplus | log(1 + eᶻ) | σ(z) |
/// | softmax | eᶻⁱ / Σⱼ eᶻʲ (row-wise) | ∂L/∂zᵢ = aᵢ·(gᵢ − Σⱼ gⱼ·aⱼ) |
///
/// Slopes follow PyTorch's defaults: leaky ReLU 0.01, ELU α = 1, GELU in its exact
/// (erf) form, and ReLU′(0) = 0.
///
/// The set is open: any ``ActivationFunction`` becomes an `Activation` with
/// ``init(_:)``, and once registered (``ActivationRegistry/register(_:)``) it is saved and
/// loaded by name like the built-ins. Two activations are equal when they have the same
/// name and implementing type. Calls go to the function once per whole matrix.
public struct Activation: Sendable {
    /// The implementation: the buffer forms of f and its vector–Jacobian product.
    public let function: any ActivationFunction

    /// An activation from any implementation (register it to save models that use it).
    public init(_ function: any ActivationFunction) {
        self.function = function
    }

    /// The registered name (`"relu"`, `"leakyReLU"`, `"swish"`).
    public var name: String { function.name }

    public static let linear = Activation(BuiltInActivation.linear)
    public static let sigmoid = Activation(BuiltInActivation.sigmoid)
    public static let tanh = Activation(BuiltInActivation.tanh)
    public static let relu = Activation(BuiltInActivation.relu)
    public static let leakyReLU = Activation(BuiltInActivation.leakyReLU)
    public static let elu = Activation(BuiltInActivation.elu)
    public static let gelu = Activation(BuiltInActivation.gelu)
    public static let softplus = Activation(BuiltInActivation.softplus)
    public static let softmax = Activation(BuiltInActivation.softmax)

    /// The negative-side slope of ``leakyReLU``.
    public static let leakyReLUSlope: Float = 0.01

    /// Whether the function acts on each element alone (every built-in but softmax).
    public var isElementwise: Bool { function.isElementwise }

    /// The logistic function σ(z) = 1 / (1 + e⁻ᶻ), computed without overflow for either sign.
    @inlinable @inline(__always)
    public static func logistic(_ z: Float) -> Float {
        if z >= 0 { return 1 / (1 + Foundation.exp(-z)) }
        let e = Foundation.exp(z)
        return e / (1 + e)
    }

    /// f(z) for one element. Not defined for a function that is not elementwise (softmax).
    public func value(_ z: Float) -> Float {
        if let builtIn = function as? BuiltInActivation { return builtIn.value(z) }
        guard let elementwise = function as? any ElementwiseActivation else {
            preconditionFailure("\(name) is not elementwise; use apply(_:into:)")
        }
        return elementwise.value(z)
    }

    /// f′(z) for one element, from the input `z` and the output `a = f(z)`.
    public func derivative(z: Float, a: Float) -> Float {
        if let builtIn = function as? BuiltInActivation { return builtIn.derivative(z: z, a: a) }
        guard let elementwise = function as? any ElementwiseActivation else {
            preconditionFailure("\(name) has no elementwise derivative; use backward(outputGradient:input:output:into:)")
        }
        return elementwise.derivative(z: z, a: a)
    }

    /// Writes `f(z)` into `a` (resized to z's shape).
    public func apply(_ z: Matrix, into a: inout Matrix) {
        function.apply(z, into: &a)
    }

    /// `f(z)` as a new matrix.
    public func apply(_ z: Matrix) -> Matrix {
        var a = Matrix(rows: z.rows, columns: z.columns)
        apply(z, into: &a)
        return a
    }

    /// The vector–Jacobian product: given `g = ∂L/∂a`, writes `∂L/∂z` into `result`.
    ///
    /// ```
    /// elementwise:  ∂L/∂zᵢⱼ = gᵢⱼ · f′(zᵢⱼ)
    /// softmax:      ∂L/∂zᵢⱼ = aᵢⱼ · (gᵢⱼ − Σₖ gᵢₖ·aᵢₖ)
    /// ```
    public func backward(outputGradient g: Matrix, input z: Matrix, output a: Matrix, into result: inout Matrix) {
        function.backward(outputGradient: g, input: z, output: a, into: &result)
    }
}

extension Activation: Hashable {
    public static func == (lhs: Activation, rhs: Activation) -> Bool {
        lhs.name == rhs.name && type(of: lhs.function) == type(of: rhs.function)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

extension Activation: RawRepresentable {
    /// The registered name.
    public var rawValue: String { name }

    /// The activation registered under `rawValue`, or nil.
    public init?(rawValue: String) {
        guard let function = ActivationRegistry.function(named: rawValue) else { return nil }
        self.init(function)
    }
}

extension Activation: CaseIterable {
    /// The nine built-in activations (registered ones are in ``ActivationRegistry/registeredNames``).
    public static var allCases: [Activation] { BuiltInActivation.allCases.map { Activation($0) } }
}

extension Activation: CustomStringConvertible {
    public var description: String { name }
}

/// Saved as its name, a single JSON string (`"relu"`), as in format 1.
extension Activation: Codable {
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let function = ActivationRegistry.function(named: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "unknown activation \"\(name)\" (registered: \(ActivationRegistry.registeredNames.joined(separator: ", ")))"))
        }
        self.init(function)
    }

    public func encode(to encoder: any Encoder) throws {
        guard ActivationRegistry.holds(function) else {
            throw EncodingError.invalidValue(name, .init(codingPath: encoder.codingPath,
                debugDescription: "activation \"\(name)\" is not registered (ActivationRegistry.register)"))
        }
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

extension Activation {
    /// The former name of ``logistic(_:)``, which collided with the ``sigmoid`` activation.
    @available(*, deprecated, renamed: "logistic")
    public static func sigmoid(_ z: Float) -> Float { logistic(z) }
}
