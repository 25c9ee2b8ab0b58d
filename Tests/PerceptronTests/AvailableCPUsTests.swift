import Foundation
@testable import Perceptron
import XCTest

/// The CPU count the kernels' default thread count and the server's event loops are sized by
/// is the scheduler's affinity mask (what `taskset` leaves the process), not the machine's
/// CPU count.
final class AvailableCPUsTests: XCTestCase {
    func testCountIsWithinTheMachinesCPUs() {
        let count = AvailableCPUs.count
        XCTAssertGreaterThanOrEqual(count, 1)
        XCTAssertLessThanOrEqual(count, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Without PERCEPTRON_NUM_THREADS the kernels use one thread per CPU the process may run
    /// on: under `taskset -c 0` a second thread would only spin and wait on the same CPU.
    func testDefaultThreadCountIsTheAvailableCPUs() throws {
        try XCTSkipIf(ProcessInfo.processInfo.environment["PERCEPTRON_NUM_THREADS"] != nil,
                      "PERCEPTRON_NUM_THREADS is set, and it decides the default")
        XCTAssertEqual(ComputeSettings.defaultThreadCount(), AvailableCPUs.count)
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
