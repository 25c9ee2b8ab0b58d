import Synchronization

/// The layer copies a ``Predictor``'s calls run through, kept between calls so that a
/// call reuses the output buffers the previous one allocated instead of mapping, faulting
/// in and zero-filling fresh memory for every layer's output (on a 10,000-image MNIST batch
/// that was a third of the int8 forward time).
///
/// A call takes an idle copy (or copies the predictor's layers when none is idle), runs
/// its forward passes in it, and gives it back; at most ``maximumIdle`` copies are kept,
/// so concurrent callers beyond that copy as before. Nothing a call returns aliases a kept
/// buffer it could overwrite: the returned matrix shares the last layer's storage only
/// until the next call writes it, which copies first (copy-on-write). The kept memory is
/// that of the largest batch recently run (at most the predictor's batch size in rows).
final class PredictorScratch: @unchecked Sendable {
    // @unchecked: `idle` is only read or written while `locked` is held.
    private let locked = Atomic<Bool>(false)
    private var idle: [[any Layer]] = []

    /// The most layer copies kept between calls.
    static let maximumIdle = 2

    /// An idle copy, or nil when every kept copy is in use.
    func take() -> [any Layer]? {
        lock()
        defer { unlock() }
        return idle.popLast()
    }

    /// Keeps `layers` for a later call (dropped when ``maximumIdle`` copies are kept).
    func give(_ layers: [any Layer]) {
        lock()
        defer { unlock() }
        if idle.count < Self.maximumIdle { idle.append(layers) }
    }

    private func lock() {
        while !locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {}
    }

    private func unlock() { locked.store(false, ordering: .releasing) }
}
