import Foundation
import Perceptron

extension Preprocessor {
    /// Values of a categorical column that training never saw (``transformFeatures(_:)``
    /// encodes them as all zeros).
    public struct UnseenCategory: Equatable, Sendable {
        /// The column's name.
        public var column: String
        /// Rows holding a category not seen in training.
        public var rows: Int
        /// The distinct unseen values, sorted, at most five.
        public var examples: [String]
    }

    /// The unseen categories of `table`, per categorical column, in column order (only
    /// columns with at least one; missing values are not counted, they take the most
    /// frequent training category). Columns absent from `table` are skipped.
    public func unseenCategories(in table: CSVTable) -> [UnseenCategory] {
        var out: [UnseenCategory] = []
        for column in columns where column.role == .categorical {
            guard let index = table.columnNames.firstIndex(of: column.name) else { continue }
            let known = Set(column.categories)
            var rows = 0
            var distinct = Set<String>()
            for raw in table.columns[index] where !isMissing(raw) {
                let key = raw.trimmingCharacters(in: .whitespaces)
                if !known.contains(key) {
                    rows += 1
                    distinct.insert(key)
                }
            }
            if rows > 0 { out.append(UnseenCategory(column: column.name, rows: rows, examples: Array(distinct.sorted().prefix(5)))) }
        }
        return out
    }
}
