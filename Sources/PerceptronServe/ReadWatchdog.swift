import Foundation
import NIOCore
import ServiceLifecycle
import Synchronization

/// Closes the connection of a client that has not finished sending its request body by
/// its deadline (`--read-timeout`): such a client (one that stalls mid-body, or never
/// sends the rest) would otherwise hold a connection and a task forever. A client that
/// keeps trickling bytes is answered 408 by the body reader itself, which checks the
/// deadline at every chunk; this catches the one that sends nothing more.
///
/// The watchdog waits ``grace`` past the deadline before it closes: a trickling client's
/// next chunk must reach the body reader (and its 408) first, not race the watchdog's
/// quarter-second tick to the same deadline.
final class ReadWatchdog: Service, Sendable {
    private struct Entry { var deadline: ContinuousClock.Instant; var channel: any Channel }
    private let entries = Mutex<(next: Int, open: [Int: Entry])>((0, [:]))
    let timeout: Duration
    /// How long past its deadline a connection is left for the body reader to answer 408.
    let grace: Duration = .seconds(1)

    init(timeout: Duration) { self.timeout = timeout }

    /// Watches `channel` until ``finish(_:)``; returns the ticket and the deadline.
    func start(_ channel: any Channel) -> (ticket: Int, deadline: ContinuousClock.Instant) {
        let deadline = ContinuousClock.now + timeout
        let ticket = entries.withLock { state in
            let ticket = state.next
            state.next += 1
            state.open[ticket] = Entry(deadline: deadline, channel: channel)
            return ticket
        }
        return (ticket, deadline)
    }

    func finish(_ ticket: Int) { _ = entries.withLock { $0.open.removeValue(forKey: ticket) } }

    /// Checks the deadlines four times a second (the granularity of the timeout) until
    /// graceful shutdown.
    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .milliseconds(250))
            let now = ContinuousClock.now
            let expired = entries.withLock { state -> [any Channel] in
                let late = state.open.filter { $0.value.deadline + self.grace < now }
                for key in late.keys { state.open.removeValue(forKey: key) }
                return late.values.map(\.channel)
            }
            for channel in expired { channel.close(promise: nil) }
        }
    }
}
