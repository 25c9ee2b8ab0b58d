/// The settings of `perceptron serve` (each a command-line flag; see docs/serving.md).
public struct ServeOptions: Sendable {
    /// The models to serve: name → model file path.
    public var models: [(name: String, path: String)]
    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    /// Rows merged into one forward pass at most; 1 disables batching.
    public var maxBatch: Int
    /// How long the first queued request may wait for more rows, in µs (0: never wait).
    public var maxDelayMicroseconds: Int
    /// The largest request body accepted, in bytes (413 above).
    public var maxBody: Int
    /// The most rows one request may hold.
    public var maxRows: Int
    /// Seconds a client has to send a whole request body (408 for one that trickles;
    /// the connection is closed for one that stops sending).
    public var readTimeoutSeconds: Double
    /// Seconds between checks of the model files for changes (0: only SIGHUP reloads).
    public var watchIntervalSeconds: Double

    public init(models: [(name: String, path: String)], host: String = "127.0.0.1", port: Int = 8080, maxBatch: Int = 64,
                maxDelayMicroseconds: Int = 0, maxBody: Int = 1 << 20, maxRows: Int = 1024, readTimeoutSeconds: Double = 10,
                watchIntervalSeconds: Double = 2) {
        self.models = models
        self.host = host
        self.port = port
        self.maxBatch = maxBatch
        self.maxDelayMicroseconds = maxDelayMicroseconds
        self.maxBody = maxBody
        self.maxRows = maxRows
        self.readTimeoutSeconds = readTimeoutSeconds
        self.watchIntervalSeconds = watchIntervalSeconds
    }

    /// Why the options cannot run, or nil.
    public func problem() -> String? {
        if models.isEmpty { return "no model to serve: give a model file, or --model NAME=PATH" }
        var names = Set<String>()
        for (name, _) in models {
            if name.isEmpty || !name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) {
                return "model name \"\(name)\" must be letters, digits, '_', '-' or '.'"
            }
            if !names.insert(name).inserted { return "two models are named \"\(name)\" (name them with --model NAME=PATH)" }
        }
        if !(0...65535).contains(port) { return "--port \(port) is not a port (0…65535)" }
        if maxBatch < 1 { return "--max-batch \(maxBatch) must be ≥ 1 (1 disables batching)" }
        if maxDelayMicroseconds < 0 || maxDelayMicroseconds > 1_000_000 { return "--max-delay \(maxDelayMicroseconds) must be 0…1000000 µs" }
        if maxBody < 16 { return "--max-body \(maxBody) must be ≥ 16 bytes" }
        if maxRows < 1 { return "--max-rows \(maxRows) must be ≥ 1" }
        if !(readTimeoutSeconds > 0) { return "--read-timeout must be > 0 seconds" }
        if !(watchIntervalSeconds >= 0) { return "--watch-interval must be ≥ 0 seconds" }
        return nil
    }
}
