import Foundation

/// Batch normalization (Ioffe & Szegedy, 2015), per feature over the batch, with Keras's
/// defaults (momentum 0.99, ε = 1e-3):
///
/// ```
/// training:   μ = (1/n)·Σᵢ xᵢ       σ² = (1/n)·Σᵢ (xᵢ − μ)²       (per column, biased)
///             x̂ = (x − μ) / √(σ² + ε)       y = γ ⊙ x̂ + β
///             moving_mean ← m·moving_mean + (1 − m)·μ
///             moving_variance ← m·moving_variance + (1 − m)·σ²        (Keras: the biased σ²)
/// inference:  x̂ = (x − moving_mean) / √(moving_variance + ε),   y = γ ⊙ x̂ + β
///
/// backward (training), with g = ∂L/∂y and ĝ = g ⊙ γ:
///   ∂L/∂γ = Σᵢ gᵢ ⊙ x̂ᵢ     ∂L/∂β = Σᵢ gᵢ
///   ∂L/∂x = (1/n)·(1/√(σ² + ε)) ⊙ (n·ĝ − Σᵢ ĝᵢ − x̂ ⊙ Σᵢ ĝᵢ ⊙ x̂ᵢ)
/// backward (inference): ∂L/∂x = ĝ / √(moving_variance + ε)
/// ```
/// γ ("gamma", starts at 1) and β ("beta", 0) are trainable; the moving mean (0) and
/// variance (1) are **buffers**: saved in the model file, never seen by the optimizer or
/// weight decay. PyTorch's `BatchNorm1d(momentum: 0.01, eps: 1e-3)` computes the same
/// output and gradients; its running variance uses the unbiased σ² (× n/(n − 1)).
public struct BatchNormalization: Layer {
    /// The settings that recreate the layer, saved as `{"batchNormalization": {…}}`.
    public struct Configuration: LayerConfiguration, Equatable {
        public static let registeredName = "batchNormalization"
        public var momentum: Float
        public var epsilon: Float

        public func makeLayer() throws -> any Layer { BatchNormalization(momentum: momentum, epsilon: epsilon) }

        /// gamma, beta, moving_mean, moving_variance: each [inputWidth]; the width passes through.
        public func tensorLayout(inputWidth: Int) throws -> LayerTensorLayout {
            LayerTensorLayout(tensors: [.init("gamma", shape: [inputWidth]), .init("beta", shape: [inputWidth]),
                                        .init("moving_mean", shape: [inputWidth], isBuffer: true),
                                        .init("moving_variance", shape: [inputWidth], isBuffer: true)],
                              outputWidth: inputWidth)
        }
    }

    /// m, the weight of the old running statistics per training batch (Keras 0.99; PyTorch's momentum is 1 − m).
    public let momentum: Float
    /// ε, added to the variance before the square root.
    public let epsilon: Float

    /// γ, 1 × features.
    public private(set) var gamma = Matrix(rows: 0, columns: 0)
    /// β, 1 × features.
    public private(set) var beta = Matrix(rows: 0, columns: 0)
    /// The running mean, 1 × features (a buffer).
    public private(set) var movingMean = Matrix(rows: 0, columns: 0)
    /// The running (biased) variance, 1 × features (a buffer).
    public private(set) var movingVariance = Matrix(rows: 0, columns: 0)
    private var gammaGradient = Matrix(rows: 0, columns: 0)
    private var betaGradient = Matrix(rows: 0, columns: 0)
    /// x̂ of the last forward pass, and 1/√(σ² + ε) per feature.
    private var normalized = Matrix(rows: 0, columns: 0)
    private var inverseDeviation: [Float] = []
    private var wasTraining = false
    public private(set) var output = Matrix(rows: 0, columns: 0)
    public private(set) var inputGradient = Matrix(rows: 0, columns: 0)

