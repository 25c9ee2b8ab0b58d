/// Inverted dropout (Srivastava et al., 2014): in training, each input is zeroed with
/// probability `rate` and the survivors are scaled so the expected value is unchanged;
/// at inference the layer is the identity.
///
/// ```
/// training:   y = x ⊙ m / (1 − rate),   mᵢⱼ ~ Bernoulli(1 − rate)
/// inference:  y = x
/// ∂L/∂x = ∂L/∂y ⊙ m / (1 − rate)
/// ```
public struct Dropout: Layer {
    /// The settings that recreate a Dropout layer, saved as `{"dropout": {"rate": …}}`.
    public struct Configuration: LayerConfiguration, Equatable {
        public static let registeredName = "dropout"
        public var rate: Float
        public func makeLayer() throws -> any Layer { Dropout(rate) }
        /// No tensors; the width passes through.
        public func tensorLayout(inputWidth: Int) throws -> LayerTensorLayout { LayerTensorLayout(outputWidth: inputWidth) }
    }

    /// The probability of zeroing an input, in [0, 1).
    public let rate: Float
    private var width = 0
    private var mask = Matrix(rows: 0, columns: 0)
    private var wasTraining = false
    public private(set) var output = Matrix(rows: 0, columns: 0)
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)

    public init(_ rate: Float) { self.rate = rate }

    public var typeName: String { "Dropout" }
    public var outputSize: Int { width }
    public var parameterCount: Int { 0 }
    public var configuration: any LayerConfiguration { Configuration(rate: rate) }

    public mutating func build(inputSize: Int, generator: inout SeededGenerator) throws {
        guard rate >= 0 && rate < 1 else {
            throw PerceptronError.invalidHyperparameter(name: "Dropout rate", value: "\(rate)", expected: "a number in [0, 1)")
        }
        width = inputSize
    }

    public mutating func forward(_ input: Matrix, training: Bool, generator: inout SeededGenerator) {
        wasTraining = training && rate > 0
        guard wasTraining else {
            output = input
            return
        }
        let scale = 1 / (1 - rate)
        if mask.rows != input.rows || mask.columns != input.columns { mask.resize(rows: input.rows, columns: input.columns) }
        mask.withUnsafeMutableBufferPointer { m in
            for i in m.indices { m[i] = generator.nextUnitFloat() >= rate ? scale : 0 }
        }
        input.zip(mask, into: &output, *)
    }

    public mutating func backward(input: Matrix, outputGradient: Matrix, needsInputGradient: Bool) {
        guard needsInputGradient else { return }
        if wasTraining {
            outputGradient.zip(mask, into: &inputGradient, *)
        } else {
            inputGradient = outputGradient
        }
    }

    public mutating func visitParameters(_ body: (Int, inout Matrix, inout Matrix) -> Void) {}
    public var parameters: [Matrix] {
        get { [] }
        set { precondition(newValue.isEmpty, "Dropout has no parameters") }
    }
    public var parameterNames: [String] { [] }
}
