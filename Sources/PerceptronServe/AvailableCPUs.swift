import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The CPUs this process may run on: its scheduler affinity mask's count on Linux (what
/// `taskset` or a cpuset leaves it), the active processor count elsewhere; at least 1.
///
/// `ProcessInfo.activeProcessorCount` and SwiftNIO's `System.coreCount` count the machine's
/// CPUs even under `taskset -c 0`, so a pinned server would otherwise run two event loops
/// and two GEMM threads (which spin while they wait for each other) on one CPU.
public enum AvailableCPUs {
    public static var count: Int {
        #if os(Linux)
        var set = cpu_set_t()
        if sched_getaffinity(0, MemoryLayout<cpu_set_t>.size, &set) == 0 {
            let cpus = withUnsafeBytes(of: &set) { mask in mask.reduce(0) { $0 + $1.nonzeroBitCount } }
            if cpus > 0 { return cpus }
        }
        #endif
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}
