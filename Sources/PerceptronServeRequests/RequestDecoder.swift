import Foundation
import Perceptron
import PerceptronData

/// A predict request's rows as the network's features.
public struct EncodedBatch: Sendable {
    public var rows: Int
    /// rows × the model's input size, row-major.
    public var features: [Float]
    /// The rows' raw columns for drift monitoring (nil for feature rows).
    package var drift: DriftSample?
}

/// Turns a predict request's body into feature rows, checking everything before it
/// allocates by it: the row count against `--max-rows`, each row's shape and types, each
/// value finite as a 32-bit float.
///
/// ```
/// {"instances": [{"Age": 22, "Sex": "male", …}, …]}   named raw columns, preprocessing replayed
/// {"inputs": [[0.1, -1.2, …], …]}                      feature rows (the model's input size each)
/// text/csv with a header row                           named raw columns, or, for a model without
///                                                      preprocessing, the feature columns in order
/// ```
public enum RequestDecoder {
    public static func decodeJSON(_ bytes: UnsafeRawBufferPointer, model: RequestModel, maxRows: Int) throws(RequestError) -> EncodedBatch {
        // The common feature-row body straight into the matrix; anything unusual (and every
        // refusal) takes the general path below, so the answers are the same either way.
        if let (rows, features) = FeatureRowsDecoder.decode(bytes, width: model.predictor.inputSize, maxRows: maxRows) {
            return EncodedBatch(rows: rows, features: features, drift: nil)
        }
        return try decodeJSONGeneral(bytes, model: model, maxRows: maxRows)
    }

