/// How a numeric column is rescaled, with statistics from the training rows.
///
/// ```
/// standardize:  x' = (x − mean) / std      (population std; std = 0 → 1)
/// minMax:       x' = (x − min) / (max − min)   (max = min → divide by 1)
/// none:         x' = x
/// ```
public enum NumericScaling: String, Codable, Sendable, CaseIterable {
    case standardize
    case minMax
    case none
}

/// What a column of a table is used for.
public enum ColumnRole: Codable, Equatable, Sendable {
    /// The value to predict (at most one column).
    case target
    /// A number: missing values take the training median, then it is rescaled.
    case numeric(NumericScaling)
    /// A category, one-hot encoded over the categories seen in training (sorted);
    /// missing values take the most frequent training category; a category not seen
    /// in training encodes as all zeros.
    case categorical
    /// Not used.
    case ignored
}

/// Classification (predict one of several classes) or regression (predict a number).
public enum TaskKind: String, Codable, Sendable, CaseIterable {
    case classification
    case regression
}

/// Whether a field counts as missing: empty or only spaces and tabs.
@inline(__always) func isMissing(_ field: String) -> Bool {
    field.allSatisfy { $0 == " " || $0 == "\t" }
}

/// A finite number parsed from a field (surrounding spaces allowed), or nil.
@inline(__always) func parseNumber(_ field: String) -> Double? {
    let trimmed = field.trimmingCharacters(in: .whitespaces)
    guard let value = Double(trimmed), value.isFinite else { return nil }
    return value
}

import Foundation
