import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the models on SIGHUP and, every `--watch-interval` seconds, those whose file
/// changed (size, modification time or inode: an atomic rename is seen as a new inode).
/// A file that fails to load is refused and logged, and the old model keeps serving.
struct ModelReloader: Service {
    let registry: ModelRegistry
    let watchInterval: Double
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in signals.cancelOnGracefulShutdown() {
                    logger.info("SIGHUP: reloading every model")
                    registry.reloadAll()
                }
            }
            if watchInterval > 0 {
                group.addTask {
                    var refused: [String: FileStamp] = [:]
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        try? await Task.sleep(for: .milliseconds(Int(watchInterval * 1000)))
                        registry.reloadChangedFiles(refused: &refused)
                    }
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }
}
