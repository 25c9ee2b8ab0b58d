import Foundation

/// Counts of (actual class, predicted class) pairs, as scikit-learn's `confusion_matrix`:
/// row i is the actual class i, column j the predicted class j.
///
/// ```
/// C[i][j] = #{ samples with actual = i and predicted = j }
/// TPᵢ = C[i][i]    FPᵢ = Σₖ C[k][i] − TPᵢ    FNᵢ = Σₖ C[i][k] − TPᵢ
/// ```
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    /// `counts[actual][predicted]`.
    public var counts: [[Int]]

    /// Number of classes (rows and columns).
    public var classCount: Int { counts.count }

    /// Tallies `actual` against `predicted` class indices.
    /// - Parameters:
    ///   - classCount: Number of classes; nil → 1 + the largest label seen.
    /// - Throws: ``PerceptronError/shapeMismatch(what:expected:got:)`` for different
    ///   lengths, ``PerceptronError/emptyData(what:)``, and
    ///   ``PerceptronError/labelOutOfRange(row:label:classCount:)`` for a label outside
    ///   0..<classCount.
    public init(actual: [Int], predicted: [Int], classCount: Int? = nil) throws {
        try Metrics.checkPairs(actual.count, predicted.count)
        let k = classCount ?? (max(actual.max() ?? 0, predicted.max() ?? 0) + 1)
        counts = Array(repeating: Array(repeating: 0, count: k), count: k)
        for (row, (a, p)) in zip(actual, predicted).enumerated() {
            for label in [a, p] where label < 0 || label >= k {
                throw PerceptronError.labelOutOfRange(row: row, label: Float(label), classCount: k)
            }
            counts[a][p] += 1
        }
    }

    /// A matrix from counts (square).
    public init(counts: [[Int]]) {
        precondition(counts.allSatisfy { $0.count == counts.count }, "ConfusionMatrix counts must be square")
        self.counts = counts
    }

    /// Number of samples.
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// Correct predictions of class `c`.
    public func truePositives(_ c: Int) -> Int { counts[c][c] }
    /// Samples predicted as `c` that are another class.
    public func falsePositives(_ c: Int) -> Int { counts.reduce(0) { $0 + $1[c] } - counts[c][c] }
    /// Samples of class `c` predicted as another class.
    public func falseNegatives(_ c: Int) -> Int { counts[c].reduce(0, +) - counts[c][c] }
    /// Samples of class `c` (its row sum).
    public func support(_ c: Int) -> Int { counts[c].reduce(0, +) }

    /// A table with actual classes down and predicted classes across, labelled by
    /// `classNames` (default "0", "1", …).
    public func formatted(classNames: [String]? = nil) -> String {
        let names = classNames ?? (0..<classCount).map(String.init)
        precondition(names.count == classCount, "One class name per class")
        let cells = counts.flatMap { $0 }.map(String.init) + names
        let width = max(cells.map(\.count).max() ?? 1, 1)
        let label = max(names.map(\.count).max() ?? 0, "actual \\ predicted".count)
        func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(w - s.count, 0)) + s }
        var lines = [pad("actual \\ predicted", label) + names.map { " " + pad($0, width) }.joined()]
        for (i, row) in counts.enumerated() {
            lines.append(pad(names[i], label) + row.map { " " + pad(String($0), width) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}

extension ConfusionMatrix: CustomStringConvertible {
    public var description: String { formatted() }
}