    public init(momentum: Float = 0.99, epsilon: Float = 1e-3) {
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public var typeName: String { "BatchNormalization" }
    public var outputSize: Int { gamma.columns }
    public var parameterCount: Int { gamma.count + beta.count }
    public var configuration: any LayerConfiguration { Configuration(momentum: momentum, epsilon: epsilon) }

    public mutating func build(inputSize: Int, generator: inout SeededGenerator) throws {
        try Hyperparameter.unitInterval("BatchNormalization momentum", momentum)
        try Hyperparameter.positive("BatchNormalization epsilon", epsilon)
        guard inputSize >= 1 else {
            throw PerceptronError.invalidHyperparameter(name: "BatchNormalization input size", value: "\(inputSize)", expected: "an integer ≥ 1")
        }
        gamma = Matrix(rows: 1, columns: inputSize, repeating: 1)
        beta = Matrix(rows: 1, columns: inputSize)
        movingMean = Matrix(rows: 1, columns: inputSize)
        movingVariance = Matrix(rows: 1, columns: inputSize, repeating: 1)
        gammaGradient = Matrix(rows: 1, columns: inputSize)
        betaGradient = Matrix(rows: 1, columns: inputSize)
        inverseDeviation = [Float](repeating: 0, count: inputSize)
    }

    public mutating func forward(_ input: Matrix, training: Bool, generator: inout SeededGenerator) {
        let (n, k) = (input.rows, input.columns)
        precondition(k == gamma.columns, "BatchNormalization expects \(gamma.columns) input columns, got \(k)")
        wasTraining = training
        if normalized.rows != n || normalized.columns != k { normalized.resize(rows: n, columns: k) }
        if output.rows != n || output.columns != k { output.resize(rows: n, columns: k) }
        var mean = [Float](repeating: 0, count: k)
        if training {
            // Two passes in Double: the mean, then the squared deviations (no cancellation).
            var sums = [Double](repeating: 0, count: k)
            input.withUnsafeBufferPointer { x in
                for i in 0..<n { for j in 0..<k { sums[j] += Double(x[i * k + j]) } }
            }
            for j in 0..<k { mean[j] = Float(sums[j] / Double(n)) }
            var squares = [Double](repeating: 0, count: k)
            input.withUnsafeBufferPointer { x in
                for i in 0..<n { for j in 0..<k { let d = Double(x[i * k + j] - mean[j]); squares[j] += d * d } }
            }
            for j in 0..<k {
                let variance = Float(squares[j] / Double(n))
                inverseDeviation[j] = 1 / (variance + epsilon).squareRoot()
                movingMean[0, j] = momentum * movingMean[0, j] + (1 - momentum) * mean[j]
                movingVariance[0, j] = momentum * movingVariance[0, j] + (1 - momentum) * variance
            }
        } else {
            for j in 0..<k {
                mean[j] = movingMean[0, j]
                inverseDeviation[j] = 1 / (movingVariance[0, j] + epsilon).squareRoot()
            }
        }
        input.withUnsafeBufferPointer { x in
            normalized.withUnsafeMutableBufferPointer { xhat in
                output.withUnsafeMutableBufferPointer { y in
                    for i in 0..<n {
                        for j in 0..<k {
                            let v = (x[i * k + j] - mean[j]) * inverseDeviation[j]
                            xhat[i * k + j] = v
                            y[i * k + j] = gamma[0, j] * v + beta[0, j]
                        }
                    }
                }
            }
        }
    }

    public mutating func backward(input: Matrix, outputGradient g: Matrix, needsInputGradient: Bool) {
        let (n, k) = (g.rows, g.columns)
        var sumG = [Float](repeating: 0, count: k)
        var sumGX = [Float](repeating: 0, count: k)
        g.withUnsafeBufferPointer { gp in
            normalized.withUnsafeBufferPointer { xhat in
                for i in 0..<n {
                    for j in 0..<k {
                        sumG[j] += gp[i * k + j]
                        sumGX[j] += gp[i * k + j] * xhat[i * k + j]
                    }
                }
            }
        }
        for j in 0..<k {
            gammaGradient[0, j] = sumGX[j]
            betaGradient[0, j] = sumG[j]
        }
        guard needsInputGradient else { return }
        if inputGradient.rows != n || inputGradient.columns != k { inputGradient.resize(rows: n, columns: k) }
        let training = wasTraining
        let count = Float(n)
        g.withUnsafeBufferPointer { gp in
            normalized.withUnsafeBufferPointer { xhat in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    for i in 0..<n {
                        for j in 0..<k {
                            let index = i * k + j
                            let scale = gamma[0, j] * inverseDeviation[j]
                            dx[index] = training
                                ? scale * (gp[index] - (sumG[j] + xhat[index] * sumGX[j]) / count)
                                : scale * gp[index]
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
                         "BatchNormalization takes gamma and beta, each 1×\(gamma.columns)")
            gamma = newValue[0]
            beta = newValue[1]
        }
    }
    public var parameterNames: [String] { ["gamma", "beta"] }

    public var buffers: [Matrix] {
        get { [movingMean, movingVariance] }
        set {
            precondition(newValue.count == 2 && newValue.allSatisfy { $0.rows == 1 && $0.columns == gamma.columns },
                         "BatchNormalization buffers are moving_mean and moving_variance, each 1×\(gamma.columns)")
            movingMean = newValue[0]
            movingVariance = newValue[1]
        }
    }
    public var bufferNames: [String] { ["moving_mean", "moving_variance"] }
}
