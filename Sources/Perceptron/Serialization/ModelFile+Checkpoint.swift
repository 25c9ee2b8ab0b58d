import Foundation

/// A checkpoint is a model file saved with the optimizer's state and random state (see
/// ``ModelFile``) plus what a resumed fit needs (``TrainingState``):
///
/// ```
/// __metadata__ "training_state"  {"state": TrainingState without tensors,
///                                 "tensors": {callback key: {name: tensor name}}}
/// callbacks.<k>.<name>  F32 [r, c]   callback k's matrices (k: its key's index in sorted order),
///                                    e.g. early stopping's best weights
/// ```
/// It loads anywhere a model file does (`ModelFile.load` ignores the callback tensors), and
/// is written atomically like every model file.
extension ModelFile {
    /// The metadata key of the training state.
    static let trainingStateKey = "training_state"

    /// A model read from a checkpoint, and the state to resume its fit from.
    public struct LoadedCheckpoint {
        public var model: Sequential
        public var preprocessor: Preprocessor?
        public var metadata: ModelFileMetadata
        /// Pass to `fit(…, resumeFrom:)`.
        public var state: TrainingState
    }

    /// The JSON stored under "training_state".
    private struct StoredState: Codable {
        var state: TrainingState
        var tensors: [String: [String: String]]
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// Writes `model`, its optimizer and random state, and `state` to `url`, atomically.
    /// - Throws: ``ModelFileError`` for a model that cannot be saved; ``SafeTensorsError``
    ///   when the file cannot be written.
    public static func saveCheckpoint(_ model: Sequential, state: TrainingState, preprocessor: Preprocessor? = nil,
                                      training: ModelFileMetadata.Training? = nil, to url: URL) throws {
        var settings = training ?? ModelFileMetadata.Training(seed: model.seed)
        settings.completedEpochs = state.completedEpochs
        var file = try container(model, preprocessor: preprocessor, training: settings, file: url.path, includeOptimizerState: true)
        var stored = StoredState(state: state, tensors: [:])
        for (k, key) in state.callbacks.keys.sorted().enumerated() {
            var names: [String: String] = [:]
            for (name, matrix) in state.callbacks[key]!.tensors {
                let tensorName = "callbacks.\(k).\(name)"
                file.tensors[tensorName] = SafeTensors.Tensor(matrix)
                names[name] = tensorName
            }
            stored.state.callbacks[key]!.tensors = [:]
            stored.tensors[key] = names
        }
        file.metadata[trainingStateKey] = String(decoding: try encoder.encode(stored), as: UTF8.self)
        try file.write(to: url)
    }

    /// Reads a checkpoint written by ``saveCheckpoint(_:state:preprocessor:training:to:)``.
    /// - Throws: ``SafeTensorsError`` for a damaged container; ``ModelFileError`` for a
    ///   file that is not a checkpoint (no training state or optimizer state) or whose state
    ///   does not match its tensors.
    public static func loadCheckpoint(from url: URL) throws -> LoadedCheckpoint {
        try loadCheckpoint(try SafeTensors.read(from: url), file: url.path)
    }

    /// Reads a checkpoint from a file's bytes, as ``loadCheckpoint(from:)`` does from the file.
    /// - Parameter file: names the bytes in errors.
    public static func loadCheckpoint(from data: Data, file: String = "<data>") throws -> LoadedCheckpoint {
        try loadCheckpoint(try SafeTensors.parse(data, file: file), file: file)
    }

    static func loadCheckpoint(_ container: SafeTensors, file: String) throws -> LoadedCheckpoint {
        let loaded = try load(container, file: file)
        return LoadedCheckpoint(model: loaded.model, preprocessor: loaded.preprocessor, metadata: loaded.metadata,
                                state: try trainingState(in: container, of: loaded, file: file))
    }

    /// The training state of a checkpoint whose model ``load(_:file:)`` has read from
    /// `container`: for a caller that parses the bytes once (``SafeTensors/parse(_:file:)``)
    /// and reads them both as a model and, when they are one, as a checkpoint, without
    /// parsing the container or rebuilding the model again.
    /// - Throws: as ``loadCheckpoint(from:)`` for a file that is not a checkpoint or whose
    ///   state does not match its tensors.
    public static func trainingState(in container: SafeTensors, of loaded: LoadedModel, file: String = "<data>") throws -> TrainingState {
        guard let text = container.metadata[trainingStateKey] else {
            throw ModelFileError.invalidMetadata(file: file, key: trainingStateKey,
                                                 reason: "missing: this is a model file, not a checkpoint (save one with --checkpoint)")
        }
        guard loaded.metadata.optimizerState != nil else {
            throw ModelFileError.invalidMetadata(file: file, key: "optimizer_state", reason: "missing: a checkpoint needs the optimizer's state")
        }
        var stored: StoredState
        do {
            stored = try decoder.decode(StoredState.self, from: Data(text.utf8))
        } catch {
            throw ModelFileError.invalidMetadata(file: file, key: trainingStateKey, reason: "not the JSON of a training state")
        }
        let state = stored.state
        guard state.completedEpochs >= 0, state.history.epochs.count <= state.completedEpochs else {
            throw ModelFileError.invalidMetadata(file: file, key: trainingStateKey,
                                                 reason: "\(state.history.epochs.count) epochs of history for \(state.completedEpochs) completed")
        }
        var used = Set<String>()
        for (key, names) in stored.tensors {
            guard stored.state.callbacks[key] != nil else {
                throw ModelFileError.invalidMetadata(file: file, key: trainingStateKey, reason: "tensors for unknown callback \(key)")
            }
            for (name, tensorName) in names {
                guard isCheckpointTensor(tensorName, in: container), let tensor = container.tensors[tensorName] else {
                    throw ModelFileError.missingTensor(file: file, tensor: tensorName)
                }
                guard tensor.shape.count == 2 else {
                    throw ModelFileError.wrongShape(file: file, tensor: tensorName, expected: [-1, -1], got: tensor.shape)
                }
                guard tensor.dtype == .f32 else {
                    throw ModelFileError.wrongDType(file: file, tensor: tensorName, expected: "F32", got: tensor.dtype.rawValue)
                }
                guard tensor.values.allSatisfy(\.isFinite) else { throw ModelFileError.nonFiniteWeight(file: file, tensor: tensorName) }
                stored.state.callbacks[key]!.tensors[name] = Matrix(rows: tensor.shape[0], columns: tensor.shape[1], elements: tensor.values)
                used.insert(tensorName)
            }
        }
        if let extra = container.tensors.keys.filter({ isCheckpointTensor($0, in: container) && !used.contains($0) }).sorted().first {
            throw ModelFileError.unexpectedTensor(file: file, tensor: extra)
        }
        return stored.state
    }

    /// Whether `name` is a callback tensor of a checkpoint (only files with a training state have them).
    static func isCheckpointTensor(_ name: String, in container: SafeTensors) -> Bool {
        name.hasPrefix("callbacks.") && container.metadata[trainingStateKey] != nil
    }
}
