import Foundation
import Perceptron
import PerceptronData

/// A model file opened by a command, with what the commands need to know about it.
struct SavedModel {
    var path: String
    var loaded: ModelFile.LoadedModel
    var model: Sequential { loaded.model }
    var preprocessor: Preprocessor? { loaded.preprocessor }
    var info: [String: String] { loaded.metadata.training.info }

    init(path: String) throws {
        self.path = path
        loaded = try ModelFile.load(from: URL(fileURLWithPath: path))
    }

    /// The model frozen for inference, with its preprocessing and class names.
    var predictor: Predictor {
        model.predictor(preprocessor: preprocessor, classNames: classNames)
    }

    /// Classification or regression: from the preprocessing, the notes, or the loss.
    var task: TaskKind {
        if let task = preprocessor?.task { return task }
        if let text = info["task"], let task = TaskKind(rawValue: text) { return task }
        switch model.loss {
        case .meanSquaredError?, .meanAbsoluteError?, .huber?, nil: return .regression
        default: return .classification
        }
    }

    /// Class names in class-index order (empty for regression).
    var classNames: [String] {
        guard task == .classification else { return [] }
        if let names = preprocessor?.classNames, !names.isEmpty { return names }
        if let text = info["class_names"], let names = Self.decodeClassNames(text) { return names }
        let k = model.outputSize == 1 ? 2 : model.outputSize
        return (0..<k).map(String.init)
    }

    static func encodeClassNames(_ names: [String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: names)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decodeClassNames(_ text: String) -> [String]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String]
    }

    /// Features (and the target when the table has it) for `table`: through the saved
    /// preprocessing, or, for a model trained on numbers, every column but `target` as a number.
    func features(of table: CSVTable, target: String?) throws -> (x: Matrix, y: Matrix?) {
        if let preprocessor {
            let (x, y) = try preprocessor.transform(table)
            return (x, y)
        }
        let targetIndex = try target.map { try table.columnIndex($0) }
        let featureColumns = table.columnNames.indices.filter { $0 != targetIndex }
        guard featureColumns.count == model.inputSize else {
            throw CLIError("\(table.source): \(featureColumns.count) feature columns, but the model in \(path) takes \(model.inputSize)"
                + (targetIndex == nil ? " (name the target column with --target to leave it out)" : ""))
        }
        var x = [Float](repeating: 0, count: table.rowCount * featureColumns.count)
        for (j, c) in featureColumns.enumerated() {
            for (r, field) in table.columnValues[c].texts.enumerated() {
                guard let value = Float(field.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                    throw DataError.nonNumericValue(file: table.source, row: table.lineNumbers[r], column: table.columnNames[c], value: field)
                }
                x[r * featureColumns.count + j] = value
            }
        }
        var y: Matrix? = nil
        if let t = targetIndex {
            let names = classNames
            y = Matrix(rows: table.rowCount, columns: 1, elements: try table.columnValues[t].texts.enumerated().map { r, field in
                let trimmed = field.trimmingCharacters(in: .whitespaces)
                if task == .classification {
                    if let k = names.firstIndex(of: trimmed) { return Float(k) }
                    throw DataError.unknownClass(file: table.source, row: table.lineNumbers[r], column: table.columnNames[t],
                                                 value: field, known: names)
                }
                guard let v = Float(trimmed), v.isFinite else {
                    throw DataError.nonNumericValue(file: table.source, row: table.lineNumbers[r], column: table.columnNames[t], value: field)
                }
                return v
            })
        }
        return (Matrix(rows: table.rowCount, columns: featureColumns.count, elements: x), y)
    }
}
