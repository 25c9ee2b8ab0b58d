import Foundation

/// Training statistics a model file may carry beyond its preprocessing, for drift
/// monitoring: stored by `perceptron train` as JSON in the file's training notes under
/// ``infoKey``:
///
/// ```
/// {"rows": 712,
///  "columns": {"Age": {"missing_share": 0.198}, "Sex": {"distribution": {"female": 0.35, "male": 0.65}}},
///  "classes": {"0": 0.616, "1": 0.384}}
/// ```
/// The preprocessing alone already gives each numeric column's training mean and standard
/// deviation (a standardized column's shift and scale) and each categorical column's
/// categories; this adds the missing shares and the category and class distributions.
public struct DriftBaseline: Codable, Equatable, Sendable {
    /// The training-notes key of the baseline's JSON.
    public static let infoKey = "drift_baseline"
    /// The training-notes key of the held-out metrics' JSON object (`{"accuracy": 0.8, …}`).
    public static let metricsKey = "test_metrics"

    public struct Column: Codable, Equatable, Sendable {
        /// The share of training rows where the column was missing.
        public var missing_share: Double?
        /// Categorical: each category's share of the training rows.
        public var distribution: [String: Double]?

        public init(missing_share: Double? = nil, distribution: [String: Double]? = nil) {
            self.missing_share = missing_share
            self.distribution = distribution
        }
    }

    public var rows: Int
    public var columns: [String: Column]
    /// Classification: each class's share of the training targets.
    public var classes: [String: Double]?

    public init(rows: Int, columns: [String: Column], classes: [String: Double]?) {
        self.rows = rows
        self.columns = columns
        self.classes = classes
    }

    /// The baseline as compact JSON with sorted keys.
    public func jsonString() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// A baseline from ``jsonString()``'s output; nil for anything else.
    public static func decode(_ text: String) -> DriftBaseline? {
        try? JSONDecoder().decode(DriftBaseline.self, from: Data(text.utf8))
    }
}
