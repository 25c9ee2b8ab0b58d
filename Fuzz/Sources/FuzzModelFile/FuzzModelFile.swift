import Foundation
import Perceptron
import PerceptronData

/// libFuzzer entry: the bytes are a model file (or a checkpoint). Loading must either throw or give a
/// model that predicts; a trap, an out-of-bounds access, a leak, an allocation the
/// input decides, or a hang is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelFile(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    // One parse of the container serves the model and, for a checkpoint, its training state.
    guard let container = try? SafeTensors.parse(data, file: "<fuzz>"),
          let loaded = try? ModelFile.load(container, file: "<fuzz>") else { return 0 }
    predictOneRow(loaded)
    // A checkpoint is a model file with a training state: its reader runs only on a valid model.
    if let state = try? ModelFile.trainingState(in: container, of: loaded, file: "<fuzz>") {
        _ = state.history.epochs.count
    }
    return 0
}

/// Replays the saved preprocessing on one row (every used column "1") and predicts it,
/// as `perceptron predict` does with a model file it was given.
func predictOneRow(_ loaded: ModelFile.LoadedModel) {
    let model = loaded.model
    let x: Matrix
    if let preprocessor = loaded.preprocessor {
        let names = preprocessor.usedColumns
        let table = CSVTable(source: "<fuzz>", columnNames: names, columns: names.map { _ in ["1"] })
        guard let features = try? preprocessor.transformFeatures(table) else { return }
        x = features
    } else {
        x = Matrix(rows: 1, columns: model.inputSize)
    }
    guard let outputs = try? model.predict(x) else { return }
    _ = loaded.preprocessor?.inverseTransformTarget(outputs)
    // What `summary` prints: the preprocessing read back as JSON.
    _ = try? loaded.metadata.preprocessor?.jsonString()
}
