import Foundation
import Perceptron
import PerceptronData
import PerceptronServeRequests

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

extension DriftBaseline {
    /// The baseline of a training set as the network saw it: each categorical column's
    /// category shares from its one-hot features (a missing value counts as the most
    /// frequent category it was imputed with, as the server counts served rows), and the
    /// class shares from the class-index targets. Each column's missing share
    /// (`missing rows / n`, missing as the server counts it: an empty or blank field) comes
    /// from the raw training table, since imputed features no longer show it; without the
    /// table (or a column absent from it) the share stays absent.
    /// - Parameters:
    ///   - features: the training rows through `preprocessor` (n × its feature count).
    ///   - classIndices: the training targets' class indices (empty for regression).
    ///   - table: the same training rows before preprocessing.
    public static func fromTraining(preprocessor: Preprocessor, features: Matrix, classIndices: [Int],
                                    classNames: [String], table: CSVTable? = nil) -> DriftBaseline? {
        let n = features.rows
        guard n > 0, features.columns == preprocessor.featureCount else { return nil }
        var columns: [String: Column] = [:]
        var offset = 0
        let raw = table.flatMap { $0.rowCount == n ? $0 : nil }.map { (names: $0.columnNames, columns: $0.columns) }
        for column in preprocessor.columns {
            var entry = Column()
            if case .categorical = column.role {
                var shares: [String: Double] = [:]
                for (k, category) in column.categories.enumerated() {
                    var count = 0
                    for r in 0..<n where features[r, offset + k] == 1 { count += 1 }
                    shares[category] = Double(count) / Double(n)
                }
                entry.distribution = shares
            }
            if let raw, let c = raw.names.firstIndex(of: column.name) {
                let missing = raw.columns[c].reduce(0) { $0 + (InputSchema.isMissingText($1) ? 1 : 0) }
                entry.missing_share = Double(missing) / Double(n)
            }
            if entry.distribution != nil || entry.missing_share != nil { columns[column.name] = entry }
            offset += column.width
        }
        var classes: [String: Double]? = nil
        if !classNames.isEmpty && classIndices.count == n {
            var counts = [Int](repeating: 0, count: classNames.count)
            for c in classIndices where c >= 0 && c < counts.count { counts[c] += 1 }
            classes = Dictionary(uniqueKeysWithValues: zip(classNames, counts.map { Double($0) / Double(n) }))
        }
        return DriftBaseline(rows: n, columns: columns, classes: classes)
    }
}

extension DriftBaseline {
    /// Named metrics as a JSON object (`{"accuracy": 0.8, …}`), leaving out non-finite
    /// values; nil when none is left.
    public static func metricsJSON(_ metrics: [(name: String, value: Double)]) -> String? {
        var w = JSONWriter()
        w.beginObject()
        var any = false
        for (name, value) in metrics where value.isFinite {
            w.key(name); w.number(value)
            any = true
        }
        w.endObject()
        return any ? String(decoding: w.bytes, as: UTF8.self) : nil
    }
}
