import Foundation

/// How the target column is turned into numbers and back.
///
/// Classification: each class gets its index in ``classNames`` (sorted numerically
/// when every class is a number, else lexicographically); the encoded target is an
/// n × 1 matrix of class indices, and ``decode(classIndex:)`` gives the name back.
///
/// Regression: the encoded target is n × 1 of
/// ```
/// y' = (y − shift) / scale        y = y'·scale + shift
/// ```
/// with shift = mean and scale = std of the training targets when standardized, else
/// shift = 0, scale = 1.
public struct TargetEncoding: Codable, Equatable, Sendable {
    /// The target column's name.
    public var column: String
    /// Classification or regression.
    public var task: TaskKind
    /// Class names in index order (classification only; empty for regression).
    public var classNames: [String]
    /// Regression: subtracted from the target before dividing by ``scale``.
    public var shift: Double
    /// Regression: the divisor (1 when the target is not standardized).
    public var scale: Double

    /// Number of classes (0 for regression).
    public var classCount: Int { classNames.count }

    public init(column: String, task: TaskKind, classNames: [String], shift: Double = 0, scale: Double = 1) {
        self.column = column
        self.task = task
        self.classNames = classNames
        self.shift = shift
        self.scale = scale
    }

    /// The class name for a predicted class index.
    public func decode(classIndex: Int) -> String {
        precondition(classIndex >= 0 && classIndex < classNames.count, "Class index \(classIndex) out of range")
        return classNames[classIndex]
    }

    /// Regression: the model's outputs back in the target's units, `y = y'·scale + shift`.
    public func inverseTransform(_ encoded: Matrix) -> Matrix {
        Matrix(rows: encoded.rows, columns: encoded.columns,
               elements: encoded.elements.map { Float(Double($0) * scale + shift) })
    }
}
