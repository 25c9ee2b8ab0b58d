import Foundation
import Perceptron

extension Preprocessor {
    /// The feature matrix for `table`'s rows, with the fitted statistics (n × ``featureCount``).
    ///
    /// Columns are found by name, so the table may order them differently or lack the
    /// target and ignored columns.
    /// - Throws: ``DataError/unknownColumn(file:column:available:)`` for a used column
    ///   not in `table`; ``DataError/nonNumericValue(file:row:column:value:)`` for text in
    ///   a numeric column.
    public func transformFeatures(_ table: CSVTable) throws -> Matrix {
        let n = table.rowCount
        let width = featureCount
        var out = [Float](repeating: 0, count: n * width)
        var offset = 0
        for column in columns where column.role != .ignored {
            guard let index = table.columnNames.firstIndex(of: column.name) else {
                throw DataError.unknownColumn(file: table.source, column: column.name, available: table.columnNames)
            }
            switch column.role {
            case .numeric:
                let values: [String]
                switch table.columnValues[index] {
                case let .numbers(numbers, nonFinite):
                    if let bad = nonFinite {
                        throw DataError.nonFiniteValue(file: table.source, row: table.lineNumbers[bad.row],
                                                       column: column.name, value: bad.text)
                    }
                    for r in 0..<n {
                        let x = numbers[r].isNaN ? column.fillValue : numbers[r]
                        out[r * width + offset] = Float((x - column.shift) / column.scale)
                    }
                    offset += column.width
                    continue
                case .text(let texts):
                    values = texts
                }
                for r in 0..<n {
                    let raw = values[r]
                    var x = column.fillValue
                    switch NumberField(raw) {
                    case .missing: break
                    case .number(let parsed): x = parsed
                    case .nonFinite:
                        throw DataError.nonFiniteValue(file: table.source, row: table.lineNumbers[r],
                                                       column: column.name, value: raw)
                    case .text:
                        throw DataError.nonNumericValue(file: table.source, row: table.lineNumbers[r],
                                                        column: column.name, value: raw)
                    }
                    out[r * width + offset] = Float((x - column.shift) / column.scale)
                }
            case .categorical:
                let values = table.columnValues[index].texts
                var position: [String: Int] = [:]
                for (k, category) in column.categories.enumerated() { position[category] = k }
                for r in 0..<n {
                    let raw = values[r]
                    let key = isMissing(raw) ? column.mostFrequent : raw.trimmingCharacters(in: .whitespaces)
                    if let k = position[key] { out[r * width + offset + k] = 1 }  // unseen → all zeros
                }
            case .ignored, .target:
                break
            }
            offset += column.width
        }
        return Matrix(rows: n, columns: width, elements: out)
    }

    /// The encoded target for `table`'s rows (n × 1: class index, or scaled value).
    /// - Throws: ``DataError/invalidConfiguration(_:)`` when fitted without a target;
    ///   ``DataError/unknownColumn(file:column:available:)`` when `table` lacks it; and
    ///   the errors of ``TargetEncoding``.
    public func transformTarget(_ table: CSVTable) throws -> Matrix {
        guard let target else { throw DataError.invalidConfiguration("the preprocessor has no target column") }
        guard let index = table.columnNames.firstIndex(of: target.column) else {
            throw DataError.unknownColumn(file: table.source, column: target.column, available: table.columnNames)
        }
        return try target.encode(column: table.columnValues[index], lines: table.lineNumbers, source: table.source)
    }

    /// Features and, when `table` has the target column, the encoded target.
    public func transform(_ table: CSVTable) throws -> (features: Matrix, target: Matrix?) {
        let features = try transformFeatures(table)
        guard let target, table.columnNames.contains(target.column) else { return (features, nil) }
        return (features, try transformTarget(table))
    }
}
