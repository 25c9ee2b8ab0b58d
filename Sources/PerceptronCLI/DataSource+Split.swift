import Foundation
import Perceptron
import PerceptronData

extension DataSource {
    /// ``Splits/trainTest(count:testFraction:labels:seed:)`` with the problems a small data
    /// set runs into reported in the command line's words, naming the data (file and line
    /// for a CSV): too few rows for `--test-split`, and a class whose every row went to the
    /// held-out part (which used to surface later as "class … was not seen in training").
    func checkedSplit(testFraction: Double, seed: UInt64) throws -> Fold {
        let rows = rowCount
        let testCount = Int((testFraction * Double(rows)).rounded(.up))
        guard testCount >= 1, testCount < rows else {
            throw CLIError("\(name): \(rows) row\(rows == 1 ? "" : "s") cannot be split by --test-split \(testFraction): "
                + "the training and the held-out part each need at least one row (--test-split 0 holds out none)")
        }
        let fold = try Splits.trainTest(count: rows, testFraction: testFraction, labels: labels, seed: seed)
        guard let labels else { return fold }
        let trained = Set(fold.train.map { labels[$0] })
        if let row = fold.test.sorted().first(where: { !trained.contains(labels[$0]) }) {
            let members = labels.indices.filter { labels[$0] == labels[row] }
            throw CLIError("\(name): \(describeClass(ofRow: row)) has \(members.count) row\(members.count == 1 ? "" : "s") "
                + "(\(describeRows(members))), and --test-split \(testFraction) held \(members.count == 1 ? "it" : "all of them") out, leaving none to train on; "
                + "add rows of that class, or lower --test-split (0 holds out none)")
        }
        return fold
    }

    /// `class "setosa"` (the target's text for a table, the class index otherwise).
    private func describeClass(ofRow row: Int) -> String {
        if case let .table(table, options) = content, let target = options.target,
           let column = try? table.columnIndex(target) {
            return "class \"\(table.columns[column][row].trimmingCharacters(in: .whitespaces))\" of column \"\(table.columnNames[column])\""
        }
        return "class \(labels?[row] ?? -1)"
    }

    /// "line 4" / "lines 4, 9" for a table's rows (as an editor counts lines), else "row 3".
    private func describeRows(_ rows: [Int]) -> String {
        let shown = rows.prefix(5)
        let more = rows.count > shown.count ? ", …" : ""
        if case let .table(table, _) = content {
            return (shown.count == 1 ? "line " : "lines ") + shown.map { String(table.lineNumbers[$0]) }.joined(separator: ", ") + more
        }
        return (shown.count == 1 ? "row " : "rows ") + shown.map { String($0 + 1) }.joined(separator: ", ") + more
    }
}
