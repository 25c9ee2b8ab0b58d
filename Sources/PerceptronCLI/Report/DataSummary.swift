import Foundation
import Perceptron
import PerceptronData

/// The report's data section: row counts, each column's role with its missing fields and
/// imputed value, categories, and the class balance.
struct DataSummary {
    var name: String
    /// (what, count) rows: all rows, training, held out, features…
    var counts: [(String, String)] = []
    /// Column, role, missing fields in the training rows, detail (imputed value, scaling, categories).
    var columns: [[String]] = []
    /// Class, training rows, held-out rows.
    var classBalance: [[String]] = []
    var notes: [String] = []
    /// Which rows the missing counts are of ("training rows", "scored rows").
    var missingIn = "training rows"

    /// - Parameters:
    ///   - table: the training rows as read (to count missing fields), when the data is a table.
    ///   - trainLabels, testLabels: class indices (classification).
    init(name: String, preprocessor: Preprocessor?, table: CSVTable?, featureNames: [String], counts: [(String, String)],
         classNames: [String], trainLabels: [Int]?, testLabels: [Int]?) {
        self.name = name
        self.counts = counts
        if let preprocessor {
            for row in preprocessor.roleRows {
                var missing = "–"
                if let table, let c = table.columnNames.firstIndex(of: row.column) {
                    missing = String(table.columnValues[c].texts.reduce(0) { $0 + ($1.trimmingCharacters(in: .whitespaces).isEmpty ? 1 : 0) })
                }
                columns.append([row.column, row.role, missing, row.detail])
            }
            notes = preprocessor.notes
        } else {
            let shown = featureNames.prefix(12).joined(separator: ", ") + (featureNames.count > 12 ? ", … (\(featureNames.count - 12) more)" : "")
            notes.append("Numeric features used as they are, no preprocessing: \(shown.isEmpty ? "\(featureNames.count) features" : shown).")
        }
        if !classNames.isEmpty {
            func tally(_ labels: [Int]?) -> [Int]? {
                labels.map { labels in
                    var counts = [Int](repeating: 0, count: classNames.count)
                    for l in labels where counts.indices.contains(l) { counts[l] += 1 }
                    return counts
                }
            }
            let train = tally(trainLabels), test = tally(testLabels)
            let trainTotal = max(trainLabels?.count ?? 0, 1), testTotal = max(testLabels?.count ?? 0, 1)
            for (c, className) in classNames.enumerated() {
                classBalance.append([className,
                                     train.map { String(format: "%d (%.1f%%)", $0[c], 100 * Double($0[c]) / Double(trainTotal)) } ?? "–",
                                     test.map { String(format: "%d (%.1f%%)", $0[c], 100 * Double($0[c]) / Double(testTotal)) } ?? "–"])
            }
        }
    }

    var html: String {
        var out = HTML.definitions([("data", name)] + counts, id: "data-counts")
        if !columns.isEmpty {
            out += "<h3>Columns</h3>"
            out += HTML.table(["column", "role", "missing (\(missingIn))", "imputed value, scaling, categories"], columns,
                              numeric: [2], id: "data-columns")
        }
        if !classBalance.isEmpty {
            out += "<h3>Class balance</h3>" + HTML.table(["class", "training rows", "held-out rows"], classBalance, numeric: [1, 2],
                                                         id: "class-balance")
        }
        if !notes.isEmpty { out += "<ul class=\"notes\">" + notes.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>" }
        return out
    }
}
