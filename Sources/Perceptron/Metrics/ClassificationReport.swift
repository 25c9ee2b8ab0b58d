import Foundation

extension ClassificationScores {
    /// The report scikit-learn's `classification_report` prints, character for character:
    /// one row per class (precision, recall, f1-score, support), then the accuracy,
    /// macro avg and weighted avg rows.
    ///
    /// - Parameters:
    ///   - classNames: Row labels in class order; default "0", "1", …
    ///   - digits: Decimals for the scores (scikit-learn's default 2).
    public func report(classNames: [String]? = nil, digits: Int = 2) -> String {
        let names = classNames ?? (0..<confusion.classCount).map(String.init)
        precondition(names.count == confusion.classCount, "One class name per class")
        let width = max(names.map(\.count).max() ?? 0, "weighted avg".count, digits)
        func right(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(w - s.count, 0)) + s }
        func score(_ x: Double) -> String { " " + right(String(format: "%.\(digits)f", x), 9) }
        func row(_ name: String, _ p: Double, _ r: Double, _ f: Double, _ s: Int) -> String {
            right(name, width) + " " + score(p) + score(r) + score(f) + " " + right(String(s), 9) + "\n"
        }
        var text = right("", width) + " " + ["precision", "recall", "f1-score", "support"].map { " " + right($0, 9) }.joined()
        text += "\n\n"
        for (c, name) in names.enumerated() {
            text += row(name, precision[c], recall[c], f1[c], support[c])
        }
        text += "\n"
        let total = support.reduce(0, +)
        text += right("accuracy", width) + " " + String(repeating: " ", count: 20) + score(accuracy) + " " + right(String(total), 9) + "\n"
        text += row("macro avg", precision(.macro), recall(.macro), f1(.macro), total)
        text += row("weighted avg", precision(.weighted), recall(.weighted), f1(.weighted), total)
        return text
    }
}
