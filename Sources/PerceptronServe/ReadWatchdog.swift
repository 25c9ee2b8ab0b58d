import Foundation
import NIOCore
import ServiceLifecycle
import Synchronization

/// Ends the wait of a client that has not finished sending its request body by its
/// deadline (`--read-timeout`): such a client (one that stalls mid-body, or never sends the
/// rest) would otherwise hold a connection and a task forever.
///
/// At the deadline the watchdog closes the connection's INPUT (`close(mode: .input)`): the
/// body stream ends, the body reader (which asks ``finish(_:)`` whether its ticket stalled)
/// answers the JSON 408, which can still be written since the output stays open. ``grace``
/// later the watchdog closes the whole connection, whatever the handler did. A client that
/// keeps trickling bytes gets the same 408 from the body reader, which checks the deadline at
/// every chunk. The body is read on the request's own task: no task per request, no
/// executor hop (a reader task per request cost a one-row Titanic request ~6 % more server
/// CPU, BENCHMARKS.md).
final class ReadWatchdog: Service, Sendable {
    private struct Entry {
        var deadline: ContinuousClock.Instant
        var channel: any Channel
        var stalled = false
    }
    private let entries = Mutex<(next: Int, open: [Int: Entry])>((0, [:]))
    let timeout: Duration
    /// How long past its deadline a connection is left for the body reader to write its 408.
    let grace: Duration = .seconds(1)

    init(timeout: Duration) { self.timeout = timeout }

    /// Watches `channel` until ``finish(_:)``: its input is closed once `deadline` has
    /// passed, and the whole channel ``grace`` later.
    func start(_ channel: any Channel, deadline: ContinuousClock.Instant) -> Int {
        entries.withLock { state in
            let ticket = state.next
            state.next += 1
            state.open[ticket] = Entry(deadline: deadline, channel: channel)
            return ticket
        }
    }

    /// Stops watching, and says whether the watchdog closed the input first (the client
    /// stalled: answer 408). A stalled ticket stays, so the connection is closed after the
    /// grace.
    func finish(_ ticket: Int) -> Bool {
        entries.withLock { state in
            if state.open[ticket]?.stalled == true { return true }
            state.open.removeValue(forKey: ticket)
            return false
        }
    }

    /// Checks the deadlines four times a second (the granularity of the timeout) until
    /// graceful shutdown.
    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .milliseconds(250))
            let now = ContinuousClock.now
            let (stalled, expired) = entries.withLock { state -> ([any Channel], [any Channel]) in
                var stalled: [any Channel] = [], expired: [any Channel] = []
                for (key, entry) in state.open where entry.deadline < now {
                    if entry.deadline + self.grace < now {
                        expired.append(entry.channel)
                        state.open.removeValue(forKey: key)
                    } else if !entry.stalled {
                        stalled.append(entry.channel)
                        state.open[key]!.stalled = true
                    }
                }
                return (stalled, expired)
            }
            for channel in stalled { channel.close(mode: .input, promise: nil) }
            for channel in expired { channel.close(promise: nil) }
        }
    }
}
