import PerceptronServe
import XCTest

/// The malloc thresholds follow `--max-body`: M = min(32 MiB, max(128 KiB, 4 × maxBody)),
/// T = 4M; an environment that already sets them wins.
final class ServeMemoryTests: XCTestCase {
    func testThresholdsFollowTheLargestBody() {
        XCTAssertEqual(ServeMemory.thresholds(maxBody: 1 << 20).mmap, 4 << 20)   // the default --max-body
        XCTAssertEqual(ServeMemory.thresholds(maxBody: 1 << 20).trim, 16 << 20)
        XCTAssertEqual(ServeMemory.thresholds(maxBody: 16).mmap, 128 << 10)      // glibc's default floor
        XCTAssertEqual(ServeMemory.thresholds(maxBody: 16).trim, 512 << 10)
        XCTAssertEqual(ServeMemory.thresholds(maxBody: 1 << 30).mmap, 32 << 20)  // glibc's ceiling
        XCTAssertEqual(ServeMemory.thresholds(maxBody: Int.max).mmap, 32 << 20)
        XCTAssertEqual(ServeMemory.thresholds(maxBody: Int.max).trim, 128 << 20)
    }

    func testEnvironmentSettingsAreLeftAlone() {
        for key in ["GLIBC_TUNABLES", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"] {
            XCTAssertFalse(ServeMemory.configure(maxBody: 1 << 20, environment: [key: "1"]), key)
        }
    }
}
