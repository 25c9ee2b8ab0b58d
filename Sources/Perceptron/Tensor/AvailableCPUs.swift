import Foundation

/// The CPUs this process may run on: on Linux the calling thread's scheduler affinity
/// mask (`Cpus_allowed` in `/proc/thread-self/status`: what `taskset` or a cpuset leaves
/// it), the active processor count elsewhere or when that file cannot be read; at least 1.
///
/// `ProcessInfo.activeProcessorCount` and SwiftNIO's `System.coreCount` count the machine's
/// CPUs even under `taskset -c 0`, so a pinned process would otherwise run two GEMM threads
/// (which spin while they wait for each other) on one CPU, and a pinned server two event
/// loops. ``ComputeSettings`` takes its default thread count from here.
public enum AvailableCPUs {
    public static var count: Int {
        #if os(Linux)
        if let status = try? String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8),
           let cpus = allowedCount(status: status), cpus > 0 {
            return cpus
        }
        #endif
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The number of set bits of the `Cpus_allowed:` line's hex mask (words separated by
    /// commas), or nil when the text has no such line or it is not hex.
    static func allowedCount(status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed:") {
            var count = 0
            for character in line.dropFirst("Cpus_allowed:".count) where character != "," && character != " " && character != "\t" {
                guard let digit = character.hexDigitValue else { return nil }
                count += digit.nonzeroBitCount
            }
            return count
        }
        return nil
    }
}
