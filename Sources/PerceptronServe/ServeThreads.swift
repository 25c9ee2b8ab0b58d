import Foundation
import NIOCore
import NIOPosix
import Perceptron

/// The threads of a `perceptron serve` process, set once on the main thread before the
/// server starts (the in-process tests keep the defaults).
///
/// ```
/// event loops       one per available CPU (AvailableCPUs), unless NIO_SINGLETON_GROUP_LOOP_COUNT says
/// GEMM threads      at most one per available CPU, unless PERCEPTRON_NUM_THREADS says
/// Swift tasks       on the event loops (NIO's global-executor hook), not on Swift's own pool:
///                   default    socket read (event loop) → handler task (Swift's pool) → write (event loop),
///                              every request crosses between the two sets of threads and back
///                   installed  a task enqueued on the global executor goes to an event loop, the one it
///                              is already on when there is one: read, decode, batch, forward pass and
///                              write stay on one thread
/// ```
/// The hook is SwiftNIO's `NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()`
/// (Vapor's entry point uses it); it must run once, before the tasks start. A forward pass then
/// runs on an event loop, which waits for it as the pool's thread did before.
public enum ServeThreads {
    private static let configured: Bool = {
        let cpus = AvailableCPUs.count
        let environment = ProcessInfo.processInfo.environment
        if environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] == nil { NIOSingletons.groupLoopCountSuggestion = cpus }
        if environment["PERCEPTRON_NUM_THREADS"] == nil, ComputeSettings.threadCount > cpus {
            try? ComputeSettings.setThreadCount(cpus)
        }
        return NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }()

    /// Sets the threads up (once; later calls return the first answer): true when Swift's
    /// tasks run on the event loops, false where SwiftNIO cannot install its hook (then they
    /// run on Swift's own pool, as without this).
    @discardableResult
    public static func configure() -> Bool { configured }
}
