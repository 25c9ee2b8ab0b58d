import Foundation

/// Layer normalization (Ba, Kiros & Hinton, 2016): each row normalized over its features,
/// the same in training and inference, with Keras's ε = 1e-3:
///
/// ```
/// μᵢ = (1/k)·Σⱼ xᵢⱼ     σᵢ² = (1/k)·Σⱼ (xᵢⱼ − μᵢ)²     x̂ᵢ = (xᵢ − μᵢ) / √(σᵢ² + ε)
/// y = γ ⊙ x̂ + β                                             (γ, β per feature)
///
/// backward, with g = ∂L/∂y and ĝ = g ⊙ γ:
///   ∂L/∂γ = Σᵢ gᵢ ⊙ x̂ᵢ     ∂L/∂β = Σᵢ gᵢ
///   ∂L/∂xᵢ = (1/k)·(1/√(σᵢ² + ε))·(k·ĝᵢ − Σⱼ ĝᵢⱼ − x̂ᵢ·Σⱼ ĝᵢⱼ·x̂ᵢⱼ)
/// ```
/// γ ("gamma", starts at 1) and β ("beta", 0) are trainable. PyTorch's
/// `LayerNorm(k, eps: 1e-3)` computes the same.
public struct LayerNormalization: Layer {
    /// The settings that recreate the layer, saved as `{"layerNormalization": {…}}`.
    public struct Configuration: LayerConfiguration, Equatable {
        public static let registeredName = "layerNormalization"
        public var epsilon: Float

        public func makeLayer() throws -> any Layer { LayerNormalization(epsilon: epsilon) }

        /// gamma and beta, each [inputWidth]; the width passes through.
        public func tensorLayout(inputWidth: Int) throws -> LayerTensorLayout {
            LayerTensorLayout(tensors: [.init("gamma", shape: [inputWidth]), .init("beta", shape: [inputWidth])],
                              outputWidth: inputWidth)
        }
    }

    /// ε, added to each row's variance before the square root.
    public let epsilon: Float
    /// γ, 1 × features.
    public private(set) var gamma = Matrix(rows: 0, columns: 0)
    /// β, 1 × features.
    public private(set) var beta = Matrix(rows: 0, columns: 0)
    private var gammaGradient = Matrix(rows: 0, columns: 0)
    private var betaGradient = Matrix(rows: 0, columns: 0)
    private var normalized = Matrix(rows: 0, columns: 0)
    private var inverseDeviation: [Float] = []
    public private(set) var output = Matrix(rows: 0, columns: 0)
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)

    public init(epsilon: Float = 1e-3) { self.epsilon = epsilon }

    public var typeName: String { "LayerNormalization" }
    public var outputSize: Int { gamma.columns }
    public var parameterCount: Int { gamma.count + beta.count }
    public var configuration: any LayerConfiguration { Configuration(epsilon: epsilon) }

    public mutating func build(inputSize: Int, generator: inout SeededGenerator) throws {
        try Hyperparameter.positive("LayerNormalization epsilon", epsilon)
        guard inputSize >= 1 else {
            throw PerceptronError.invalidHyperparameter(name: "LayerNormalization input size", value: "\(inputSize)", expected: "an integer ≥ 1")
        }
        gamma = Matrix(rows: 1, columns: inputSize, repeating: 1)
        beta = Matrix(rows: 1, columns: inputSize)
        gammaGradient = Matrix(rows: 1, columns: inputSize)
        betaGradient = Matrix(rows: 1, columns: inputSize)
    }

    public mutating func forward(_ input: Matrix, training: Bool, generator: inout SeededGenerator) {
        let (n, k) = (input.rows, input.columns)
        precondition(k == gamma.columns, "LayerNormalization expects \(gamma.columns) input columns, got \(k)")
        if normalized.rows != n || normalized.columns != k { normalized.resize(rows: n, columns: k) }
        if output.rows != n || output.columns != k { output.resize(rows: n, columns: k) }
        if inverseDeviation.count != n { inverseDeviation = [Float](repeating: 0, count: n) }
        input.withUnsafeBufferPointer { x in
            normalized.withUnsafeMutableBufferPointer { xhat in
                output.withUnsafeMutableBufferPointer { y in
                    for i in 0..<n {
                        let row = i * k
                        var sum: Double = 0
                        for j in 0..<k { sum += Double(x[row + j]) }
                        let mean = Float(sum / Double(k))
                        var squares: Double = 0
                        for j in 0..<k { let d = Double(x[row + j] - mean); squares += d * d }
                        let inverse = 1 / (Float(squares / Double(k)) + epsilon).squareRoot()
                        inverseDeviation[i] = inverse
                        for j in 0..<k {
                            let v = (x[row + j] - mean) * inverse
                            xhat[row + j] = v
                            y[row + j] = gamma[0, j] * v + beta[0, j]
                        }
                    }
                }
            }
        }
    }

    public mutating func backward(input: Matrix, outputGradient g: Matrix, needsInputGradient: Bool) {
        let (n, k) = (g.rows, g.columns)
        for j in 0..<k { gammaGradient[0, j] = 0; betaGradient[0, j] = 0 }
        if needsInputGradient, inputGradient.rows != n || inputGradient.columns != k { inputGradient.resize(rows: n, columns: k) }
        g.withUnsafeBufferPointer { gp in
            normalized.withUnsafeBufferPointer { xhat in
                for i in 0..<n {
                    let row = i * k
                    var sumG: Float = 0, sumGX: Float = 0
                    for j in 0..<k {
                        gammaGradient[0, j] += gp[row + j] * xhat[row + j]
                        betaGradient[0, j] += gp[row + j]
                        let scaled = gp[row + j] * gamma[0, j]
                        sumG += scaled
                        sumGX += scaled * xhat[row + j]
                    }
                    guard needsInputGradient else { continue }
                    let inverse = inverseDeviation[i]
                    let count = Float(k)
                    inputGradient.withUnsafeMutableBufferPointer { dx in
                        for j in 0..<k {
                            dx[row + j] = inverse * (gp[row + j] * gamma[0, j] - (sumG + xhat[row + j] * sumGX) / count)
                        }
                    }
                }
            }
        }
    }

    public mutating func visitParameters(_ body: (Int, inout Matrix, inout Matrix) -> Void) {
        body(0, &gamma, &gammaGradient)
        body(1, &beta, &betaGradient)
    }

    public var parameters: [Matrix] {
        get { [gamma, beta] }
        set {
            precondition(newValue.count == 2 && newValue.allSatisfy { $0.rows == 1 && $0.columns == gamma.columns },
                         "LayerNormalization takes gamma and beta, each 1×\(gamma.columns)")
            gamma = newValue[0]
            beta = newValue[1]
        }
    }
    public var parameterNames: [String] { ["gamma", "beta"] }
}