    /// ``decodeJSON(_:model:maxRows:)`` without the feature-row fast path: the value tree,
    /// then the `instances` or `inputs` rules (the tests hold the two paths to one answer).
    package static func decodeJSONGeneral(_ bytes: UnsafeRawBufferPointer, model: RequestModel, maxRows: Int) throws(RequestError) -> EncodedBatch {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw RequestError.badRequest("malformed_json", "the body is not JSON: \(error)")
        }
        guard case .object(let members) = document else {
            throw RequestError.badRequest("wrong_type", "the body must be a JSON object with \"instances\" or \"inputs\", got \(document.typeName)")
        }
        var instances: JSONValue? = nil, inputs: JSONValue? = nil
        for (key, value) in members {
            switch key {
            case "instances": instances = value
            case "inputs": inputs = value
            default:
                throw RequestError.badRequest("unknown_field", "\"\(key)\" is not a request field (send \"instances\" or \"inputs\")", field: key)
            }
        }
        switch (instances, inputs) {
        case (let value?, nil): return try decodeInstances(value, model: model, maxRows: maxRows)
        case (nil, let value?): return try decodeInputs(value, model: model, maxRows: maxRows)
        case (nil, nil):
            throw RequestError.badRequest("missing_field", "the body needs \"instances\" (named columns) or \"inputs\" (feature rows)",
                                          field: "instances")
        case (_?, _?):
            throw RequestError.badRequest("unknown_field", "send either \"instances\" or \"inputs\", not both", field: "inputs")
        }
    }

    /// The row array of `field`, checked against the row limit.
    private static func rows(_ value: JSONValue, field: String, maxRows: Int) throws(RequestError) -> [JSONValue] {
        guard case .array(let rows) = value else {
            throw RequestError.badRequest("wrong_type", "\"\(field)\" must be an array of rows, got \(value.typeName)", field: field)
        }
        guard !rows.isEmpty else { throw RequestError.badRequest("empty", "\"\(field)\" holds no row", field: field) }
        guard rows.count <= maxRows else {
            throw RequestError.badRequest("too_many_rows", "\(rows.count) rows exceed --max-rows \(maxRows)", field: field)
        }
        return rows
    }

    package static func decodeInstances(_ value: JSONValue, model: RequestModel, maxRows: Int) throws(RequestError) -> EncodedBatch {
        guard let schema = model.schema else {
            throw RequestError.badRequest("instances_unsupported",
                                          "model \"\(model.name)\" has no saved preprocessing, so no named columns; send \"inputs\": [[\(model.predictor.inputSize) numbers], …]",
                                          field: "instances")
        }
        let rows = try rows(value, field: "instances", maxRows: maxRows)
        var features = [Float](repeating: 0, count: rows.count * schema.featureCount)
        var drift = DriftSample(schema: schema)
        var seen = [Bool](repeating: false, count: schema.columns.count)
        let width = schema.featureCount
        try features.withUnsafeMutableBufferPointer { buffer throws(RequestError) in
            for (r, row) in rows.enumerated() {
                guard case .object(let members) = row else {
                    throw RequestError.badRequest("wrong_type", "each instance must be an object of named columns, got \(row.typeName)",
                                                  field: "instances", row: r)
                }
                let slice = UnsafeMutableBufferPointer(rebasing: buffer[(r * width)..<((r + 1) * width)])
                try schema.encode(row: r, fields: members.lazy.map { ($0.key, InputSchema.Field($0.value)) }, textNumbers: false,
                                  into: slice, seen: &seen, drift: &drift)
            }
        }
        return EncodedBatch(rows: rows.count, features: features, drift: drift)
    }

    package static func decodeInputs(_ value: JSONValue, model: RequestModel, maxRows: Int) throws(RequestError) -> EncodedBatch {
        let rows = try rows(value, field: "inputs", maxRows: maxRows)
        let width = model.predictor.inputSize
        var features = [Float](repeating: 0, count: rows.count * width)
        for (r, row) in rows.enumerated() {
            guard case .array(let values) = row else {
                throw RequestError.badRequest("wrong_type", "each input row must be an array of \(width) numbers, got \(row.typeName)",
                                              field: "inputs", row: r)
            }
            guard values.count == width else {
                throw RequestError.badRequest("wrong_length", "the row has \(values.count) values, the model takes \(width)",
                                              field: "inputs", row: r)
            }
            for (j, v) in values.enumerated() {
                guard case .number(let x) = v else {
                    throw RequestError.badRequest("wrong_type", "value \(j) must be a number, got \(v.typeName)", field: "inputs[\(j)]", row: r)
                }
                let f = Float(x)
                guard f.isFinite else {
                    throw RequestError.badRequest("non_finite_value", "value \(j) (\(x)) is not finite as a 32-bit float",
                                                  field: "inputs[\(j)]", row: r)
                }
                features[r * width + j] = f
            }
        }
        return EncodedBatch(rows: rows.count, features: features, drift: nil)
    }

    public static func decodeCSV(_ bytes: UnsafeRawBufferPointer, model: RequestModel, maxRows: Int) throws(RequestError) -> EncodedBatch {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw RequestError.badRequest("invalid_encoding", "the CSV body is not UTF-8")
        }
        let table: CSVTable
        do {
            table = try CSVTable.parse(text, hasHeader: true, delimiter: ",", source: "body")
        } catch DataError.emptyFile {
            // As for an empty "instances" list: nothing to predict.
            let blank = text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
            throw RequestError.badRequest("empty", blank ? "the CSV body has no header row and no row"
                                                         : "the CSV body has a header but no row")
        } catch {
            throw RequestError.badRequest("malformed_csv", "the CSV body cannot be read: \(error)")
        }
        guard table.rowCount > 0 else { throw RequestError.badRequest("empty", "the CSV body has a header but no row") }
        guard table.rowCount <= maxRows else {
            throw RequestError.badRequest("too_many_rows", "\(table.rowCount) rows exceed --max-rows \(maxRows)")
        }
        let columns = table.columns
        guard let schema = model.schema else {
            let width = model.predictor.inputSize
            guard table.columnNames.count == width else {
                throw RequestError.badRequest("wrong_length", "the CSV body has \(table.columnNames.count) columns, the model takes \(width) features")
            }
            var features = [Float](repeating: 0, count: table.rowCount * width)
            for r in 0..<table.rowCount {
                for j in 0..<width {
                    let field = columns[j][r]
                    guard let x = Double(Whitespace.trimmed(field)), Float(x).isFinite else {
                        throw RequestError.badRequest("wrong_type", "\"\(InputSchema.clipped(field))\" is not a finite number",
                                                      field: table.columnNames[j], row: r)
                    }
                    features[r * width + j] = Float(x)
                }
            }
            return EncodedBatch(rows: table.rowCount, features: features, drift: nil)
        }
        let width = schema.featureCount
        var features = [Float](repeating: 0, count: table.rowCount * width)
        var drift = DriftSample(schema: schema)
        var seen = [Bool](repeating: false, count: schema.columns.count)
        try features.withUnsafeMutableBufferPointer { buffer throws(RequestError) in
            for r in 0..<table.rowCount {
                let slice = UnsafeMutableBufferPointer(rebasing: buffer[(r * width)..<((r + 1) * width)])
                let fields = table.columnNames.indices.lazy.map { c -> (String, InputSchema.Field) in
                    let field = columns[c][r]
                    return (table.columnNames[c], InputSchema.isMissingText(field) ? .missing : .text(field))
                }
                try schema.encode(row: r, fields: fields, textNumbers: true, into: slice, seen: &seen, drift: &drift)
            }
        }
        return EncodedBatch(rows: table.rowCount, features: features, drift: drift)
    }
}
