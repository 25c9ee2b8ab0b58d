/// What one request's rows add to a model's drift statistics, gathered while encoding
/// (no lock per row) and merged into ``DriftMonitor`` once per request.
///
/// Per used column (index as in ``InputSchema/columns``): rows seen, missing values;
/// numeric: Σx and Σx² over present values; categorical: unseen values, and a count
/// per training category at its feature index.
package struct DriftSample: Sendable {
    package var count: [Int]
    package var missing: [Int]
    package var sum: [Double]
    package var sumOfSquares: [Double]
    package var unseen: [Int]
    /// Per feature index: rows of that category (categorical columns' features only).
    package var categoryCounts: [Int]
    /// The column's first feature index, to find its category counts.
    private let offsets: [Int]

    package init(schema: InputSchema) {
        let n = schema.columns.count
        count = Array(repeating: 0, count: n)
        missing = count
        unseen = count
        sum = Array(repeating: 0, count: n)
        sumOfSquares = sum
        categoryCounts = Array(repeating: 0, count: schema.featureCount)
        offsets = schema.columns.map(\.offset)
    }

    package mutating func recordNumeric(column: Int, _ value: Double?) {
        count[column] += 1
        guard let value else { missing[column] += 1; return }
        sum[column] += value
        sumOfSquares[column] += value * value
    }

    /// `position`: the training category the value encodes to (the most frequent one for
    /// a missing value), nil when unseen.
    package mutating func recordCategory(column: Int, missing isMissing: Bool, position: Int?) {
        count[column] += 1
        if isMissing { missing[column] += 1 }
        if let position { categoryCounts[offsets[column] + position] += 1 } else { unseen[column] += 1 }
    }

    /// Adds `other` (of the same schema).
    package mutating func add(_ other: DriftSample) {
        for i in count.indices {
            count[i] += other.count[i]
            missing[i] += other.missing[i]
            unseen[i] += other.unseen[i]
            sum[i] += other.sum[i]
            sumOfSquares[i] += other.sumOfSquares[i]
        }
        for i in categoryCounts.indices { categoryCounts[i] += other.categoryCounts[i] }
    }
}
