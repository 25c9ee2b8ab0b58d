import Foundation
import NIOCore
import ServiceLifecycle
import Synchronization

/// Ends the wait of a client that has not finished sending its request body by its
/// deadline (`--read-timeout`): such a client (one that stalls mid-body, or never sends the
/// rest) would otherwise hold a connection and a task forever.
///
/// At the deadline the watchdog cancels the task that reads the body (`onStall`): its wait
/// ends, the request handler answers the JSON 408, which can still be written (cancelling
/// the read stops the connection's input, not its output). ``grace`` later the watchdog
/// closes the whole connection, whatever the handler did. A client that keeps trickling bytes gets the same
/// 408 from the body reader, which checks the deadline at every chunk.
final class ReadWatchdog: Service, Sendable {
    private struct Entry {
        var deadline: ContinuousClock.Instant
        var channel: any Channel
        var onStall: @Sendable () -> Void
        var stalled = false
    }
    private let entries = Mutex<(next: Int, open: [Int: Entry])>((0, [:]))
    let timeout: Duration
    /// How long past its deadline a connection is left for the body reader to write its 408.
    let grace: Duration = .seconds(1)

    init(timeout: Duration) { self.timeout = timeout }

    /// Watches `channel` until ``finish(_:)``: `onStall` runs once `deadline` has passed,
    /// and the channel is closed ``grace`` later.
    func start(_ channel: any Channel, deadline: ContinuousClock.Instant, onStall: @escaping @Sendable () -> Void)
        -> (ticket: Int, deadline: ContinuousClock.Instant) {
        let ticket = entries.withLock { state in
            let ticket = state.next
            state.next += 1
            state.open[ticket] = Entry(deadline: deadline, channel: channel, onStall: onStall)
            return ticket
        }
        return (ticket, deadline)
    }

    /// Stops watching: the body arrived in time. (A timed-out request leaves its ticket,
    /// so the connection is closed after the grace.)
    func finish(_ ticket: Int) { _ = entries.withLock { $0.open.removeValue(forKey: ticket) } }

    /// Checks the deadlines four times a second (the granularity of the timeout) until
    /// graceful shutdown.
    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .milliseconds(250))
            let now = ContinuousClock.now
            let (stalled, expired) = entries.withLock { state -> ([@Sendable () -> Void], [any Channel]) in
                var stalled: [@Sendable () -> Void] = [], expired: [any Channel] = []
                for (key, entry) in state.open where entry.deadline < now {
                    if entry.deadline + self.grace < now {
                        expired.append(entry.channel)
                        state.open.removeValue(forKey: key)
                    } else if !entry.stalled {
                        stalled.append(entry.onStall)
                        state.open[key]!.stalled = true
                    }
                }
                return (stalled, expired)
            }
            for onStall in stalled { onStall() }
            for channel in expired { channel.close(promise: nil) }
        }
    }
}
