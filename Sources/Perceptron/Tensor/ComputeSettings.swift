import Foundation
import Synchronization

/// Process-wide compute settings: how many threads the matrix kernels use.
///
/// The default is the `PERCEPTRON_NUM_THREADS` environment variable when it holds a
/// positive integer, otherwise the number of CPUs the process may run on (``AvailableCPUs``:
/// under `taskset -c 0` one thread, not one per CPU of the machine). Results are
/// bit-identical for a given seed and thread count.
public enum ComputeSettings {
    private static let storedThreadCount = Atomic<Int>(defaultThreadCount())

    /// The number of threads the kernels use (at least 1).
    public static var threadCount: Int { storedThreadCount.load(ordering: .relaxed) }

    /// Sets the number of threads the kernels use.
    /// - Throws: ``PerceptronError/invalidHyperparameter(name:value:expected:)`` when `count < 1`.
    public static func setThreadCount(_ count: Int) throws {
        guard count >= 1 else {
            throw PerceptronError.invalidHyperparameter(name: "threadCount", value: "\(count)", expected: "an integer ≥ 1")
        }
        storedThreadCount.store(count, ordering: .relaxed)
    }

    /// The thread count from `PERCEPTRON_NUM_THREADS`, or the CPUs the process may run on.
    public static func defaultThreadCount() -> Int {
        if let text = ProcessInfo.processInfo.environment["PERCEPTRON_NUM_THREADS"],
           let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 1 {
            return value
        }
        return AvailableCPUs.count
    }
}
