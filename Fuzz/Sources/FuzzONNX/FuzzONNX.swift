import Foundation
import Perceptron
import PerceptronONNX

/// libFuzzer entry: the bytes are an ONNX file, as `perceptron import` reads it. The
/// importer must either throw or give a model that predicts; a trap, an out-of-bounds
/// access, a leak, an allocation the input decides, or a hang is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzONNX(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let imported = try? ONNXImport.convert(data, file: "<fuzz>", seed: 1) else { return 0 }
    // What `perceptron import` then does with the model: it must predict one row, and the
    // class names must match what the output implies.
    let model = imported.model
    guard let outputs = try? model.predict(Matrix(rows: 1, columns: model.inputSize)) else { return 0 }
    precondition(outputs.rows == 1 && outputs.columns == model.outputSize, "prediction shape")
    if imported.task == .classification {
        precondition(imported.classNames.count == max(2, model.outputSize), "class names for the outputs")
    }
    return 0
}
