import Foundation
import Perceptron
import PerceptronData
import PerceptronServeRequests

/// libFuzzer entry: the bytes are a `POST /v1/models/{name}:predict` body, decoded and
/// predicted as `perceptron serve` does for one request (``RequestDecoder``, the network,
/// ``PredictionWriter``), without the HTTP server around it. The first byte chooses the
/// request:
///
/// ```
/// 'c' + body    text/csv          → the classifier (named raw columns, preprocessing replayed)
/// 'f' + body    text/csv          → the feature model (no preprocessing: feature columns in order)
/// 'r' + body    application/json  → the feature model ("inputs" rows; "instances" is refused)
/// anything else application/json  → the classifier, the whole input as the body
///                                   ("instances" with numeric and categorical columns, or "inputs")
/// ```
/// Every outcome must be a ``RequestError`` with a 4xx status and a code, or a response
/// whose predictions are finite (probabilities in [0, 1] summing to 1); a trap, an
/// out-of-bounds access, a leak, an allocation the body decides, a hang, a predictor that
/// refuses checked features, or a non-finite prediction is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServeRequest(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let rest = count > 0 ? UnsafeRawBufferPointer(rebasing: input[1...]) : input
    switch input.first {
    case UInt8(ascii: "c"): serve(rest, csv: true, model: Models.classifier)
    case UInt8(ascii: "f"): serve(rest, csv: true, model: Models.features)
    case UInt8(ascii: "r"): serve(rest, csv: false, model: Models.features)
    default: serve(input, csv: false, model: Models.classifier)
    }
    return 0
}

/// `--max-rows`' default.
let maxRows = 1024

/// One request, as ServeResponder's predict route handles it after reading the body.
func serve(_ body: UnsafeRawBufferPointer, csv: Bool, model: RequestModel) {
    let batch: EncodedBatch
    do {
        batch = csv ? try RequestDecoder.decodeCSV(body, model: model, maxRows: maxRows)
                    : try RequestDecoder.decodeJSON(body, model: model, maxRows: maxRows)
    } catch {
        checkRefusal(error)
        return
    }
    let width = model.predictor.inputSize
    precondition(batch.rows >= 1 && batch.rows <= maxRows, "a decoded batch of \(batch.rows) rows")
    precondition(batch.features.count == batch.rows * width, "\(batch.features.count) features for \(batch.rows) rows of \(width)")
    precondition(batch.features.allSatisfy(\.isFinite), "a decoded feature is not finite")
    let outputs: Matrix
    do {
        outputs = try model.predictor.outputs(Matrix(rows: batch.rows, columns: width, elements: batch.features))
    } catch {
        preconditionFailure("the predictor refused features the decoder checked: \(error)")
    }
    let written: PredictionWriter.Written
    do {
        written = try PredictionWriter.write(outputs: outputs, model: model)
    } catch {
        // Finite features of a huge magnitude can overflow the network: a typed 422.
        checkRefusal(error)
        precondition(error.status.code == 422, "a prediction refused with \(error)")
        return
    }
    checkPredictions(written, rows: batch.rows, model: model)
}

func checkRefusal(_ error: RequestError) {
    precondition((400..<500).contains(error.status.code), "a refusal with status \(error.status.code): \(error)")
    precondition(!error.code.isEmpty && !error.message.isEmpty, "a refusal without a code or message: \(error)")
}

/// The response is JSON with one finite prediction per row.
func checkPredictions(_ written: PredictionWriter.Written, rows: Int, model: RequestModel) {
    guard let response = try? JSONParser.parse(written.bytes),
          case .array(let predictions)? = response["predictions"] else {
        preconditionFailure("the response is not JSON with \"predictions\": \(String(decoding: written.bytes, as: UTF8.self))")
    }
    precondition(predictions.count == rows, "\(predictions.count) predictions for \(rows) rows")
    for prediction in predictions {
        if model.predictor.isClassifier {
            guard case .object(let probabilities)? = prediction["probabilities"], case .string? = prediction["class"] else {
                preconditionFailure("a prediction without a class and probabilities: \(prediction)")
            }
            var sum = 0.0
            for (name, p) in probabilities {
                guard case .number(let x) = p, x >= 0, x <= 1 else { preconditionFailure("probability of \(name) is \(p)") }
                sum += x
            }
            // Float32 softmax outputs printed to shortest round-trip digits: a few ulps each.
            precondition(abs(sum - 1) < 1e-4, "probabilities sum to \(sum)")
        } else {
            guard case .number(let x)? = prediction["value"], x.isFinite else {
                preconditionFailure("a regression prediction that is not a finite number: \(prediction)")
            }
        }
    }
}

/// The served models, built once in memory.
enum Models {
    /// Three classes from two numeric columns (one with a missing value, so a median is
    /// imputed) and two categorical ones, through a softmax network.
    static let classifier: RequestModel = {
        let columns = ["age", "fare", "port", "deck", "label"]
        let rows = [
            ["22", "7.25", "S", "A", "a"], ["38", "71.3", "C", "B", "b"], ["", "8.05", "Q", "A", "c"],
            ["35", "53.1", "S", "C", "a"], ["54", "51.9", "C", "B", "b"], ["2", "21.1", "Q", "C", "c"],
            ["27", "11.1", "S", "A", "a"], ["14", "30.1", "C", "B", "b"],
        ]
        let table = CSVTable(source: "<fuzz>", columnNames: columns,
                             columns: columns.indices.map { c in rows.map { $0[c] } })
        do {
            let preprocessor = try Preprocessor.fit(table, options: .init(target: "label", task: .classification))
            let width = try preprocessor.transformFeatures(table).columns
            let model = try Sequential(inputSize: width, layers: [Dense(6, activation: .relu), Dense(3, activation: .softmax)], seed: 7)
            try model.compile(loss: .sparseCategoricalCrossEntropy, optimizer: Adam())
            return RequestModel(name: "classifier", version: "0123456789ab",
                                predictor: model.predictor(preprocessor: preprocessor, classNames: preprocessor.classNames),
                                preprocessor: preprocessor)
        } catch {
            fatalError("the fuzz target's classifier cannot be built: \(error)")
        }
    }()

    /// Three features to one value, no preprocessing.
    static let features: RequestModel = {
        do {
            let model = try Sequential(inputSize: 3, layers: [Dense(4, activation: .tanh), Dense(1)], seed: 5)
            try model.compile(loss: .meanSquaredError, optimizer: Adam())
            return RequestModel(name: "features", version: "ba9876543210", predictor: model.predictor(classNames: []),
                                preprocessor: nil)
        } catch {
            fatalError("the fuzz target's feature model cannot be built: \(error)")
        }
    }()
}
