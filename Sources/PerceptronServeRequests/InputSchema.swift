import Foundation
import Perceptron

/// The input columns a model takes, built once per model from its saved preprocessing
/// and replayed on each request's rows without building a table:
///
/// ```
/// numeric column c:      x → (x, or the training median when missing − shift) / scale
/// categorical column c:  v → one-hot over the training categories (missing → the most
///                        frequent one; unseen → all zeros)
/// ```
/// exactly as ``Preprocessor/transformFeatures(_:)`` does for a table (a test checks the
/// two agree). Every used column must be present in every row (`null` or a blank string
/// is a missing value, imputed); a member naming no column of the model is refused, but
/// the training table's ignored columns and its target are accepted and skipped, so a
/// row copied from the training file is valid.
package struct InputSchema: Sendable {
    /// How one used column is encoded.
    package enum Encoding: Sendable {
        case numeric(fill: Double, shift: Double, scale: Double)
        case categorical(positions: [String: Int], categories: [String], mostFrequent: String)
    }

    /// A used input column and where its features go.
    package struct Column: Sendable {
        package var name: String
        package var role: ColumnRole
        /// Its first feature's index.
        package var offset: Int
        package var encoding: Encoding
    }

    /// One field of a request row before encoding.
    package enum Field {
        case missing
        case number(Double)
        case text(String)
        /// A JSON value of a type no column takes (boolean, array, object).
        case other(typeName: String)

        package init(_ value: JSONValue) {
            switch value {
            case .null: self = .missing
            case .number(let x): self = .number(x)
            case .string(let s): self = .text(s)
            default: self = .other(typeName: value.typeName)
            }
        }
    }

    package let columns: [Column]
    /// Column name → index in ``columns``, or -1 for a known column that is not used.
    package let lookup: [String: Int]
    package let featureCount: Int

    /// The schema of `preprocessor`'s used columns.
    package init(preprocessor: Preprocessor) {
        var columns: [Column] = []
        var lookup: [String: Int] = [:]
        var offset = 0
        for column in preprocessor.columns {
            switch column.role {
            case .numeric:
                lookup[column.name] = columns.count
                columns.append(Column(name: column.name, role: column.role, offset: offset,
                                      encoding: .numeric(fill: column.fillValue, shift: column.shift, scale: column.scale)))
            case .categorical:
                var positions: [String: Int] = [:]
                for (k, category) in column.categories.enumerated() { positions[category] = k }
                lookup[column.name] = columns.count
                columns.append(Column(name: column.name, role: column.role, offset: offset,
                                      encoding: .categorical(positions: positions, categories: column.categories,
                                                             mostFrequent: column.mostFrequent)))
            case .ignored, .target:
                lookup[column.name] = -1
            }
            offset += column.width
        }
        if let target = preprocessor.target?.column { lookup[target] = -1 }
        self.columns = columns
        self.lookup = lookup
        featureCount = offset
    }

    /// Encodes row `row` into `features` (already zeroed, ``featureCount`` wide) and
    /// records it in `drift`. `fields` gives each member's name and value.
    /// - Parameter textNumbers: whether text in a numeric column is parsed as a number
    ///   (CSV bodies) rather than refused as the wrong type (JSON).
    package func encode(row: Int, fields: some Sequence<(String, Field)>, textNumbers: Bool,
                into features: UnsafeMutableBufferPointer<Float>, seen: inout [Bool],
                drift: inout DriftSample) throws(RequestError) {
        for i in seen.indices { seen[i] = false }
        for (name, field) in fields {
            guard let index = lookup[name] else {
                throw RequestError.badRequest("unknown_column", "\"\(name)\" is not an input column of this model", field: name, row: row)
            }
            guard index >= 0 else { continue }
            seen[index] = true
            let column = columns[index]
            switch column.encoding {
            case let .numeric(fill, shift, scale):
                var value: Double? = nil
                switch field {
                case .missing: break
                case .number(let x):
                    guard Float(x).isFinite else {
                        throw RequestError.badRequest("non_finite_value", "\(x) is not finite as a 32-bit float", field: name, row: row)
                    }
                    value = x
                case .text(let text):
                    if Self.isMissingText(text) { break }
                    guard textNumbers else {
                        throw RequestError.badRequest("wrong_type", "expected a number or null, got a string", field: name, row: row)
                    }
                    guard let x = Double(Whitespace.trimmed(text)) else {
                        throw RequestError.badRequest("wrong_type", "\"\(Self.clipped(text))\" is not a number", field: name, row: row)
                    }
                    guard Float(x).isFinite else {
                        throw RequestError.badRequest("non_finite_value", "\(Self.clipped(text)) is not finite as a 32-bit float",
                                                      field: name, row: row)
                    }
                    value = x
                case .other(let typeName):
                    throw RequestError.badRequest("wrong_type", "expected a number or null, got \(typeName)", field: name, row: row)
                }
                drift.recordNumeric(column: index, value)
                features[column.offset] = Float(((value ?? fill) - shift) / scale)
            case let .categorical(positions, _, mostFrequent):
                var key: String? = nil
                switch field {
                case .missing: break
                case .text(let text):
                    if !Self.isMissingText(text) { key = Whitespace.trimmed(text) }
                case .number(let x):
                    guard x.isFinite else {
                        throw RequestError.badRequest("non_finite_value", "\(x) is not a category", field: name, row: row)
                    }
                    key = x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
                case .other(let typeName):
                    throw RequestError.badRequest("wrong_type", "expected a string, a number or null, got \(typeName)", field: name, row: row)
                }
                let position = positions[key ?? mostFrequent]
                drift.recordCategory(column: index, missing: key == nil, position: position)
                if let position { features[column.offset + position] = 1 }  // unseen → all zeros
            }
        }
        if let absent = seen.firstIndex(of: false) {
            throw RequestError.badRequest("missing_column", "the row has no \"\(columns[absent].name)\" (send null for a missing value)",
                                          field: columns[absent].name, row: row)
        }
    }

    /// Blank text is a missing value, as in a CSV file.
    package static func isMissingText(_ text: String) -> Bool { text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }

    /// A value shortened for an error message.
    package static func clipped(_ text: String) -> String { text.count <= 40 ? text : String(text.prefix(40)) + "…" }
}
