import Perceptron

/// A layer defined outside the library: a trainable scale per feature, y = x ⊙ s,
/// ∂L/∂s = Σᵢ gᵢ ⊙ xᵢ, ∂L/∂x = g ⊙ s. With its configuration, it is all a user writes
/// (plus `LayerRegistry.register(Scale.Configuration.self)`) to train, save and load it.
struct Scale: Layer {
    struct Configuration: LayerConfiguration {
        static let registeredName = "example.scale"
        var initial: Float
        func makeLayer() throws -> any Layer { Scale(initial: initial) }
        func tensorLayout(inputWidth: Int) throws -> LayerTensorLayout {
            LayerTensorLayout(tensors: [.init("scale", shape: [inputWidth])], outputWidth: inputWidth)
        }
    }

    var initial: Float
    var scale = Matrix(rows: 0, columns: 0)
    var scaleGradient = Matrix(rows: 0, columns: 0)
    private(set) var output = Matrix(rows: 0, columns: 0)
    private(set) var inputGradient = Matrix(rows: 0, columns: 0)

    var typeName: String { "Scale" }
    var outputSize: Int { scale.columns }
    var parameterCount: Int { scale.count }
    var configuration: any LayerConfiguration { Configuration(initial: initial) }

    mutating func build(inputSize: Int, generator: inout SeededGenerator) throws {
        scale = Matrix(rows: 1, columns: inputSize, repeating: initial)
        scaleGradient = Matrix(rows: 1, columns: inputSize)
    }

    mutating func forward(_ input: Matrix, training: Bool, generator: inout SeededGenerator) {
        output = input
        for i in 0..<input.rows { for j in 0..<input.columns { output[i, j] *= scale[0, j] } }
    }

    mutating func backward(input: Matrix, outputGradient g: Matrix, needsInputGradient: Bool) {
        for j in 0..<g.columns { scaleGradient[0, j] = (0..<g.rows).reduce(0) { $0 + g[$1, j] * input[$1, j] } }
        guard needsInputGradient else { return }
        inputGradient = g
        for i in 0..<g.rows { for j in 0..<g.columns { inputGradient[i, j] *= scale[0, j] } }
    }

    mutating func visitParameters(_ body: (Int, inout Matrix, inout Matrix) -> Void) { body(0, &scale, &scaleGradient) }
    var parameters: [Matrix] {
        get { [scale] }
        set { scale = newValue[0] }
    }
    var parameterNames: [String] { ["scale"] }
}
