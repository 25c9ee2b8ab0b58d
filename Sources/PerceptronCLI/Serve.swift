import ArgumentParser
import Foundation
import Logging
import PerceptronServe

/// `perceptron serve MODEL… [--model NAME=PATH]…`: the models behind HTTP (PerceptronServe).
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve models over HTTP: predictions, model descriptions, health, Prometheus metrics and drift.",
        discussion: """
            Routes: POST /v1/models/NAME:predict, GET /v1/models, GET /v1/models/NAME, \
            GET /v1/models/NAME/drift, GET /healthz, GET /readyz, GET /metrics (docs/serving.md). \
            SIGHUP reloads every model file (a bad file is refused and the old model keeps serving); \
            SIGTERM or SIGINT stops accepting, finishes in-flight requests and exits 0.
            """)

    @Argument(help: ArgumentHelp("Model files to serve, each named after its file (titanic.safetensors → titanic).", valueName: "model"))
    var modelPaths: [String] = []

    @Option(name: .customLong("model"), help: ArgumentHelp("A model under a name of your choice (repeatable).", valueName: "name=path"))
    var namedModels: [String] = []

    @Option(name: .long, help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "The port to listen on (0: any free port, printed at start).")
    var port = 8080

    @Option(name: .long, help: "Most rows merged into one forward pass by dynamic batching; 1 disables batching.")
    var maxBatch = 64

    @Option(name: .long, help: ArgumentHelp("How long a request may wait for others to batch with, in µs (0: never wait; a busy server still batches what queued meanwhile).", valueName: "µs"))
    var maxDelay = 0

    @Option(name: .long, help: ArgumentHelp("The largest request body in bytes (413 above).", valueName: "bytes"))
    var maxBody = 1 << 20

    @Option(name: .long, help: "The most rows in one request (400 above).")
    var maxRows = 1024

    @Option(name: .long, help: ArgumentHelp("Seconds a client has to send a request body (408 when late; a stalled connection is closed).", valueName: "seconds"))
    var readTimeout = 10.0

    @Option(name: .long, help: ArgumentHelp("Seconds between checks of the model files for changes (0: reload on SIGHUP only).", valueName: "seconds"))
    var watchInterval = 2.0

    @Option(name: .long, help: "Log level: trace, debug (one line per request), info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level \(logLevel): expected trace, debug, info, notice, warning, error or critical")
        }
        for entry in namedModels {
            let parts = Self.nameAndPath(entry)
            if parts.count != 2 || parts[0].isEmpty || parts[1].isEmpty {
                throw ValidationError("--model \(entry): expected NAME=PATH (a name and a path)")
            }
        }
    }

    /// The models to serve, named.
    var models: [(name: String, path: String)] {
        modelPaths.map { path in
            var name = URL(fileURLWithPath: path).lastPathComponent
            if let dot = name.firstIndex(of: "."), dot != name.startIndex { name = String(name[..<dot]) }
            return (name, path)
        } + namedModels.map { entry in
            let parts = Self.nameAndPath(entry)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }

    /// `NAME=PATH` split at its first "=", empty sides kept (so "=m.safetensors" has no name).
    static func nameAndPath(_ entry: String) -> [String] {
        entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    }

    var options: ServeOptions {
        ServeOptions(models: models, host: host, port: port, maxBatch: maxBatch, maxDelayMicroseconds: maxDelay, maxBody: maxBody,
                     maxRows: maxRows, readTimeoutSeconds: readTimeout, watchIntervalSeconds: watchInterval)
    }

    func run() throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        var logger = Logger(label: "perceptron.serve") { label in ServeLogHandler(label: label) }
        logger.logLevel = level
        // Before anything starts a task, an event loop or a GEMM thread: one event loop and at
        // most one GEMM thread per CPU this process may use, and Swift's tasks on the event
        // loops' threads (ServeThreads: no thread switch between reading and answering).
        ServeThreads.configure()
        // Per-request buffers from malloc's arena, and their pages kept between requests
        // (ServeMemory: no page faults for every body and feature matrix).
        ServeMemory.configure(maxBody: maxBody, environment: ProcessInfo.processInfo.environment)
        let server: InferenceServer
        do {
            server = try InferenceServer(options: options, logger: logger)
        } catch let error as ServeOptionsError {
            throw CLIError(error.message)
        }
        let host = self.host
        // The command line is synchronous; the server runs on Swift concurrency's threads
        // while this thread waits for it to finish (after SIGTERM or SIGINT).
        let done = DispatchSemaphore(value: 0)
        let failure = ErrorBox()
        Task {
            do {
                try await server.run { port in
                    print("perceptron serve: listening on http://\(host):\(port)")
                }
            } catch {
                failure.error = error
            }
            done.signal()
        }
        done.wait()
        if let error = failure.error { throw CLIError("serve: \(error)") }
    }
}

/// An error handed from the server's task to the waiting command.
private final class ErrorBox: @unchecked Sendable {
    // Written by the task before it signals the semaphore, read after the wait.
    var error: (any Error)?
}
