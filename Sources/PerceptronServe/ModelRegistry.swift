import Foundation
import Logging
import Synchronization

/// The models being served, by name, each swapped atomically on reload.
///
/// ```
/// lookup(name)   the current ServedModel (a reference: a request keeps the model it
///                started with, even if a reload swaps in another meanwhile)
/// reload(name)   read the file again; same SHA-256 → unchanged; a valid new file →
///                swapped in; an invalid one → refused and logged, the old one serves on
/// ```
public final class ModelRegistry: Sendable {
    private let models: Mutex<[String: ServedModel]>
    private let paths: [(name: String, path: String)]
    private let options: ServeOptions
    let metrics: ServerMetrics
    private let logger: Logger

    /// Loads every model of `options`; throws the first file's error (the server does
    /// not start with a model it cannot serve).
    init(options: ServeOptions, metrics: ServerMetrics, logger: Logger) throws {
        self.options = options
        self.metrics = metrics
        self.logger = logger
        paths = options.models
        var loaded: [String: ServedModel] = [:]
        for (name, path) in options.models {
            let model = try Self.load(name: name, path: path, options: options, metrics: metrics)
            loaded[name] = model
            metrics.loaded(model: name, seconds: model.loadSeconds)
            logger.info("model loaded", metadata: ["model": "\(name)", "file": "\(path)", "version": "\(model.version)",
                                                   "seconds": "\(model.loadSeconds)"])
        }
        models = Mutex(loaded)
    }

    private static func load(name: String, path: String, options: ServeOptions, metrics: ServerMetrics) throws -> ServedModel {
        try ServedModel(name: name, path: path, options: options) { rows in metrics.batch(model: name, rows: rows) }
    }

    /// The model named `name` now.
    func lookup(_ name: String) -> ServedModel? { models.withLock { $0[name] } }

    /// Every model, in the order they were given.
    var all: [ServedModel] {
        let current = models.withLock { $0 }
        return paths.compactMap { current[$0.name] }
    }

    /// The outcome of one reload.
    public enum ReloadResult: String, Sendable { case ok, unchanged, refused }

    /// Reads `name`'s file again and swaps it in when it changed and is valid.
    @discardableResult
    public func reload(_ name: String) -> ReloadResult {
        guard let path = paths.first(where: { $0.name == name })?.path, let old = lookup(name) else { return .refused }
        let result: ReloadResult
        do {
            let fresh = try Self.load(name: name, path: path, options: options, metrics: metrics)
            if fresh.sha256 == old.sha256 {
                result = .unchanged
            } else {
                models.withLock { $0[name] = fresh }
                metrics.loaded(model: name, seconds: fresh.loadSeconds)
                logger.info("model reloaded", metadata: ["model": "\(name)", "file": "\(path)", "old_version": "\(old.version)",
                                                         "version": "\(fresh.version)"])
                result = .ok
            }
        } catch {
            logger.warning("model reload refused; the old model keeps serving",
                           metadata: ["model": "\(name)", "file": "\(path)", "version": "\(old.version)", "error": "\(error)"])
            result = .refused
        }
        metrics.reload(model: name, result: result.rawValue)
        return result
    }

    /// Reloads every model (SIGHUP).
    public func reloadAll() {
        for (name, _) in paths { reload(name) }
    }

    /// Reloads the models whose file's size, modification time or inode changed since
    /// it was read (the file watcher). A refused file is not tried again until it changes.
    func reloadChangedFiles(refused: inout [String: FileStamp]) {
        for (name, path) in paths {
            guard let current = lookup(name) else { continue }
            let stamp = FileStamp(path: path)
            guard stamp != current.fileStamp, stamp.size >= 0, refused[name] != stamp else { continue }
            if reload(name) == .refused { refused[name] = stamp } else { refused[name] = nil }
        }
    }
}
