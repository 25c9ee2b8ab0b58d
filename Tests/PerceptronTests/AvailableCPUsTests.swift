import Foundation
@testable import PerceptronServe
import XCTest

/// The CPU count the server sizes its event loops and GEMM threads by is the scheduler's
/// affinity mask (what `taskset` leaves the process), not the machine's CPU count.
final class AvailableCPUsTests: XCTestCase {
    func testCountIsWithinTheMachinesCPUs() {
        let count = AvailableCPUs.count
        XCTAssertGreaterThanOrEqual(count, 1)
        XCTAssertLessThanOrEqual(count, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The mask's set bits, over comma-separated 32-bit words (`taskset -c 0` gives `1`).
    func testMaskBitsAreCounted() {
        XCTAssertEqual(AvailableCPUs.allowedCount(status: "Name:\tx\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n"), 1)
        XCTAssertEqual(AvailableCPUs.allowedCount(status: "Cpus_allowed:\t3\n"), 2)
        XCTAssertEqual(AvailableCPUs.allowedCount(status: "Cpus_allowed:\tff,00000f0f\n"), 16)
        XCTAssertNil(AvailableCPUs.allowedCount(status: "Cpus_allowed:\tzz\n"))
        XCTAssertNil(AvailableCPUs.allowedCount(status: "Name:\tx\n"))
    }
}
