import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `perceptron serve`: the models of ``ServeOptions`` behind HTTP (see ``ServeResponder``
/// for the routes), with dynamic batching (``Batcher``), hot reload (``ModelReloader``),
/// drift monitoring (``DriftMonitor``), Prometheus metrics, and a graceful shutdown on
/// SIGTERM or SIGINT: the listener closes, in-flight requests finish, then ``run()`` returns.
public struct InferenceServer: Sendable {
    public let options: ServeOptions
    public let registry: ModelRegistry
    let watchdog: ReadWatchdog
    let logger: Logger

    /// Loads every model; throws the first one's error (and for options that cannot run,
    /// a ``ServeOptionsError``).
    public init(options: ServeOptions, logger: Logger = Logger(label: "perceptron.serve")) throws {
        if let problem = options.problem() { throw ServeOptionsError(message: problem) }
        self.options = options
        self.logger = logger
        registry = try ModelRegistry(options: options, metrics: ServerMetrics(), logger: logger)
        watchdog = ReadWatchdog(timeout: .milliseconds(Int(options.readTimeoutSeconds * 1000)))
    }

    /// The responder alone (the in-process tests drive it).
    public var responder: ServeResponder {
        ServeResponder(registry: registry, options: options, watchdog: watchdog, logger: logger)
    }

    /// The Hummingbird application: the responder, the watchdog and the reloader.
    /// - Parameter onRunning: called with the bound port once the server listens.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> Application<ServeResponder> {
        // The connection's idle timeout outlasts the body deadline by the watchdog's grace and
        // tick, so a client that stalls mid-body gets the watchdog's 408 before the idle close.
        let timeout = TimeAmount.milliseconds(Int64(options.readTimeoutSeconds * 1000) + 1_500)
        return Application(
            responder: responder,
            server: .http1(configuration: .init(idleTimeout: timeout)),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "perceptron"),
            services: [watchdog, ModelReloader(registry: registry, watchInterval: options.watchIntervalSeconds, logger: logger)],
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully and returns.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let group = ServiceGroup(configuration: .init(services: [application(onRunning: onRunning)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Options that cannot run (a message for the command line).
public struct ServeOptionsError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
