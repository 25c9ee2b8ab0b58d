import Foundation
import Perceptron
import PerceptronServeRequests

/// One loaded model file as the server serves it: immutable once built, shared by every
/// request that started while it was current. A reload builds a new one and swaps the
/// registry's reference (``ModelRegistry``); requests already holding the old one finish
/// on it, its batcher included.
final class ServedModel: Sendable {
    /// The name, version, predictor, preprocessing and input schema that requests use.
    let request: RequestModel
    var name: String { request.name }
    let path: String
    /// SHA-256 of the file's bytes, as loaded.
    let sha256: String
    /// The first 12 hex digits of ``sha256``: changes exactly when the file's content does.
    var version: String { request.version }
    let loadedAt: Date
    let loadSeconds: Double
    var predictor: Predictor { request.predictor }
    let task: TaskKind
    var preprocessor: Preprocessor? { request.preprocessor }
    /// Named raw columns, when the file has its preprocessing; nil for feature rows only.
    var schema: InputSchema? { request.schema }
    let batcher: Batcher
    let drift: DriftMonitor
    /// `GET /v1/models/{name}`'s body, built once.
    let descriptionJSON: [UInt8]
    /// The file's size and modification time when read (the file watcher compares them).
    let fileStamp: FileStamp

    /// Reads, checks and prepares `path`.
    /// - Throws: ``ModelFileError`` or ``SafeTensorsError`` for a file that cannot be read or
    ///   is not a valid model.
    init(name: String, path: String, options: ServeOptions, onBatch: @escaping @Sendable (Int) -> Void) throws {
        let start = ContinuousClock.now
        let stamp = FileStamp(path: path)
        let data = try SafeTensors.readBytes(from: URL(fileURLWithPath: path))
        let loaded = try ModelFile.load(from: data, file: path)
        self.path = path
        let sha256 = SHA256.hex(data)
        self.sha256 = sha256
        fileStamp = stamp
        let info = loaded.metadata.training.info
        let task = Self.task(loaded: loaded)
        self.task = task
        let predictor = loaded.model.predictor(preprocessor: loaded.preprocessor,
                                               classNames: Self.classNames(loaded: loaded, task: task))
        let request = RequestModel(name: name, version: String(sha256.prefix(12)), predictor: predictor,
                                   preprocessor: loaded.preprocessor)
        self.request = request
        let schema = request.schema
        batcher = Batcher(predictor: predictor, maxBatch: options.maxBatch, maxDelay: .microseconds(options.maxDelayMicroseconds),
                          cost: RequestCost(model: loaded.model), onBatch: onBatch)
        drift = DriftMonitor(schema: schema, preprocessor: loaded.preprocessor, classNames: predictor.classNames,
                             baseline: info[DriftBaseline.infoKey].flatMap(DriftBaseline.decode))
        loadedAt = Date()
        loadSeconds = (ContinuousClock.now - start).seconds
        descriptionJSON = Self.describe(name: name, path: path, sha256: sha256, version: request.version, loaded: loaded,
                                        predictor: predictor, task: task, loadedAt: loadedAt, loadSeconds: loadSeconds)
    }

    /// Classification or regression: from the preprocessing, the file's notes, or the loss
    /// (as `perceptron predict` decides).
    static func task(loaded: ModelFile.LoadedModel) -> TaskKind {
        if let task = loaded.preprocessor?.task { return task }
        if let text = loaded.metadata.training.info["task"], let task = TaskKind(rawValue: text) { return task }
        switch loaded.model.loss {
        case .meanSquaredError?, .meanAbsoluteError?, .huber?, nil: return .regression
        default: return .classification
        }
    }

