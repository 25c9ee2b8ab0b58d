import Logging

/// swift-log's `StreamLogHandler` (standard error), with metadata that costs nothing to set.
///
/// `StreamLogHandler` renders its metadata to text whenever it changes; Hummingbird sets a
/// request id on every request's logger, so at the default `info` level, where no request
/// logs anything, each request paid for a rendering nobody reads (~3 % of a one-row
/// request's CPU, `perf`, BENCHMARKS.md). This keeps the metadata as given and renders it
/// only when a line is written, in the same format.
public struct ServeLogHandler: LogHandler {
    private var stream: StreamLogHandler
    public var metadata: Logger.Metadata = [:]

    public init(label: String) { stream = .standardError(label: label) }

    public var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var stream = self.stream
        if !metadata.isEmpty { stream.metadata = metadata }
        stream.log(event: event)
    }
}
