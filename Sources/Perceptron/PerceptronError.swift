/// Errors for anything a user of the library can get wrong: shapes, data, and
/// hyperparameters. Each message names the offending value and what was expected.
public enum PerceptronError: Error, Equatable, Sendable {
    /// Two shapes that must agree do not. `what` names the operands.
    case shapeMismatch(what: String, expected: String, got: String)
    /// A data set or batch has no rows.
    case emptyData(what: String)
    /// An input holds NaN or ±Inf.
    case nonFiniteValue(what: String, row: Int, column: Int, value: Float)
    /// A class label lies outside `0..<classCount`, or is not an integer.
    case labelOutOfRange(row: Int, label: Float, classCount: Int)
    /// A hyperparameter or setting is out of its valid range.
    case invalidHyperparameter(name: String, value: String, expected: String)
    /// The model has not been compiled (no loss or optimizer), so it cannot train or evaluate.
    case notCompiled(reason: String)
    /// A combination of settings that cannot work together.
    case incompatible(String)
    /// A ``ComputePrecision`` this CPU cannot run (e.g. bf16 without AVX512_BF16).
    case unsupportedPrecision(precision: String, reason: String)
}

extension PerceptronError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .shapeMismatch(what, expected, got):
            return "Shape mismatch in \(what): expected \(expected), got \(got)"
        case let .emptyData(what):
            return "Empty data: \(what) has no rows"
        case let .nonFiniteValue(what, row, column, value):
            return "Non-finite value \(value) in \(what) at row \(row), column \(column)"
        case let .labelOutOfRange(row, label, classCount):
            return "Label \(label) at row \(row) is not an integer class in 0..<\(classCount)"
        case let .invalidHyperparameter(name, value, expected):
            return "Invalid \(name) = \(value): expected \(expected)"
        case let .notCompiled(reason):
            return "Model is not compiled: \(reason)"
        case let .incompatible(message):
            return "Incompatible settings: \(message)"
        case let .unsupportedPrecision(precision, reason):
            return "Precision \(precision) is not available: \(reason)"
        }
    }
}

/// Lets `localizedDescription` show the message on Linux and macOS alike.

import Foundation
extension PerceptronError: LocalizedError {
    public var errorDescription: String? { description }
}
