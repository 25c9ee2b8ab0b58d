import Foundation
import Perceptron
import PerceptronData

/// Rows given to a saved model (`predict`, `evaluate`): read, matched to the training
/// columns, and checked for categories training never saw.
enum PredictionInput {
    /// The model-file note holding the training table's header (a JSON list).
    static let columnsKey = "columns"

    /// The note to save with a model trained on `source`: its table's header.
    static func info(for source: DataSource) -> [String: String] {
        guard case .table(let table, _) = source.content else { return [:] }
        return [columnsKey: SavedModel.encodeClassNames(table.columnNames)]
    }

    /// Reads `path`. Without a header (`noHeader`), a model trained on a table with a header
    /// gets the training names by position when the column count matches the training
    /// table's (with or without its target column), and a note says so on standard error.
    /// Categorical values unseen in training are counted in a warning.
    static func read(_ path: String, noHeader: Bool, model saved: SavedModel, reader: CSVReadOptions,
                     quiet: Bool = false) throws -> CSVTable {
        var table = try reader.read(path, hasHeader: !noHeader)
        if noHeader, let preprocessor = saved.preprocessor {
            table = try named(table, model: saved, preprocessor: preprocessor, quiet: quiet)
        }
        if !quiet, let preprocessor = saved.preprocessor {
            for unseen in preprocessor.unseenCategories(in: table) {
                printError("perceptron: warning: \(table.source): column \"\(unseen.column)\": \(unseen.rows) of \(table.rowCount) rows "
                    + "hold categories not seen in training (\(unseen.examples.joined(separator: ", "))); they are encoded as all zeros")
            }
        }
        return table
    }

    /// `table` (read without a header) with the training column names, by position.
    static func named(_ table: CSVTable, model saved: SavedModel, preprocessor: Preprocessor, quiet: Bool) throws -> CSVTable {
        let full = saved.info[columnsKey].flatMap(SavedModel.decodeClassNames)
            ?? preprocessor.columns.map(\.name) + (preprocessor.target.map { [$0.column] } ?? [])
        let target = preprocessor.target?.column
        let withoutTarget = full.filter { $0 != target }
        let names: [String]
        switch table.columnNames.count {
        case full.count: names = full
        case withoutTarget.count: names = withoutTarget
        default:
            throw CLIError("\(table.source): \(table.columnNames.count) columns and no header, but the model in \(saved.path) "
                + "was trained on \(full.count) columns (\(full.joined(separator: ", "))); give the file a header, "
                + "or exactly those columns in that order (the target may be left out)")
        }
        if !quiet {
            printError("perceptron: note: \(table.source) has no header; its \(names.count) columns are taken by position as "
                + names.joined(separator: ", "))
        }
        var named = table
        named.columnNames = names
        return named
    }
}

/// `predict --keep-columns`: input columns copied, field for field, to each output row.
struct KeptColumns {
    var header: [String] = []
    var columns: [[String]] = []

    /// - Throws: ``DataError/unknownColumn(file:column:available:)`` for a name not in `table`.
    init(_ list: String?, table: CSVTable) throws {
        guard let list else { return }
        for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            let index = try table.columnIndex(name)
            header.append(Predict.field(table.columnNames[index]))
            columns.append(table.columns[index])
        }
    }

    /// Row `i`'s kept fields, quoted for CSV where needed.
    func fields(_ i: Int) -> [String] { columns.map { Predict.field($0[i]) } }
}
