import Foundation
import Perceptron

/// A training history as CSV, one row per epoch, as Keras's `CSVLogger` writes it: a
/// header `epoch,<key>,…` with the keys sorted, then the 0-based epoch and each value
/// (empty where an epoch lacks a key, NaN as "nan").
enum HistoryCSV {
    static func text(_ history: History) -> String {
        let keys = Set(history.epochs.flatMap { $0.values.keys }).sorted()
        var lines = [(["epoch"] + keys).map(quoted).joined(separator: ",")]
        for logs in history.epochs {
            let cells = keys.map { key in logs.values[key].map { $0.isNaN ? "nan" : "\($0)" } ?? "" }
            lines.append((["\(logs.epoch)"] + cells).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A header cell, quoted when it holds a comma, quote or line break.
    private static func quoted(_ field: String) -> String {
        field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline })
            ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }

    /// Reads a file written by ``text(_:)`` (or by Keras's CSVLogger).
    /// - Throws: ``DataError`` for a file that is not CSV; ``CLIError`` without an `epoch`
    ///   column or with a value that is not a number.
    static func read(_ path: String) throws -> History {
        // Comma-separated, and only an empty field is missing: a "nan" loss stays NaN.
        let table = try CSVTable.read(contentsOf: URL(fileURLWithPath: path), delimiter: ",", missingValues: [""])
        let columns = table.columns
        guard let epochColumn = table.columnNames.firstIndex(of: "epoch") else {
            throw CLIError("\(path): no \"epoch\" column (expected a file from `perceptron train --history-csv`)")
        }
        var epochs: [EpochLogs] = []
        for row in 0..<table.rowCount {
            guard let epoch = Int(columns[epochColumn][row].trimmingCharacters(in: .whitespaces)), epoch >= 0 else {
                throw CLIError("\(path): line \(table.lineNumbers[row]): epoch \"\(columns[epochColumn][row])\" is not a whole number ≥ 0")
            }
            var values: [String: Float] = [:]
            for (c, name) in table.columnNames.enumerated() where c != epochColumn {
                let field = columns[c][row].trimmingCharacters(in: .whitespaces)
                if field.isEmpty { continue }
                guard let value = Float(field) ?? (field.lowercased() == "nan" ? Float.nan : nil) else {
                    throw CLIError("\(path): line \(table.lineNumbers[row]), column \"\(name)\": \"\(field)\" is not a number")
                }
                values[name] = value
            }
            epochs.append(EpochLogs(epoch: epoch, values: values, elapsed: 0))
        }
        return History(epochs: epochs)
    }
}
