import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the connection's channel, so
/// that ``ReadWatchdog`` can close a connection whose client stops sending its body.
public struct ServeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
