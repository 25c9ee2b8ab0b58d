import Perceptron

/// An optimizer defined outside the library: signSGD (Bernstein et al., 2018),
/// θ ← θ − η·sign(g). No state beyond the step count.
struct SignSGD: Optimizer {
    struct Configuration: OptimizerConfiguration {
        static let registeredName = "example.signSGD"
        var learningRate: Float
        func makeOptimizer() -> any Optimizer { SignSGD(learningRate: learningRate) }
    }

    var learningRate: Float
    private(set) var step = 0

    var configuration: any OptimizerConfiguration { Configuration(learningRate: learningRate) }
    var state: OptimizerState {
        get { OptimizerState(step: step) }
        set { step = newValue.step }
    }

    func validate() throws {
        guard learningRate > 0, learningRate.isFinite else {
            throw PerceptronError.invalidHyperparameter(name: "learningRate", value: "\(learningRate)", expected: "a finite number > 0")
        }
    }

    mutating func beginStep() { step += 1 }

    mutating func update(_ parameter: inout Matrix, gradient: Matrix, slot: Int) {
        for i in 0..<parameter.rows {
            for j in 0..<parameter.columns {
                let g = gradient[i, j]
                parameter[i, j] -= learningRate * (g > 0 ? 1 : (g < 0 ? -1 : 0))
            }
        }
    }
}