    /// Class names in class-index order (empty for regression).
    static func classNames(loaded: ModelFile.LoadedModel, task: TaskKind) -> [String] {
        guard task == .classification else { return [] }
        if let names = loaded.preprocessor?.classNames, !names.isEmpty { return names }
        if let text = loaded.metadata.training.info["class_names"],
           let names = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String], !names.isEmpty {
            return names
        }
        let k = loaded.model.outputSize == 1 ? 2 : loaded.model.outputSize
        return (0..<k).map(String.init)
    }

    /// One line for `GET /v1/models`.
    func writeSummary(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("name"); writer.string(name)
        writer.key("version"); writer.string(version)
        writer.key("task"); writer.string(task.rawValue)
        writer.key("sha256"); writer.string(sha256)
        writer.key("input"); writer.string(schema == nil ? "inputs" : "instances")
        writer.endObject()
    }

    private static func describe(name: String, path: String, sha256: String, version: String, loaded: ModelFile.LoadedModel,
                                 predictor: Predictor, task: TaskKind, loadedAt: Date, loadSeconds: Double) -> [UInt8] {
        var w = JSONWriter(capacity: 4096)
        w.beginObject()
        w.key("name"); w.string(name)
        w.key("version"); w.string(version)
        w.key("sha256"); w.string(sha256)
        w.key("file"); w.string(URL(fileURLWithPath: path).lastPathComponent)
        w.key("loaded_at"); w.string(ISO8601DateFormatter().string(from: loadedAt))
        w.key("load_seconds"); w.number(loadSeconds)
        w.key("task"); w.string(task.rawValue)
        w.key("classes"); w.beginArray(); for c in predictor.classNames { w.string(c) }; w.endArray()

        let architecture = loaded.metadata.architecture
        w.key("architecture")
        w.beginObject()
        w.key("input_size"); w.integer(predictor.inputSize)
        w.key("output_size"); w.integer(predictor.outputSize)
        w.key("loss"); if let loss = architecture.loss { w.string(loss.rawValue) } else { w.null() }
        w.key("layers")
        w.beginArray()
        for (i, layer) in loaded.model.layers.enumerated() {
            w.beginObject()
            w.key("type"); w.string(layer.typeName)
            w.key("units"); w.integer(layer.outputSize)
            if i < architecture.layers.count, let config = try? JSONEncoder().encode(architecture.layers[i]) {
                w.key("configuration"); w.raw(Array(config))
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()

        w.key("input_schema")
        w.beginObject()
        if let preprocessor = loaded.preprocessor {
            w.key("kind"); w.string("columns")
            w.key("columns")
            w.beginArray()
            for column in preprocessor.columns {
                w.beginObject()
                w.key("name"); w.string(column.name)
                w.key("role"); w.string(column.role.description)
                switch column.role {
                case .numeric(let scaling):
                    w.key("fill_value"); w.number(column.fillValue)
                    w.key("scaling"); w.string(scaling.rawValue)
                    w.key("shift"); w.number(column.shift)
                    w.key("scale"); w.number(column.scale)
                case .categorical:
                    w.key("categories"); w.beginArray(); for c in column.categories { w.string(c) }; w.endArray()
                    w.key("most_frequent"); w.string(column.mostFrequent)
                case .ignored, .target:
                    break
                }
                w.endObject()
            }
            w.endArray()
            w.key("target"); if let target = preprocessor.target?.column { w.string(target) } else { w.null() }
        } else {
            w.key("kind"); w.string("features")
            w.key("columns"); w.beginArray(); w.endArray()
            w.key("target"); w.null()
        }
        w.key("feature_count"); w.integer(predictor.inputSize)
        w.key("feature_names")
        w.beginArray()
        for feature in loaded.preprocessor?.featureNames ?? (0..<predictor.inputSize).map({ "x\($0)" }) { w.string(feature) }
        w.endArray()
        w.endObject()

        let training = loaded.metadata.training
        w.key("training")
        w.beginObject()
        w.key("epochs"); if let e = training.epochs { w.integer(e) } else { w.null() }
        w.key("completed_epochs"); w.integer(training.completedEpochs)
        w.key("batch_size"); if let b = training.batchSize { w.integer(b) } else { w.null() }
        w.key("metrics")
        if let text = training.info[DriftBaseline.metricsKey], let metrics = try? JSONParser.parse(Data(text.utf8)),
           case .object = metrics {
            w.raw(Array(text.utf8))
        } else {
            w.null()
        }
        w.key("info")
        w.beginObject()
        for (key, value) in training.info.sorted(by: { $0.key < $1.key })
        where key != DriftBaseline.infoKey && key != DriftBaseline.metricsKey {
            w.key(key); w.string(value)
        }
        w.endObject()
        w.endObject()
        w.endObject()
        return w.bytes
    }
}

/// A file's identity for change detection: size, modification time (ns) and inode.
struct FileStamp: Equatable, Sendable {
    var size: Int64 = -1
    var modified: Int64 = -1
    var inode: UInt64 = 0

    init(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        size = Int64(info.st_size)
        #if canImport(Darwin)
        modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        #else
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        #endif
        inode = UInt64(info.st_ino)
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
