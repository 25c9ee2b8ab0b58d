import Foundation

/// Turns a table's columns into a feature ``Matrix`` and a target ``Matrix``, with every
/// statistic fitted on the training rows only and replayed unchanged on new rows.
///
/// Per column, by role (see ``ColumnRole``):
/// ```
/// numeric:      x  → (x or median if missing − shift) / scale      one feature
/// categorical:  v  → one-hot over the sorted training categories   k features "Col=v"
///               missing → most frequent training category; unseen → all zeros
/// ignored:      dropped
/// target:       see TargetEncoding
/// ```
/// Automatic roles (for columns without an explicit role):
/// - every value empty → ignored;
/// - every non-empty value a number → numeric, unless the column looks like a row
///   identifier (≥ 10 rows, distinct integers, and either consecutive or named "…id")
///   → ignored;
/// - text with more than ``Options/maxCategories`` distinct values, or (with ≥ 10
///   non-empty rows) distinct values in more than ``Options/maxDistinctFraction`` of
///   them (names, tickets, cabins) → ignored;
/// - other text → categorical.
/// Each automatic decision other than a plain numeric one leaves a line in ``notes``.
///
/// `Preprocessor` is `Codable`, so it is saved (as JSON) inside a model file, and this
/// description of it lives in the core library so that a model file loads with its
/// preprocessing and class names. Fitting it on a table (`Preprocessor.fit`) and replaying it
/// on one (`transformFeatures`) are in `PerceptronData`, beside the table reader.
public struct Preprocessor: Codable, Equatable, Sendable {
    /// One input column with its role and fitted statistics.
    public struct Column: Codable, Equatable, Sendable {
        /// The column's name in the training table.
        public var name: String
        /// Its role (never ``ColumnRole/target``; the target is in ``Preprocessor/target``).
        public var role: ColumnRole
        /// Why an automatic role was chosen, when it is not plain numeric.
        public var note: String?
        /// Numeric: the training median, used for missing values.
        public var fillValue: Double
        /// Numeric: `x' = (x − shift) / scale`.
        public var shift: Double
        /// Numeric: `x' = (x − shift) / scale`.
        public var scale: Double
        /// Categorical: the training categories, sorted; feature k is "name=categories[k]".
        public var categories: [String]
        /// Categorical: the most frequent training category (ties → the smallest), used
        /// for missing values.
        public var mostFrequent: String

        public init(name: String, role: ColumnRole, note: String? = nil, fillValue: Double = 0, shift: Double = 0,
                    scale: Double = 1, categories: [String] = [], mostFrequent: String = "") {
            self.name = name
            self.role = role
            self.note = note
            self.fillValue = fillValue
            self.shift = shift
            self.scale = scale
            self.categories = categories
            self.mostFrequent = mostFrequent
        }

        /// Number of features this column produces.
        public var width: Int {
            switch role {
            case .numeric: return 1
            case .categorical: return categories.count
            case .ignored, .target: return 0
            }
        }
    }

    /// The input columns, in table order (ignored ones included, with width 0).
    public var columns: [Column]
    /// The target encoding, or nil when fitted without a target.
    public var target: TargetEncoding?
    /// Human-readable notes on automatic decisions (ignored columns and why).
    public var notes: [String]

    public init(columns: [Column], target: TargetEncoding?, notes: [String] = []) {
        self.columns = columns
        self.target = target
        self.notes = notes
    }

    /// The expanded feature names, in feature-matrix column order ("Age", "Sex=male").
    public var featureNames: [String] {
        columns.flatMap { column -> [String] in
            switch column.role {
            case .numeric: return [column.name]
            case .categorical: return column.categories.map { "\(column.name)=\($0)" }
            case .ignored, .target: return []
            }
        }
    }

    /// Number of features (columns of the feature matrix).
    public var featureCount: Int { columns.reduce(0) { $0 + $1.width } }

    /// Names of the input columns that are used (not ignored).
    public var usedColumns: [String] { columns.filter { $0.role != .ignored }.map(\.name) }

    /// Classification or regression (nil without a target).
    public var task: TaskKind? { target?.task }

    /// Class names in class-index order (empty for regression or without a target).
    public var classNames: [String] { target?.classNames ?? [] }

    /// Class names for predicted class indices (classification).
    public func decodeClasses(_ indices: [Int]) -> [String] {
        guard let target else { preconditionFailure("decodeClasses needs a classification target") }
        return indices.map { target.decode(classIndex: $0) }
    }

    /// Regression: predictions back in the target's units (identity when the target
    /// was not standardized).
    public func inverseTransformTarget(_ encoded: Matrix) -> Matrix {
        target?.inverseTransform(encoded) ?? encoded
    }

    /// The preprocessor as compact JSON with sorted keys (to store in a model file's metadata).
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

}

extension Preprocessor {
    /// A preprocessor from ``jsonString()``'s output.
    /// - Throws: `DecodingError` for malformed JSON.
    public init(jsonString: String) throws {
        self = try JSONDecoder().decode(Preprocessor.self, from: Data(jsonString.utf8))
    }
}
