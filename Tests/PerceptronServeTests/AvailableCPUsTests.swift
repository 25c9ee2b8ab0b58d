import Foundation
@testable import PerceptronServe
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The CPU count the server sizes its event loops and GEMM threads by is the scheduler's
/// affinity mask (what `taskset` leaves the process), not the machine's CPU count.
final class AvailableCPUsTests: XCTestCase {
    func testCountIsWithinTheMachinesCPUs() {
        let count = AvailableCPUs.count
        XCTAssertGreaterThanOrEqual(count, 1)
        XCTAssertLessThanOrEqual(count, ProcessInfo.processInfo.activeProcessorCount)
    }

    #if os(Linux)
    /// A thread pinned to one CPU (as `taskset -c N` pins a process) counts one CPU; the
    /// mask is restored afterwards. The affinity call acts on the calling thread, which is
    /// the one `AvailableCPUs.count` asks about.
    func testCountFollowsTheAffinityMask() throws {
        var original = cpu_set_t()
        guard sched_getaffinity(0, MemoryLayout<cpu_set_t>.size, &original) == 0 else {
            throw XCTSkip("sched_getaffinity is not available here")
        }
        let allowed = withUnsafeBytes(of: &original) { mask in mask.reduce(0) { $0 + $1.nonzeroBitCount } }
        XCTAssertEqual(AvailableCPUs.count, allowed)
        guard allowed > 1 else { throw XCTSkip("only one CPU to begin with: nothing to narrow") }
        // The lowest CPU in the mask, alone.
        var one = cpu_set_t()
        let first: Int = withUnsafeBytes(of: &original) { mask in
            for (i, byte) in mask.enumerated() where byte != 0 { return i * 8 + byte.trailingZeroBitCount }
            return 0
        }
        withUnsafeMutableBytes(of: &one) { $0[first / 8] = UInt8(1) << (first % 8) }
        XCTAssertEqual(sched_setaffinity(0, MemoryLayout<cpu_set_t>.size, &one), 0)
        defer { _ = sched_setaffinity(0, MemoryLayout<cpu_set_t>.size, &original) }
        XCTAssertEqual(AvailableCPUs.count, 1)
    }
    #endif
}
