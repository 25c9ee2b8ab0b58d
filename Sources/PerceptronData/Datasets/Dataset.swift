import Perceptron
/// Features and targets held in memory: what the bundled loaders, the MNIST loader and
/// the generators return.
///
/// `features` is n × d (rows are samples). `targets` is n × 1: the class index
/// (0, 1, …) for classification, the value for regression.
public struct Dataset: Sendable, Equatable {
    /// A short name ("iris", "moons", …).
    public var name: String
    /// n × d feature matrix.
    public var features: Matrix
    /// n × 1 targets: class indices (classification) or values (regression).
    public var targets: Matrix
    /// The d feature names.
    public var featureNames: [String]
    /// Class names in class-index order; empty for regression.
    public var classNames: [String]
    /// Classification or regression.
    public var task: TaskKind

    public init(name: String, features: Matrix, targets: Matrix, featureNames: [String],
                classNames: [String], task: TaskKind) {
        precondition(features.rows == targets.rows, "Dataset needs one target per row")
        precondition(featureNames.count == features.columns, "Dataset needs one name per feature")
        self.name = name
        self.features = features
        self.targets = targets
        self.featureNames = featureNames
        self.classNames = classNames
        self.task = task
    }

    /// Number of samples.
    public var count: Int { features.rows }

    /// The targets as integer class indices (classification).
    public var classIndices: [Int] { targets.elements.map { Int($0) } }

    /// The samples at `indices` (0-based, in that order).
    public func subset(_ indices: [Int]) -> Dataset {
        let d = features.columns
        var x = [Float](repeating: 0, count: indices.count * d)
        var y = [Float](repeating: 0, count: indices.count)
        let ty = targets.elements
        features.withUnsafeBufferPointer { src in
            for (k, i) in indices.enumerated() {
                precondition(i >= 0 && i < features.rows, "Row \(i) out of range for \(features.rows) rows")
                for j in 0..<d { x[k * d + j] = src[i * d + j] }
                y[k] = ty[i]
            }
        }
        return Dataset(name: name, features: Matrix(rows: indices.count, columns: d, elements: x),
                       targets: Matrix(rows: indices.count, columns: 1, elements: y),
                       featureNames: featureNames, classNames: classNames, task: task)
    }
}
