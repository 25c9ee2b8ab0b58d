import Foundation
import Perceptron

/// A model's outputs on labelled rows, in the form the figures take: class probabilities
/// and true class indices, or predicted and actual values in the target's units.
struct Predictions {
    var task: TaskKind
    var classNames: [String]
    /// Classification: true class per row, and n × 1 (class 1 of 2) or n × k probabilities.
    var labels: [Int] = []
    var probabilities = Matrix(rows: 0, columns: 0)
    /// Regression, in the target's units (preprocessing undone).
    var actual: [Double] = []
    var predicted: [Double] = []

    init(model: Sequential, x: Matrix, y: Matrix, task: TaskKind, classNames: [String], preprocessor: Preprocessor?) throws {
        guard let loss = model.loss else { throw CLIError("the model was saved without a loss; it cannot be evaluated") }
        self.task = task
        self.classNames = classNames
        let output = try model.predictor().outputs(x)
        switch task {
        case .classification:
            probabilities = TestReport.probabilities(output, loss: loss)
            labels = y.elements.map { Int($0) }
        case .regression:
            actual = (preprocessor?.inverseTransformTarget(y) ?? y).elements.map(Double.init)
            predicted = (preprocessor?.inverseTransformTarget(output) ?? output).elements.map(Double.init)
        }
    }

    var predictedClasses: [Int] { Metrics.classIndices(from: probabilities) }

    func confusion() throws -> ConfusionMatrix {
        try ConfusionMatrix(actual: labels, predicted: predictedClasses, classCount: max(classNames.count, 2))
    }
}
