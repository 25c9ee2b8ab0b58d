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

    /// Reads a file written by ``text(_:)`` (or by Keras's CSVLogger): comma-separated, one
    /// header line, a field in double quotes where it holds a comma; "nan" is NaN and an
    /// empty field is no value. (Read by hand, not as a data table, where "nan" would be a
    /// missing marker and a numeric column would keep no text.)
    /// - Throws: ``CLIError`` for an unreadable file, no `epoch` column, a row of another
    ///   length, or a value that is not a number.
    static func read(_ path: String) throws -> History {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIError("\(path): cannot read: \(error.localizedDescription)")
        }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        guard let headerLine = lines.first else { throw CLIError("\(path): empty file") }
        let header = fields(headerLine)
        guard let epochColumn = header.firstIndex(of: "epoch") else {
            throw CLIError("\(path): no \"epoch\" column (expected a file from `perceptron train --history-csv`)")
        }
        var epochs: [EpochLogs] = []
        for (index, line) in lines.enumerated().dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let lineNumber = index + 1
            let row = fields(line)
            guard row.count == header.count else {
                throw CLIError("\(path): line \(lineNumber): \(row.count) fields, the header has \(header.count)")
            }
            guard let epoch = Int(row[epochColumn]), epoch >= 0 else {
                throw CLIError("\(path): line \(lineNumber): epoch \"\(row[epochColumn])\" is not a whole number ≥ 0")
            }
            var values: [String: Float] = [:]
            for (c, name) in header.enumerated() where c != epochColumn && !row[c].isEmpty {
                guard let value = Float(row[c]) ?? (row[c].lowercased() == "nan" ? Float.nan : nil) else {
                    throw CLIError("\(path): line \(lineNumber), column \"\(name)\": \"\(row[c])\" is not a number")
                }
                values[name] = value
            }
            epochs.append(EpochLogs(epoch: epoch, values: values, elapsed: 0))
        }
        return History(epochs: epochs)
    }

    /// The comma-separated fields of one line, spaces around them removed; `"…"` quotes a
    /// field (`""` inside is one quote).
    private static func fields(_ line: Substring) -> [String] {
        var out: [String] = []
        var field = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else {
                            quoted = false
                            if next == "," { out.append(field.trimmingCharacters(in: .whitespaces)); field = "" } else { field.append(next) }
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                out.append(field.trimmingCharacters(in: .whitespaces))
                field = ""
            } else {
                field.append(character)
            }
        }
        out.append(field.trimmingCharacters(in: .whitespaces))
        return out
    }
}
